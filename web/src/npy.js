// @ts-check
/**
 * A float32 array as the bytes ``numpy.save`` writes (format 1.0: the magic, the header's length, a
 * Python dict literal padded with spaces to a multiple of 64 bytes and ended by a line feed, then the
 * little-endian data), so the map a visitor downloads loads with ``numpy.load`` as the Python app's.
 * @module npy
 */

/**
 * @param {Float32Array} data Row-major.
 * @param {number[]} shape
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function npy(data, shape) {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + data.length * 4);
  out.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer, 10 + header.length);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}
