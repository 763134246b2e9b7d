// @ts-check
/**
 * Text as the library's Python writes it, so that a file made in the browser equals the command line's:
 * fixed-point numbers as ``f"{x:.6f}"`` (the exact binary value rounded, halves to even, where
 * ``toFixed`` rounds halves up), and CSV as ``csv.writer`` (a field quoted only when it holds a comma,
 * a quote or a line break, quotes doubled, rows ended by CR LF).
 * @module pyformat
 */

/**
 * ``f"{x:.{digits}f}"``.
 * @param {number} x
 * @param {number} digits
 */
export function fixed(x, digits) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0), exponent = Number((bits >> 52n) & 0x7ffn), fraction = bits & ((1n << 52n) - 1n);
  // |x| = mantissa · 2^power exactly.
  const [mantissa, power] = exponent === 0 ? [fraction, -1074] : [fraction | (1n << 52n), exponent - 1075];
  let numerator = mantissa * 10n ** BigInt(digits), denominator = 1n;
  if (power >= 0) numerator <<= BigInt(power);
  else denominator <<= BigInt(-power);
  let quotient = numerator / denominator;
  const twice = 2n * (numerator % denominator);
  if (twice > denominator || (twice === denominator && quotient % 2n === 1n)) quotient += 1n;
  const text = quotient.toString().padStart(digits + 1, "0");
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  return sign + (digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text);
}

/**
 * One CSV line, as ``csv.writer(...).writerow(cells)``.
 * @param {(string | number)[]} cells
 */
export function csvRow(cells) {
  return cells.map((cell) => {
    const text = String(cell);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }).join(",") + "\r\n";
}

/**
 * A proportion as Python's ``f"{x:.1%}"`` writes it.
 * @param {number} x
 * @returns {string}
 */
export const percent = (x) => `${fixed(x * 100, 1)}%`;

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/**
 * Python's ``repr`` of a string: single quotes unless it holds one and no double quote, and what
 * ``str.isprintable`` refuses escaped as ``\xNN``, ``\uNNNN`` or ``\UNNNNNNNN``.
 * @param {string} text
 * @returns {string}
 */
export function repr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = /** @type {number} */ (ch.codePointAt(0));
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code < 0x7f || (ch !== " " && !NOT_PRINTABLE.test(ch))) out += ch;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out + quote;
}

/**
 * Python's ``repr`` of ``bytes``: ``b'...'``, printable ASCII as it is, the rest ``\xNN``.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function bytesRepr(bytes) {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}
