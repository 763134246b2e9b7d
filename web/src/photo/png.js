// @ts-check
/**
 * A PNG decoded here, not by the browser, since a canvas premultiplies alpha and reduces 16-bit
 * samples its own way: zlib through ``DecompressionStream``, the five filters, Adam7, every bit
 * depth and colour type, then the library's conversion to RGB (Pillow's modes: 16-bit colour keeps
 * the high byte, 16-bit grey is scaled, palette and ``tRNS`` alpha and grey + alpha go over white, a
 * ``tRNS`` colour key on grey or RGB keeps the stored colour).
 * @module photo/png
 */

import { concat, pngChunks } from "./inspect.js";
import { overWhite, scale16 } from "./pixels.js";
import { crc32 } from "../crc32.js";

/** A file Pillow cannot open as a PNG: the library says it "is not an image that can be read". */
export class NotAnImage extends Error {}

const CHANNELS = /** @type {Record<number, number>} */ ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 });
const DEPTHS = /** @type {Record<number, number[]>} */ ({ 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] });
// Adam7: each pass's first column, first row, column step, row step.
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/**
 * Decode a PNG to RGB as the library reads it (before its EXIF orientation).
 * @param {Uint8Array} bytes The whole file.
 * @param {AbortSignal} [signal]
 * @returns {Promise<{rgb: Uint8Array, width: number, height: number}>}
 * @throws {NotAnImage} Where Pillow cannot open it (a bad header or checksum before the image data).
 * @throws {Error} Where Pillow opens it but cannot decode it (its message says why).
 */
