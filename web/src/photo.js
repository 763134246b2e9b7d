// @ts-check
/**
 * A visitor's photo as RGB pixels, read as the library reads it (Pillow, ``ImageOps.exif_transpose``,
 * then ``convert("RGB")`` with transparency over white). The file's kind and size come from its
 * header before anything is decoded, so the library's limits apply to every format; a JPEG's image
 * ends at its EOI (a motion photo's video after it is ignored, a JPEG with no EOI is refused as
 * Pillow refuses it). PNGs and BMPs are decoded here, exactly; other formats by the
 * browser, given the file without its EXIF orientation, which is then applied here, so it never
 * depends on the browser. A photo larger than this page decodes in full is decoded downscaled by
 * the browser, so memory stays bounded; the page then says its answer may differ a little. DOM-free:
 * it runs in a Web Worker as well.
 * @module photo
 */

import { decodeBmp } from "./photo/bmp.js";
import { concat, inspect, pngChunks, profileOrientation } from "./photo/inspect.js";
import { orient, rgbaOverWhite } from "./photo/pixels.js";
import { NotAnImage, decodePng } from "./photo/png.js";

export { inspect } from "./photo/inspect.js";

/** @typedef {{rgb: Uint8Array, width: number, height: number, note: string}} Pixels */
/** @typedef {import("./photo/inspect.js").Facts} Facts */

export const DECODE_LIMIT = 16_000_000; // pixels decoded in full; above, the browser downscales while decoding
const READABLE = "JPEG, PNG, WebP, GIF or BMP";

/**
 * Check a file before decoding it, with the library's words.
 * @param {Facts} facts
 * @param {string} name
 * @param {{max_pixels: number, max_aspect: number}} limits The library's limits (catalog.json).
 * @throws {Error} One sentence: what is wrong with the file and what to do.
 */
export function check(facts, name, limits) {
  if (facts.kind === "heic") {
    throw new Error(`${name} is a HEIC photo, which browsers cannot decode; export it as JPEG (on an iPhone: Settings › Camera › Formats › Most Compatible) and try again.`);
  }
  if (facts.kind === "tiff") {
    throw new Error(`${name} is a TIFF, which browsers cannot decode; save it as PNG or JPEG, or use the Python app.`);
  }
  if (facts.kind === "unknown") throw new Error(`${name} is not an image that can be read; use a ${READABLE} file.`);
  if (facts.kind === "jpeg" && facts.end === null) {
    throw new Error(`${name} is damaged or truncated and cannot be decoded (its image data ends before its end marker); try another copy of the image.`);
  }
  if (facts.cut) throw new Error(`${name} is damaged or truncated and cannot be decoded (it ends before its image data does); try another copy of the image.`);
  const { width: w, height: h } = facts;
  if (w === null || h === null) {
    throw new Error(`${name} is damaged or truncated and cannot be decoded (its header does not give its size); try another copy of the image.`);
  }
  if (w < 1 || h < 1) throw new Error(`${name} has no pixels (${w}x${h}); use another image.`);
  if (w * h > limits.max_pixels) {
    throw new Error(`${name} is ${w}x${h} pixels, more than the limit of ${Math.round(limits.max_pixels / 1e6)} megapixels; use a smaller image.`);
  }
  if (Math.max(w, h) > limits.max_aspect * Math.min(w, h)) throw new Error(`${name} is too elongated (${w}x${h}) to classify; crop it closer to the subject.`);
  if (facts.kind === "avif" && facts.alpha) {
    throw new Error(`${name} is an AVIF with transparency, which this browser does not decode exactly as the Python app does; save it as PNG or WebP, or use the Python app.`);
  }
  if (facts.kind === "jpeg" && facts.components === 4) {
    throw new Error(`${name} is a CMYK JPEG (print colours), which this page cannot turn into screen colours exactly as the Python app does; save it as an RGB JPEG, or use the Python app.`);
  }
}

/**
 * Decode a photo to upright RGB pixels.
 * @param {Blob} file
 * @param {string} name What messages call it.
 * @param {{max_pixels: number, max_aspect: number}} limits
 * @param {AbortSignal} [signal] Stops the work; the promise then rejects with the signal's reason.
 * @returns {Promise<Pixels>}
 * @throws {Error} One sentence (see {@link check}), or why it could not be decoded.
 */
