// @ts-check
/**
 * BMPs decoded here as Pillow's BmpImagePlugin reads them, for every layout it reads: OS/2 and
 * Windows headers, 1/4/8-bit palettes (raw or RLE), 16-bit (5-5-5, or 5-6-5 bit fields, scaled
 * as Pillow scales them), 24-bit, 32-bit without bit fields as RGB (its fourth byte is not alpha,
 * where a browser may take it as alpha) and with Pillow's bit-field masks (with alpha, over white).
 * What Pillow refuses (another depth, compression or mask) is refused with its reason.
 * @module photo/bmp
 */

import { overWhite } from "./pixels.js";

// Pillow's 32-bit masks (red, green, blue, alpha); all zero means BGRA.
const MASKS32 = ["ff0000,ff00,ff,0", "ff000000,ff0000,ff00,0", "ff000000,ff00,ff,0", "ff000000,ff0000,ff00,ff",
  "ff,ff00,ff0000,ff000000", "ff0000,ff00,ff,ff000000", "ff000000,ff00,ff,ff0000", "0,0,0,0"];
const HEADERS = [12, 40, 52, 56, 64, 108, 124];

/**
 * Decode a BMP to RGB as the library reads it.
 * @param {Uint8Array} bytes The whole file.
 * @returns {{rgb: Uint8Array, width: number, height: number}}
 * @throws {Error} A layout Pillow refuses, or pixel data cut short (Pillow's words).
 */
export function decodeBmp(bytes) {
  if (bytes.length < 26) throw new Error("Truncated File Read");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = view.getUint32(14, true);
  if (!HEADERS.includes(header)) throw new Error(`Unsupported BMP header type (${header})`);
  if (bytes.length < 14 + header) throw new Error("Truncated File Read");
  const core = header === 12;
  const width = core ? view.getUint16(18, true) : view.getUint32(18, true);
  const topDown = !core && bytes[25] === 0xff;
  const height = core ? view.getUint16(20, true) : topDown ? 2 ** 32 - view.getUint32(22, true) : view.getUint32(22, true);
  const bits = view.getUint16(core ? 24 : 28, true);
  const compression = core ? 0 : view.getUint32(30, true);
  const colors = (!core && view.getUint32(46, true)) || 2 ** bits;
  const padding = core ? 3 : 4;
  let offset = view.getUint32(10, true);
  if (offset === 14 + header && bits <= 8) offset += padding * colors;
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw new Error(`Unsupported BMP pixel depth (${bits})`);

  /** @type {number[] | null} byte of red, green, blue, alpha in a pixel (alpha -1: none) */
  let order = bits === 24 || bits === 32 ? [2, 1, 0, -1] : null;
  let sixteen = bits === 16 ? "555" : "";
  if (compression === 3) {
    const masks = [0, 1, 2, 3].map((k) => (k < 3 || header >= 56 ? (54 + 4 * k + 4 <= bytes.length ? view.getUint32(54 + 4 * k, true) : 0) : 0));
    const key = masks.map((m) => m.toString(16)).join(",");
    if (bits === 32 && MASKS32.includes(key)) {
      order = key === "0,0,0,0" ? [2, 1, 0, 3] : masks.map((m) => (m ? Math.log2(m) / 8 | 0 : -1));
    } else if (bits === 24 && key.startsWith("ff0000,ff00,ff,")) order = [2, 1, 0, -1];
    else if (bits === 16 && key.startsWith("f800,7e0,1f,")) sixteen = "565";
    else if (!(bits === 16 && key.startsWith("7c00,3e0,1f,"))) throw new Error("Unsupported BMP bitfields layout");
  } else if (compression !== 0 && !((compression === 1 || compression === 2) && bits <= 8)) {
    throw new Error(`Unsupported BMP compression (${compression})`);
  }

  /** @type {Uint8Array | null} the palette as RGB, 256 entries (past the file's: black) */
  let palette = null;
  if (bits <= 8) {
    if (!(colors > 0 && colors <= 65536)) throw new Error(`Unsupported BMP Palette size (${colors})`);
    palette = new Uint8Array(256 * 3);
    const start = 14 + header;
    for (let i = 0; i < Math.min(colors, 256) && start + i * padding + 3 <= bytes.length; i++) {
      palette.set([bytes[start + i * padding + 2], bytes[start + i * padding + 1], bytes[start + i * padding]], 3 * i);
    }
  }

  const rgb = new Uint8Array(width * height * 3);
  if (compression === 1 || compression === 2) {
    const indices = rle(bytes, offset, width, height, compression === 2);
    for (let y = 0; y < height; y++) { // rows come bottom-up
      for (let x = 0; x < width; x++) rgb.set(/** @type {Uint8Array} */ (palette).subarray(3 * indices[y * width + x], 3 * indices[y * width + x] + 3), 3 * ((height - 1 - y) * width + x));
    }
    return { rgb, width, height };
  }
  const stride = ((width * bits + 31) >> 3) & ~3;
  if (offset + stride * height > bytes.length) throw new Error("image file is truncated");
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const bit = x * bits;
        const index = (bytes[row + (bit >> 3)] >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
        rgb[o] = palette[3 * index]; rgb[o + 1] = palette[3 * index + 1]; rgb[o + 2] = palette[3 * index + 2];
      } else if (sixteen) {
        const v = bytes[row + 2 * x] | (bytes[row + 2 * x + 1] << 8);
        const green = sixteen === "565" ? Math.floor(((v >> 5) & 63) * 255 / 63) : Math.floor(((v >> 5) & 31) * 255 / 31);
        rgb[o] = Math.floor(((v >> (sixteen === "565" ? 11 : 10)) & 31) * 255 / 31); rgb[o + 1] = green; rgb[o + 2] = Math.floor((v & 31) * 255 / 31);
      } else {
        const p = row + x * (bits >> 3), at = /** @type {number[]} */ (order);
        const a = at[3] < 0 ? 255 : bytes[p + at[3]];
        for (let c = 0; c < 3; c++) rgb[o + c] = a === 255 ? bytes[p + at[c]] : overWhite(bytes[p + at[c]], a);
      }
    }
  }
  return { rgb, width, height };
}

