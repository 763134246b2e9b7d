// @ts-check
/**
 * 24- and 32-bit BMPs decoded here as Pillow reads them: a 32-bit BMP without bit fields is RGB
 * (its fourth byte is not alpha, where a browser may take it as alpha), one with bit fields follows
 * Pillow's table of masks (with alpha, over white). Other BMPs (palette, 16-bit, RLE) are opaque,
 * and the browser decodes them.
 * @module photo/bmp
 */

import { overWhite } from "./pixels.js";

// Pillow's 32-bit masks (red, green, blue, alpha); all zero means BGRA.
const MASKS32 = ["ff0000,ff00,ff,0", "ff000000,ff0000,ff00,0", "ff000000,ff00,ff,0", "ff000000,ff0000,ff00,ff",
  "ff,ff00,ff0000,ff000000", "ff0000,ff00,ff,ff000000", "ff000000,ff00,ff,ff0000", "0,0,0,0"];

/**
 * Decode a BMP to RGB, or say that the browser should (null).
 * @param {Uint8Array} bytes The whole file.
 * @param {number} width From the header (see ``inspect``).
 * @param {number} height
 * @returns {Uint8Array | null}
 * @throws {Error} A layout Pillow refuses, or pixel data cut short.
 */
export function decodeBmp(bytes, width, height) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = view.getUint32(14, true);
  if (![40, 52, 56, 64, 108, 124].includes(header) || bytes.length < 14 + header) return null;
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const topDown = bytes[25] === 0xff;
  /** @type {number[]} byte of red, green, blue, alpha in a pixel (alpha -1: none) */
  let order;
  if (compression === 0 && bits === 24) order = [2, 1, 0, -1];
  else if (compression === 0 && bits === 32) order = [2, 1, 0, -1];
  else if (compression === 3 && bits === 32) {
    const masks = [0, 1, 2, 3].map((k) => (k < 3 || header >= 56 ? view.getUint32(54 + 4 * k, true) : 0));
    const key = masks.map((m) => m.toString(16)).join(",");
    if (!MASKS32.includes(key)) throw new Error("Unsupported BMP bitfields layout");
    order = key === "0,0,0,0" ? [2, 1, 0, 3] : masks.map((m) => (m ? Math.log2(m) / 8 | 0 : -1));
    if (masks[3] === 0 && key !== "0,0,0,0") order[3] = -1;
  } else return null;
  const offset = view.getUint32(10, true);
  const stride = ((width * bits + 31) >> 3) & ~3;
  const step = bits >> 3;
  if (offset + stride * height > bytes.length) throw new Error("image file is truncated");
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const p = row + x * step, o = (y * width + x) * 3;
      const a = order[3] < 0 ? 255 : bytes[p + order[3]];
      for (let c = 0; c < 3; c++) rgb[o + c] = a === 255 ? bytes[p + order[c]] : overWhite(bytes[p + order[c]], a);
    }
  }
  return rgb;
}
