// @ts-check
/**
 * What a file's bytes say before any pixel is decoded, as Pillow's ``Image.open`` reads them: its
 * kind, its size from its header (JPEG SOFn, PNG IHDR, WebP VP8/VP8L/VP8X, GIF, BMP, AVIF ``ispe``),
 * its EXIF orientation, and for a JPEG where its image ends (the EOI after the last scan: a motion
 * photo's video or an MPF trailer follows it, and is not part of the image).
 * @module photo/inspect
 */

import { ascii, orientationOf } from "./exif.js";

/**
 * @typedef {{kind: string, width: number | null, height: number | null, orientation: number,
 *   problem: string | null, end: number | null, components: number, alpha: boolean,
 *   backdrop: {x0: number, y0: number, x1: number, y1: number, rgb: number[]} | null,
 *   profile: {z: Uint8Array, xmp: Uint8Array | null} | null, cut: boolean}} Facts
 * ``problem``: why the EXIF orientation cannot be read (the image is then used as stored);
 * ``end``: for a JPEG, the byte after its EOI, or null when its scans run to the file's end with no EOI;
 * ``components``: a JPEG's colour components (4: CMYK or YCCK); ``alpha``: an AVIF has an alpha plane;
 * ``backdrop``: a GIF whose first frame does not cover its screen and has no transparency: Pillow
 * shows its palette's first colour around the frame (``rgb``), where a browser leaves it transparent;
 * ``profile``: a PNG's EXIF is in a compressed ImageMagick text chunk, to be inflated (see ``photo.js``);
 * ``cut``: a WebP, GIF or AVIF whose structure ends before its image data does (Pillow refuses it,
 * where a browser may show what it has).
 */

const HEIC_BRANDS = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"];

/**
 * Read a file's header.
 * @param {Uint8Array} bytes The whole file.
 * @returns {Facts}
 */
export function inspect(bytes) {
  /** @type {Facts} */
  const facts = { kind: "unknown", width: null, height: null, orientation: 1, problem: null, end: null, components: 3, alpha: false, backdrop: null, profile: null, cut: false };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) jpeg(bytes, facts);
  else if (ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") png(bytes, facts);
  else if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") gif(bytes, facts);
  else if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") webp(bytes, facts);
  else if (ascii(bytes, 0, 2) === "BM") bmp(bytes, facts);
  else if (["II*\0", "MM\0*"].includes(ascii(bytes, 0, 4))) facts.kind = "tiff";
  else if (ascii(bytes, 4, 4) === "ftyp") {
    const brands = [];
    const size = Math.min(u32be(bytes, 0), bytes.length);
    for (let i = 8; i + 4 <= size; i += 4) if (i !== 12) brands.push(ascii(bytes, i, 4));
    if (brands.includes("avif") || brands.includes("avis")) avif(bytes, facts);
    else if (brands.some((b) => HEIC_BRANDS.includes(b))) facts.kind = "heic";
  }
  return facts;
}

