// @ts-check
/**
 * The EXIF orientation (1–8) as Pillow's ``getexif()`` reads it: IFD0's tag 0x0112 from a TIFF
 * block (a JPEG's APP1, a PNG's ``eXIf``, a WebP's ``EXIF``), else ``tiff:Orientation`` from XMP.
 * @module photo/exif
 */

/** @typedef {{orientation: number, problem: string | null}} Orientation */

const TAG = 0x0112;
const INT_TYPES = new Map([[3, 2], [4, 4], [8, 2], [9, 4]]); // SHORT, LONG, SSHORT, SLONG: their sizes

/**
 * Read IFD0's orientation from a TIFF block (a leading ``Exif\0\0``, once or twice, is skipped as
 * Pillow does). A block Pillow cannot read as TIFF gives ``problem``; a cut IFD gives what it holds.
 * @param {Uint8Array | null} block
 * @returns {Orientation | null} null when the block holds no orientation.
 */
export function exifOrientation(block) {
  if (!block) return null;
  let start = 0;
  for (let k = 0; k < 2 && ascii(block, start, 6) === "Exif\0\0"; k++) start += 6;
  const data = block.subarray(start);
  if (data.length === 0) return null;
  const head = ascii(data, 0, 4);
  const little = head === "II*\0" || head === "II\0*";
  if (!little && head !== "MM\0*" && head !== "MM*\0") {
    return { orientation: 1, problem: "not a TIFF file" };
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 8) return { orientation: 1, problem: "not a TIFF file" };
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > data.length) return null; // Pillow warns and reads no tags
  const count = view.getUint16(ifd, little);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > data.length) return null;
    if (view.getUint16(entry, little) !== TAG) continue;
    const type = view.getUint16(entry + 2, little);
    const n = view.getUint32(entry + 4, little);
    const size = INT_TYPES.get(type);
    if (size === undefined || n !== 1) return { orientation: 1, problem: null }; // not one integer: Pillow transposes nothing
    const value = size === 2 ? (type === 8 ? view.getInt16(entry + 8, little) : view.getUint16(entry + 8, little))
      : (type === 9 ? view.getInt32(entry + 8, little) : view.getUint32(entry + 8, little));
    return { orientation: value, problem: null };
  }
  return null;
}

/**
 * ``tiff:Orientation`` in an XMP packet, as Pillow looks for it when EXIF has none.
 * @param {Uint8Array | null} xmp
 * @returns {number | null}
 */
export function xmpOrientation(xmp) {
  if (!xmp) return null;
  const match = /tiff:Orientation(="|>)([0-9])/.exec(new TextDecoder("latin1").decode(xmp));
  return match ? Number(match[2]) : null;
}

/**
 * The orientation Pillow's ``exif_transpose`` applies, from a file's EXIF and XMP.
 * @param {Uint8Array | null} exif
 * @param {Uint8Array | null} xmp
 * @returns {Orientation}
 */
export function orientationOf(exif, xmp) {
  let read = null;
  try {
    read = exifOrientation(exif);
  } catch {
    read = { orientation: 1, problem: "its EXIF block is cut short" };
  }
  if (read) return read;
  return { orientation: xmpOrientation(xmp) ?? 1, problem: null };
}

/**
 * Bytes as Latin-1 text (for signatures).
 * @param {Uint8Array} bytes
 * @param {number} at
 * @param {number} n
 * @returns {string}
 */
export function ascii(bytes, at, n) {
  let text = "";
  for (let i = at; i < at + n && i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}