export async function readPhoto(file, name, limits, signal) {
  signal?.throwIfAborted();
  const bytes = new Uint8Array(await file.arrayBuffer());
  signal?.throwIfAborted();
  const facts = inspect(bytes);
  check(facts, name, limits);
  if (facts.profile) { // a compressed raw profile: inflated (Pillow reads a broken one as empty)
    const text = await inflated(facts.profile.z).then((b) => new TextDecoder("latin1").decode(b), () => "");
    signal?.throwIfAborted();
    Object.assign(facts, profileOrientation(text, facts.profile.xmp));
  }
  const width = /** @type {number} */ (facts.width), height = /** @type {number} */ (facts.height);
  const notes = [];
  if (facts.problem) {
    notes.push(`${name}: its EXIF orientation could not be read (${facts.problem}), so it is used as stored, possibly rotated; rotate the file itself if the picture lies on its side.`);
  }
  const full = width * height <= DECODE_LIMIT;
  /** @type {{rgb: Uint8Array, width: number, height: number} | null} */
  let decoded = null;
  try {
    if (full && facts.kind === "png") decoded = await decodePng(bytes, signal);
    if (full && facts.kind === "bmp") decoded = decodeBmp(bytes);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof NotAnImage) throw new Error(`${name} is not an image that can be read; use a ${READABLE} file.`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${name} is damaged or truncated and cannot be decoded (${reason}); try another copy of the image.`);
  }
  signal?.throwIfAborted();
  if (!decoded) {
    if (!full) {
      notes.push(`${name} has ${(width * height / 1e6).toFixed(0)} megapixels, so this page decoded it at ${(DECODE_LIMIT / 1e6).toFixed(0)}; its answer may differ a little from the Python app's.`);
    }
    decoded = await decodeInBrowser(forBrowser(file, bytes, facts), width, height, full, name, signal);
    if (full && facts.backdrop) paintAround(decoded.rgb, width, height, facts.backdrop);
  }
  const upright = orient(decoded.rgb, decoded.width, decoded.height, facts.orientation);
  return { ...upright, note: notes.join(" ") };
}

/**
 * The browser's decoding of a file (downscaled to {@link DECODE_LIMIT} pixels unless ``full``),
 * as RGB over white.
 * @param {Blob} blob
 * @param {number} width The stored size, from the header.
 * @param {number} height
 * @param {boolean} full
 * @param {string} name
 * @param {AbortSignal} [signal]
 * @returns {Promise<{rgb: Uint8Array, width: number, height: number}>}
 */
async function decodeInBrowser(blob, width, height, full, name, signal) {
  /** @type {ImageBitmapOptions} */
  const options = { imageOrientation: "from-image", colorSpaceConversion: "none", premultiplyAlpha: "none" };
  if (!full) {
    const scale = Math.sqrt(DECODE_LIMIT / (width * height));
    options.resizeWidth = Math.max(1, Math.floor(width * scale));
    options.resizeHeight = Math.max(1, Math.floor(height * scale));
    options.resizeQuality = "high";
  }
  /** @type {ImageBitmap} */
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, options);
  } catch {
    signal?.throwIfAborted();
    throw new Error(`${name} is damaged or truncated and cannot be decoded; try another copy of the image.`);
  }
  if (signal?.aborted) { bitmap.close(); throw signal.reason; }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: true }));
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  return { rgb: rgbaOverWhite(rgba), width: canvas.width, height: canvas.height };
}

/**
 * A zlib stream inflated.
 * @param {Uint8Array} z
 * @returns {Promise<ArrayBuffer>}
 */
function inflated(z) {
  return new Response(new Blob([new Uint8Array(z)]).stream().pipeThrough(new DecompressionStream("deflate"))).arrayBuffer();
}

/**
 * Paint a colour around a rectangle, as Pillow shows a GIF's first frame smaller than its screen.
 * @param {Uint8Array} rgb
 * @param {number} width
 * @param {number} height
 * @param {{x0: number, y0: number, x1: number, y1: number, rgb: number[]}} backdrop
 */
function paintAround(rgb, width, height, { x0, y0, x1, y1, rgb: colour }) {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (x < x0 || x >= x1 || y < y0 || y >= y1) rgb.set(colour, 3 * (y * width + x));
  }
}

/**
 * The bytes a browser is given: a JPEG up to its EOI without its APP1 (EXIF, XMP) segments, a PNG
 * without its ``eXIf``, a WebP with its ``EXIF`` chunk renamed, so that no browser applies an
 * orientation that this module applies itself.
 * @param {Blob} file
 * @param {Uint8Array} bytes Its bytes.
 * @param {Facts} facts
 * @returns {Blob}
 */
export function forBrowser(file, bytes, facts) {
  if (facts.kind === "jpeg") {
    const end = /** @type {number} */ (facts.end);
    const parts = [];
    let i = 2, from = 0;
    while (i + 4 <= end) {
      if (bytes[i] !== 0xff || bytes[i + 1] === 0xff) { i++; continue; } // junk and fill bytes, as in inspect
      if (bytes[i + 1] === 0xda) break;
      const next = i + 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
      if (bytes[i + 1] === 0xe1) { parts.push(bytes.subarray(from, i)); from = next; }
      i = next;
    }
    parts.push(bytes.subarray(from, end));
    return new Blob([concat(parts)], { type: "image/jpeg" });
  }
  if (facts.kind === "png") {
    const parts = [bytes.subarray(0, 8)];
    for (const chunk of pngChunks(bytes)) {
      if (chunk.type !== "eXIf") parts.push(bytes.subarray(chunk.at, chunk.at + 12 + chunk.data.length));
    }
    return new Blob([concat(parts)], { type: "image/png" });
  }
  if (facts.kind === "webp") {
    const copy = new Uint8Array(bytes);
    for (let at = 12; at + 8 <= copy.length;) {
      const length = (copy[at + 4] | (copy[at + 5] << 8) | (copy[at + 6] << 16) | (copy[at + 7] << 24)) >>> 0;
      if (String.fromCharCode(...copy.subarray(at, at + 4)) === "EXIF") copy.set([0x65, 0x78, 0x69, 0x66], at); // "exif": unknown, skipped
      at += 8 + length + (length & 1);
    }
    return new Blob([copy], { type: "image/webp" });
  }
  return file;
}