/**
 * Run-length-encoded palette indices (RLE8, or RLE4 with ``four``), as Pillow's BmpRleDecoder reads
 * them: skipped pixels are index 0, and data that stops before the image is full is refused.
 * @param {Uint8Array} bytes
 * @param {number} at Where the pixel data starts.
 * @param {number} width
 * @param {number} height
 * @param {boolean} four
 * @returns {Uint8Array} The indices, bottom row first.
 */
function rle(bytes, at, width, height, four) {
  const total = width * height;
  const data = new Uint8Array(total);
  let n = 0, x = 0;
  while (n < total) {
    if (at + 2 > bytes.length) break;
    const count = bytes[at], value = bytes[at + 1];
    at += 2;
    if (count) {
      const run = x + count > width ? Math.max(0, width - x) : count;
      for (let i = 0; i < run && n < total; i++) data[n++] = four ? (i % 2 ? value & 15 : value >> 4) : value;
      x += run;
    } else if (value === 0) {
      n = Math.ceil(n / width) * width; // end of line: the rest of the row is index 0
      x = 0;
    } else if (value === 1) break;
    else if (value === 2) {
      if (at + 2 > bytes.length) break;
      n += Math.min(total - n, bytes[at] + bytes[at + 1] * width);
      at += 2;
      x = n % width;
    } else {
      const wanted = Math.min(total - n, value);
      const span = four ? (wanted + 1) >> 1 : wanted;
      const got = Math.min(span, bytes.length - at);
      for (let i = 0; i < got; i++) {
        if (four) { data[n++] = bytes[at + i] >> 4; if (i * 2 + 1 < wanted) data[n++] = bytes[at + i] & 15; }
        else data[n++] = bytes[at + i];
      }
      at += got;
      if (got < span || n === total) break;
      x += value;
      if (at % 2) at++; // absolute runs are padded to 16 bits
    }
  }
  if (n < total) throw new Error("not enough image data");
  return data;
}