/** @param {Uint8Array} b @param {number} i */
const u16be = (b, i) => (b[i] << 8) | b[i + 1];
/** @param {Uint8Array} b @param {number} i */
const u16le = (b, i) => b[i] | (b[i + 1] << 8);
/** @param {Uint8Array} b @param {number} i */
const u32be = (b, i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
/** @param {Uint8Array} b @param {number} i */
const u32le = (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/**
 * A JPEG's markers: APP0 (JFIF), APP1 (EXIF, XMP), the first SOFn; then each scan's entropy-coded
 * data is skipped (a 0xFF there is followed by 0x00 or a restart marker) up to the EOI.
 * @param {Uint8Array} bytes
 * @param {Facts} facts
 */
function jpeg(bytes, facts) {
  facts.kind = "jpeg";
  /** @type {Uint8Array[]} */
  const exif = [];
  /** @type {Uint8Array | null} */
  let xmp = null;
  let jfifDpi = false;
  let scans = 0;
  let i = 2;
  while (i + 1 < bytes.length) {
    if (bytes[i] !== 0xff) { i++; continue; } // junk between segments, skipped as Pillow skips it
    const marker = bytes[i + 1];
    if (marker === 0xff || marker === 0x00) { i++; continue; }
    if (marker === 0xd9) { facts.end = scans > 0 ? i + 2 : null; break; }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xd8) { i += 2; continue; }
    if (i + 4 > bytes.length) break;
    const length = u16be(bytes, i + 2);
    const body = bytes.subarray(i + 4, Math.min(i + 2 + length, bytes.length));
    if (length < 2) break;
    if (marker === 0xe0 && ascii(body, 0, 5) === "JFIF\0" && (body[7] === 1 || body[7] === 2)) jfifDpi = true;
    if (marker === 0xe1 && ascii(body, 0, 6) === "Exif\0\0") exif.push(exif.length ? body.subarray(6) : body);
    const XAP = "http://ns.adobe.com/xap/1.0/\0";
    if (marker === 0xe1 && ascii(body, 0, XAP.length) === XAP) xmp = body.subarray(XAP.length);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && facts.width === null && body.length >= 6) {
      facts.height = u16be(body, 1);
      facts.width = u16be(body, 3);
      facts.components = body[5];
    }
    i += 2 + length;
    if (marker === 0xda) {
      scans++;
      while (i + 1 < bytes.length && !(bytes[i] === 0xff && bytes[i + 1] !== 0 && bytes[i + 1] !== 0xff && (bytes[i + 1] < 0xd0 || bytes[i + 1] > 0xd7))) i++;
    }
  }
  const joined = exif.length ? concat(exif) : null;
  Object.assign(facts, orientationOf(joined, xmp));
  // Pillow reads a JPEG's EXIF once while opening, for its dpi, unless JFIF gave one; an unreadable
  // block is then swallowed there and no longer stops the orientation.
  if (facts.problem && !jfifDpi) facts.problem = null;
}

/**
 * A PNG's IHDR, and its EXIF and XMP wherever they are, as Pillow finds them: the last ``eXIf`` or
 * ``tEXt exif`` chunk, else ImageMagick's "Raw profile type exif" (hexadecimal, in ``tEXt`` or
 * ``zTXt``), and XMP in ``iTXt XML:com.adobe.xmp``.
 * @param {Uint8Array} bytes
 * @param {Facts} facts
 */
function png(bytes, facts) {
  facts.kind = "png";
  if (bytes.length >= 24 && ascii(bytes, 12, 4) === "IHDR") { facts.width = u32be(bytes, 16); facts.height = u32be(bytes, 20); }
  /** @type {Uint8Array | null} */
  let exif = null;
  /** @type {Uint8Array | null} */
  let xmp = null;
  /** @type {{text: string} | {z: Uint8Array} | null} */
  let raw = null;
  for (const chunk of pngChunks(bytes)) {
    if (chunk.type === "eXIf") exif = chunk.data;
    if (chunk.type === "tEXt" || chunk.type === "zTXt") {
      const cut = chunk.data.indexOf(0);
      const key = ascii(chunk.data, 0, cut < 0 ? chunk.data.length : cut), value = chunk.data.subarray(cut < 0 ? chunk.data.length : cut + 1);
      if (chunk.type === "tEXt" && key === "exif") exif = value;
      if (key === "Raw profile type exif") raw = chunk.type === "tEXt" ? { text: ascii(value, 0, value.length) } : value[0] === 0 ? { z: value.subarray(1) } : null;
    }
    if (chunk.type === "iTXt" && ascii(chunk.data, 0, 18) === "XML:com.adobe.xmp\0" && chunk.data[18] === 0) {
      let at = 20;
      for (let k = 0; k < 2; k++) { while (at < chunk.data.length && chunk.data[at] !== 0) at++; at++; } // language, translated keyword
      xmp = chunk.data.subarray(at);
    }
  }
  if (!exif && raw && "z" in raw) facts.profile = { z: raw.z, xmp };
  else if (!exif && raw && "text" in raw) Object.assign(facts, profileOrientation(raw.text, xmp));
  else Object.assign(facts, orientationOf(exif, xmp));
}

/**
 * The orientation in ImageMagick's "Raw profile type exif" text (a name, a length, then the EXIF in
 * hexadecimal), read as Pillow reads it.
 * @param {string} text
 * @param {Uint8Array | null} xmp
 * @returns {import("./exif.js").Orientation}
 */
