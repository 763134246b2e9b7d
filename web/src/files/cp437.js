// @ts-check
/**
 * Code page 437, in which a zip names its members unless it says UTF-8 (flag bit 11), as Python's
 * ``zipfile`` decodes them: the browser's ``TextDecoder`` has no such encoding.
 * @module files/cp437
 */

const HIGH = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

/**
 * ``bytes.decode("cp437")``.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function cp437(bytes) {
  let out = "";
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : HIGH[b - 0x80];
  return out;
}
