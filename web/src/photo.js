// @ts-check
/**
 * A visitor's photo as RGB pixels, as the library reads it: the file's kind is checked from its
 * bytes, its size from its header before anything is decoded (the library's limits), a JPEG cut
 * short is refused as Pillow refuses it, EXIF orientation is applied, colour values are kept as
 * stored (no colour management, as Pillow does not) and transparency goes over white. A photo
 * larger than this page decodes in full is decoded downscaled by the browser, so memory stays
 * bounded; the page then says that its answer may differ a little from the Python app's.
 * @module photo
 */

/** @typedef {{rgb: Uint8Array, width: number, height: number, note: string}} Pixels */
/** @typedef {{kind: string, width: number | null, height: number | null, rotated: boolean, complete: boolean}} Facts */

export const DECODE_LIMIT = 16_000_000; // pixels decoded in full; above, the browser downscales while decoding
const READABLE = "JPEG, PNG, WebP, GIF or BMP";

/**
 * What a file's first bytes say it is, its size and EXIF rotation where its header gives them, and
 * whether a JPEG reaches its end marker.
 * @param {Uint8Array} bytes The whole file.
 * @returns {Facts}
 */
export function inspect(bytes) {
  const at = (/** @type {number} */ i, /** @type {string} */ text) => [...text].every((c, k) => bytes[i + k] === c.charCodeAt(0));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const facts = { kind: "unknown", width: /** @type {number | null} */ (null), height: /** @type {number | null} */ (null), rotated: false, complete: true };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    facts.kind = "jpeg";
    let end = bytes.length;
    while (end > 2 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x20)) end--;
    facts.complete = bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
    for (let i = 2; i + 9 < bytes.length;) {
      if (bytes[i] !== 0xff) break;
      const marker = bytes[i + 1];
      if (marker === 0xff) { i++; continue; }
      const length = view.getUint16(i + 2);
      if (marker === 0xe1 && at(i + 4, "Exif\0\0")) facts.rotated = exifRotates(bytes, i + 10, length - 8);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        facts.height = view.getUint16(i + 5);
        facts.width = view.getUint16(i + 7);
        break;
      }
      i += 2 + length;
    }
  } else if (at(0, "\x89PNG")) {
    facts.kind = "png";
    if (bytes.length >= 24) { facts.width = view.getUint32(16); facts.height = view.getUint32(20); }
  } else if (at(0, "GIF8")) {
    facts.kind = "gif";
    if (bytes.length >= 10) { facts.width = view.getUint16(6, true); facts.height = view.getUint16(8, true); }
  } else if (at(0, "RIFF") && at(8, "WEBP")) {
    facts.kind = "webp";
  } else if (at(0, "BM")) {
    facts.kind = "bmp";
    if (bytes.length >= 26) { facts.width = Math.abs(view.getInt32(18, true)); facts.height = Math.abs(view.getInt32(22, true)); }
  } else if (at(4, "ftyp")) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    facts.kind = ["avif", "avis"].includes(brand) ? "avif" : ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].includes(brand) ? "heic" : "unknown";
  }
  return facts;
}

/**
 * Whether an EXIF block's orientation (5–8) swaps width and height.
 * @param {Uint8Array} bytes
 * @param {number} start The TIFF header's offset.
 * @param {number} length
 * @returns {boolean}
 */
function exifRotates(bytes, start, length) {
  if (length < 8 || start + length > bytes.length) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, length);
  const little = view.getUint16(0) === 0x4949;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > length) return false;
  const count = view.getUint16(ifd, little);
  for (let k = 0; k < count && ifd + 2 + 12 * (k + 1) <= length; k++) {
    const entry = ifd + 2 + 12 * k;
    if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 8, little) >= 5;
  }
  return false;
}

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
  if (facts.kind === "unknown") throw new Error(`${name} is not an image that can be read; use a ${READABLE} file.`);
  if (!facts.complete) throw new Error(`${name} is damaged or truncated and cannot be decoded (it ends before its last marker); try another copy of the image.`);
  const { width: w, height: h } = facts;
  if (w === null || h === null) return;
  if (w < 1 || h < 1) throw new Error(`${name} has no pixels (${w}x${h}); use another image.`);
  if (w * h > limits.max_pixels) {
    throw new Error(`${name} is ${w}x${h} pixels, more than the limit of ${Math.round(limits.max_pixels / 1e6)} megapixels; use a smaller image.`);
  }
  if (Math.max(w, h) > limits.max_aspect * Math.min(w, h)) throw new Error(`${name} is too elongated (${w}x${h}) to classify; crop it closer to the subject.`);
}

/**
 * Decode a photo to RGB pixels.
 * @param {Blob} file
 * @param {string} name What messages call it.
 * @param {{max_pixels: number, max_aspect: number}} limits
 * @returns {Promise<Pixels>}
 * @throws {Error} One sentence (see :func:`check`), or that the browser could not decode it.
 */
export async function readPhoto(file, name, limits) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const facts = inspect(bytes);
  check(facts, name, limits);
  /** @type {ImageBitmapOptions} */
  const options = { imageOrientation: "from-image", colorSpaceConversion: "none", premultiplyAlpha: "none" };
  let note = "";
  if (facts.width && facts.height && facts.width * facts.height > DECODE_LIMIT) {
    const scale = Math.sqrt(DECODE_LIMIT / (facts.width * facts.height));
    options.resizeWidth = Math.floor((facts.rotated ? facts.height : facts.width) * scale);
    options.resizeQuality = "high";
    note = `${name} has ${(facts.width * facts.height / 1e6).toFixed(0)} megapixels, so this page decoded it at ${(DECODE_LIMIT / 1e6).toFixed(0)}; its answer may differ a little from the Python app's.`;
  }
  /** @type {ImageBitmap} */
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, options);
  } catch {
    throw new Error(`${name} is damaged or truncated and cannot be decoded; try another copy of the image.`);
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: true }));
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    const a = rgba[i + 3];
    for (let c = 0; c < 3; c++) rgb[j + c] = a === 255 ? rgba[i + c] : Math.round((rgba[i + c] * a + 255 * (255 - a)) / 255);
  }
  return { rgb, width, height, note };
}