export async function decodePng(bytes, signal) {
  /** @type {{width: number, height: number, depth: number, type: number, interlaced: boolean} | null} */
  let header = null;
  /** @type {Uint8Array | null} */
  let palette = null;
  /** @type {Uint8Array | null} */
  let trns = null;
  /** @type {Uint8Array[]} */
  const idat = [];
  let inData = false;
  for (const chunk of pngChunks(bytes)) {
    if (!header) {
      if (chunk.type !== "IHDR" || !chunk.whole || chunk.data.length < 13) throw new NotAnImage("no IHDR");
      const d = chunk.data;
      header = { width: u32(d, 0), height: u32(d, 4), depth: d[8], type: d[9], interlaced: d[12] !== 0 };
      if (d[11] !== 0) throw new NotAnImage("unknown filter category");
    }
    if (chunk.type === "IDAT") {
      if (idat.length && !inData) continue; // a second run of IDAT after other chunks is not read
      inData = true;
      idat.push(chunk.data);
      continue;
    }
    if (!idat.length) {
      // Before the image data Pillow checks every chunk's CRC, and fails to open on a bad one.
      const end = chunk.at + 12 + chunk.data.length;
      if (!chunk.whole || end > bytes.length || crc32(bytes.subarray(chunk.at + 4, end - 4)) !== u32(bytes, end - 4)) {
        throw new NotAnImage(`broken PNG file (bad header checksum in ${chunk.type})`);
      }
      if (chunk.type === "PLTE") palette = chunk.data;
      if (chunk.type === "tRNS") trns = chunk.data;
      if (chunk.type === "IEND") break;
    } else {
      inData = false;
      if (!chunk.whole && chunk.type !== "IEND") throw new Error("Truncated File Read");
    }
  }
  if (!header) throw new NotAnImage("no IHDR");
  const { width, height, depth, type } = header;
  if (!(DEPTHS[type] ?? []).includes(depth)) throw new NotAnImage(`unknown PNG mode (bit depth ${depth}, colour type ${type})`);
  if (!idat.length) throw new Error("image file is truncated");
  const channels = CHANNELS[type];
  const bitsPerPixel = channels * depth;
  const passes = header.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const sizes = passes.map(([x0, y0, dx, dy]) => [Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)]);
  const needed = sizes.reduce((n, [w, h]) => n + (w && h ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0), 0);
  const raw = await inflate(concat(idat), needed, signal);

  // Samples in full resolution (palette indices for colour type 3), each row unfiltered in place.
  const samples = depth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  const stride = Math.max(1, bitsPerPixel >> 3);
  let at = 0;
  passes.forEach(([x0, y0, dx, dy], p) => {
    const [pw, ph] = sizes[p];
    if (!pw || !ph) return;
    const rowBytes = Math.ceil((pw * bitsPerPixel) / 8);
    let previous = -1;
    for (let r = 0; r < ph; r++) {
      const start = at + 1;
      unfilter(raw[at], raw, start, previous, rowBytes, stride);
      previous = start;
      at = start + rowBytes;
      const y = y0 + r * dy;
      if (dx === 1 && depth === 8) { samples.set(raw.subarray(start, at), y * width * channels); continue; }
      for (let c = 0; c < pw; c++) {
        const base = (y * width + x0 + c * dx) * channels;
        for (let k = 0; k < channels; k++) {
          const n = c * channels + k;
          if (depth === 8) samples[base + k] = raw[start + n];
          else if (depth === 16) samples[base + k] = (raw[start + 2 * n] << 8) | raw[start + 2 * n + 1];
          else {
            const bit = n * depth;
            samples[base + k] = (raw[start + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
          }
        }
      }
    }
  });
  return { rgb: toRgb(samples, width, height, depth, type, palette, trns), width, height };
}

/**
 * Undo a row's filter in place.
 * @param {number} filter
 * @param {Uint8Array} raw The inflated data.
 * @param {number} row Where the row's bytes start in ``raw``.
 * @param {number} up Where the previous row (already unfiltered) starts, or -1 for the first row.
 * @param {number} n The row's length.
 * @param {number} bpp Bytes per complete pixel (at least 1).
 */
function unfilter(filter, raw, row, up, n, bpp) {
  const end = row + n, first = Math.min(row + bpp, end);
  if (up < 0 && filter >= 2) { // no row above: Up is nothing, Average halves the left, Paeth is Sub
    if (filter === 2) return;
    if (filter === 3) { for (let i = first; i < end; i++) raw[i] = (raw[i] + (raw[i - bpp] >> 1)) & 255; return; }
    if (filter === 4) filter = 1;
  }
  const d = row - up; // from a byte to the one above it
  switch (filter) {
    case 0: return;
    case 1: for (let i = first; i < end; i++) raw[i] = (raw[i] + raw[i - bpp]) & 255; return;
    case 2: for (let i = row; i < end; i++) raw[i] = (raw[i] + raw[i - d]) & 255; return;
    case 3:
      for (let i = row; i < first; i++) raw[i] = (raw[i] + (raw[i - d] >> 1)) & 255;
      for (let i = first; i < end; i++) raw[i] = (raw[i] + ((raw[i - bpp] + raw[i - d]) >> 1)) & 255;
      return;
    case 4:
      for (let i = row; i < first; i++) raw[i] = (raw[i] + raw[i - d]) & 255; // left and upper left are 0: Paeth picks above
      for (let i = first; i < end; i++) {
        const a = raw[i - bpp], b = raw[i - d], c = raw[i - d - bpp];
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        raw[i] = (raw[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
      return;
    default: throw new Error(`unknown filter type ${filter}`);
  }
}

/**
 * The library's RGB from a PNG's samples (Pillow's mode for its type and depth, then ``_rgb``).
 * @param {Uint8Array | Uint16Array} s
 * @param {number} width
 * @param {number} height
 * @param {number} depth
 * @param {number} type
 * @param {Uint8Array | null} palette
 * @param {Uint8Array | null} trns
 * @returns {Uint8Array}
 */
function toRgb(s, width, height, depth, type, palette, trns) {
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const shift = depth === 16 ? 8 : 0; // Pillow's ";16B" raw modes keep the high byte
  if (type === 0) {
    const grey = s instanceof Uint16Array ? scale16(s) : s.map((v) => v * (255 / ((1 << depth) - 1)));
    for (let i = 0; i < n; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
  } else if (type === 2) {
    for (let i = 0; i < 3 * n; i++) rgb[i] = s[i] >> shift;
  } else if (type === 3) {
    if (!palette) throw new Error("missing palette");
    const entries = Math.floor(palette.length / 3);
    const table = new Uint8Array(256 * 3); // indices past the palette are black, as in Pillow
    table.set(palette.subarray(0, Math.min(entries, 256) * 3));
    const alpha = new Uint8Array(256).fill(255);
    if (trns) alpha.set(trns.subarray(0, 256));
    for (let i = 0; i < n; i++) {
      const e = s[i], a = alpha[e];
      for (let c = 0; c < 3; c++) rgb[3 * i + c] = a === 255 ? table[3 * e + c] : overWhite(table[3 * e + c], a);
    }
  } else {
    const colours = type === 4 ? 1 : 3;
    const channels = colours + 1;
    for (let i = 0; i < n; i++) {
      const a = s[channels * i + colours] >> shift;
      for (let c = 0; c < 3; c++) {
        const v = s[channels * i + (colours === 1 ? 0 : c)] >> shift;
        rgb[3 * i + c] = a === 255 ? v : overWhite(v, a);
      }
    }
  }
  return rgb;
}

/**
 * Inflate a zlib stream until ``needed`` bytes have come out; the rest (or a broken end) is not
 * read, as Pillow stops once the image is complete.
 * @param {Uint8Array<ArrayBuffer>} data
 * @param {number} needed
 * @param {AbortSignal} [signal]
 * @returns {Promise<Uint8Array>}
 */
async function inflate(data, needed, signal) {
  const out = new Uint8Array(needed);
  let got = 0;
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  try {
    while (got < needed) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      out.set(value.subarray(0, needed - got), got);
      got += Math.min(value.length, needed - got);
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (got < needed) throw new Error(`broken data stream when reading image file`);
  } finally {
    reader.cancel().catch(() => {});
  }
  signal?.throwIfAborted();
  if (got < needed) throw new Error("image file is truncated");
  return out;
}

/** @param {Uint8Array} b @param {number} i */
function u32(b, i) {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}
