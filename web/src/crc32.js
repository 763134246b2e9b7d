// @ts-check
/**
 * CRC-32 (zlib's ``crc32``: the zip format's and PNG's), fed chunk by chunk, so that a zip member is
 * checked as Python's ``zipfile`` checks it without holding it twice, and a PNG chunk as Pillow checks it.
 * @module crc32
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 of ``bytes`` continued from ``crc`` (0 to start), as ``zlib.crc32(bytes, crc)``.
 * @param {Uint8Array} bytes
 * @param {number} [crc]
 * @returns {number} Unsigned.
 */
export function crc32(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