export function profileOrientation(text, xmp) {
  const hex = text.split("\n").slice(3).join("").replace(/[ \t\r\v\f]/g, "");
  if (hex.length % 2 || /[^0-9a-fA-F]/.test(hex)) return { orientation: 1, problem: "non-hexadecimal number found in fromhex() arg" };
  const block = new Uint8Array(hex.length / 2).map((_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  return orientationOf(block, xmp);
}

/**
 * A PNG's chunks after its signature, up to IEND or the end of the data (a chunk cut short ends them).
 * @param {Uint8Array} bytes
 * @returns {Generator<{type: string, at: number, data: Uint8Array, whole: boolean}>} ``at``: where the chunk starts;
 *   ``whole``: its data (not its CRC) is all there.
 */
export function* pngChunks(bytes) {
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = u32be(bytes, at);
    const type = ascii(bytes, at + 4, 4);
    const whole = at + 8 + length <= bytes.length;
    yield { type, at, data: bytes.subarray(at + 8, Math.min(at + 8 + length, bytes.length)), whole };
    if (type === "IEND" || !whole) return;
    at += 12 + length;
  }
}

/**
 * A GIF's logical screen, widened to its first frame where that frame reaches past it, as Pillow does.
 * @param {Uint8Array} bytes
 * @param {Facts} facts
 */
function gif(bytes, facts) {
  facts.kind = "gif";
  if (bytes.length < 13) return;
  const width = u16le(bytes, 6), height = u16le(bytes, 8);
  [facts.width, facts.height] = [width, height];
  const global = bytes[10] & 0x80 ? 13 : -1;
  let at = 13 + (global > 0 ? 3 << ((bytes[10] & 7) + 1) : 0);
  let transparent = false;
  while (at < bytes.length && bytes[at] === 0x21) { // extensions: a label, then sub-blocks up to an empty one
    if (bytes[at + 1] === 0xf9 && bytes[at + 2] >= 4) transparent = (bytes[at + 3] & 1) === 1; // graphic control
    at += 2;
    while (at < bytes.length && bytes[at] !== 0) at += 1 + bytes[at];
    at++;
  }
  if (bytes[at] !== 0x2c || at + 10 > bytes.length) { facts.cut = true; return; }
  let data = at + 10 + (bytes[at + 9] & 0x80 ? 3 << ((bytes[at + 9] & 7) + 1) : 0) + 1; // after the LZW code size
  while (data < bytes.length && bytes[data] !== 0) data += 1 + bytes[data];
  facts.cut = data >= bytes.length;
  const x0 = u16le(bytes, at + 1), y0 = u16le(bytes, at + 3), x1 = x0 + u16le(bytes, at + 5), y1 = y0 + u16le(bytes, at + 7);
  facts.width = Math.max(width, x1);
  facts.height = Math.max(height, y1);
  if (transparent || (x0 === 0 && y0 === 0 && x1 >= facts.width && y1 >= facts.height)) return;
  const palette = bytes[at + 9] & 0x80 ? at + 10 : global;
  facts.backdrop = { x0, y0, x1, y1, rgb: palette < 0 ? [0, 0, 0] : [...bytes.subarray(palette, palette + 3)] };
}

/**
 * A WebP's RIFF chunks: VP8X (canvas, flags), VP8 or VP8L (frame size), EXIF, XMP.
 * @param {Uint8Array} bytes
 * @param {Facts} facts
 */
function webp(bytes, facts) {
  facts.kind = "webp";
  /** @type {Uint8Array | null} */
  let exif = null;
  /** @type {Uint8Array | null} */
  let xmp = null;
  const riffEnd = Math.min(bytes.length, 8 + u32le(bytes, 4));
  facts.cut = bytes.length < 8 + u32le(bytes, 4);
  for (let at = 12; at + 8 <= riffEnd;) {
    const type = ascii(bytes, at, 4);
    const length = u32le(bytes, at + 4);
    if (at + 8 + length > riffEnd) facts.cut = true;
    const data = bytes.subarray(at + 8, Math.min(at + 8 + length, riffEnd));
    if (type === "VP8X" && data.length >= 10) {
      facts.width = 1 + (data[4] | (data[5] << 8) | (data[6] << 16));
      facts.height = 1 + (data[7] | (data[8] << 8) | (data[9] << 16));
    } else if (type === "VP8 " && facts.width === null && data.length >= 10 && data[3] === 0x9d && data[4] === 0x01 && data[5] === 0x2a) {
      facts.width = u16le(data, 6) & 0x3fff;
      facts.height = u16le(data, 8) & 0x3fff;
    } else if (type === "VP8L" && facts.width === null && data.length >= 5 && data[0] === 0x2f) {
      const bits = u32le(data, 1);
      facts.width = (bits & 0x3fff) + 1;
      facts.height = ((bits >>> 14) & 0x3fff) + 1;
    } else if (type === "EXIF") exif = data;
    else if (type === "XMP ") xmp = data;
    at += 8 + length + (length & 1);
  }
  Object.assign(facts, orientationOf(exif, xmp));
}

/**
 * A BMP's size as Pillow reads it (a core header's 16-bit fields; a negative height is top-down).
 * @param {Uint8Array} bytes
 * @param {Facts} facts
 */
function bmp(bytes, facts) {
  facts.kind = "bmp";
  if (bytes.length < 18) return;
  const header = u32le(bytes, 14);
  if (header === 12 && bytes.length >= 22) { facts.width = u16le(bytes, 18); facts.height = u16le(bytes, 20); }
  else if ([40, 52, 56, 64, 108, 124].includes(header) && bytes.length >= 26) {
    facts.width = u32le(bytes, 18);
    const height = u32le(bytes, 22);
    facts.height = bytes[25] === 0xff ? 2 ** 32 - height : height;
  }
}

/**
 * An AVIF's size: the largest ``ispe`` (image spatial extents) under ``meta/iprp/ipco``, which is
 * the primary image's (an alpha plane has the same, a thumbnail less).
 * @param {Uint8Array} bytes
 * @param {Facts} facts
 */
function avif(bytes, facts) {
  facts.kind = "avif";
  for (let at = 0; at < bytes.length;) { // every top-level box must be whole
    const size = u32be(bytes, at);
    const whole = size === 1 && at + 16 <= bytes.length ? u32be(bytes, at + 8) * 2 ** 32 + u32be(bytes, at + 12) : size === 0 ? bytes.length - at : size;
    if (at + 8 > bytes.length || whole < 8 || at + whole > bytes.length) { facts.cut = true; break; }
    at += whole;
  }
  const meta = box(bytes, 0, bytes.length, "meta");
  const iprp = meta && box(bytes, meta.start + 4, meta.end, "iprp"); // meta is a full box
  const ipco = iprp && box(bytes, iprp.start, iprp.end, "ipco");
  if (!ipco) return;
  // An alpha plane is an auxiliary image whose auxC property names alpha (AV1's or HEVC's URN).
  const properties = ascii(bytes, ipco.start, ipco.end - ipco.start);
  facts.alpha = properties.includes("auxC") && /auxiliary:alpha|auxid:1/.test(properties);
  for (let at = ipco.start; at + 8 <= ipco.end;) {
    const size = u32be(bytes, at);
    if (size < 8 || at + size > ipco.end) break;
    if (ascii(bytes, at + 4, 4) === "ispe" && size >= 20) {
      const w = u32be(bytes, at + 12), h = u32be(bytes, at + 16);
      if (facts.width === null || w * h > facts.width * /** @type {number} */ (facts.height)) { facts.width = w; facts.height = h; }
    }
    at += size;
  }
}

/**
 * The first box of a type among the boxes in [from, to) of an ISO BMFF file.
 * @param {Uint8Array} bytes
 * @param {number} from
 * @param {number} to
 * @param {string} type
 * @returns {{start: number, end: number} | null} Its contents' extent.
 */
function box(bytes, from, to, type) {
  for (let at = from; at + 8 <= to;) {
    let size = u32be(bytes, at);
    let head = 8;
    if (size === 1 && at + 16 <= to) { size = u32be(bytes, at + 8) * 2 ** 32 + u32be(bytes, at + 12); head = 16; }
    else if (size === 0) size = to - at;
    if (size < head) return null;
    if (ascii(bytes, at + 4, 4) === type) return { start: at + head, end: Math.min(at + size, to) };
    at += size;
  }
  return null;
}

/**
 * @param {Uint8Array[]} parts
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
