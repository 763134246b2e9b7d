// @ts-check
/**
 * The safetensors format as the browser reads it: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range in the data that follows, then the data.
 * Nothing is copied: tensors are views of the file's bytes.
 * @module safetensors
 */

/** @typedef {{dtype: string, shape: number[], begin: number, end: number}} TensorEntry */
/** @typedef {{tensors: Map<string, TensorEntry>, metadata: Record<string, string>, dataStart: number}} Header */

const BYTES = /** @type {Record<string, number>} */ ({ F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 });
const MAX_HEADER = 100_000_000; // the format's own bound on the header's size

/**
 * Read a safetensors file's header and check it against the file's length.
 * @param {Uint8Array} bytes The whole file.
 * @param {string} name What messages call the file.
 * @returns {Header}
 * @throws {Error} One sentence: the file is not a complete safetensors file.
 */
export function readHeader(bytes, name) {
  if (bytes.byteLength < 8) throw new Error(`${name} is too short to be a safetensors file; download it again.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (length > MAX_HEADER || 8 + length > bytes.byteLength) {
    throw new Error(`${name} is cut off or is not a safetensors file (its header says ${length} bytes); download it again.`);
  }
  /** @type {Record<string, any>} */
  let json;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  } catch {
    throw new Error(`${name} has a header that is not JSON; download it again.`);
  }
  const dataStart = 8 + length;
  const tensors = new Map();
  for (const [key, entry] of Object.entries(json)) {
    if (key === "__metadata__") continue;
    const [begin, end] = entry.data_offsets ?? [];
    const count = (entry.shape ?? []).reduce((/** @type {number} */ a, /** @type {number} */ b) => a * b, 1);
    if (!(entry.dtype in BYTES) || !Number.isInteger(begin) || !Number.isInteger(end) || end - begin !== count * BYTES[entry.dtype]
        || dataStart + end > bytes.byteLength) {
      throw new Error(`${name} is cut off or damaged (tensor ${key} does not fit in the file); download it again.`);
    }
    tensors.set(key, { dtype: entry.dtype, shape: entry.shape, begin: dataStart + begin, end: dataStart + end });
  }
  return { tensors, metadata: json.__metadata__ ?? {}, dataStart };
}

/**
 * The bytes of one tensor, checked to be float32 of the shape a graph expects.
 * @param {Uint8Array} bytes The whole file.
 * @param {Header} header Its header.
 * @param {string} key The tensor's name.
 * @param {number[]} shape The shape the graph gives it.
 * @param {string} name What messages call the file.
 * @returns {Uint8Array} A view of the file (no copy).
 * @throws {Error} One sentence: the tensor is missing or not the expected float32 shape.
 */
export function tensorBytes(bytes, header, key, shape, name) {
  const entry = header.tensors.get(key);
  if (!entry) throw new Error(`${name} has no tensor ${key}, which this model needs; it is not this model's weights file.`);
  if (entry.dtype !== "F32" || entry.shape.join("x") !== shape.join("x")) {
    throw new Error(`${name} gives ${key} as ${entry.dtype} ${entry.shape.join("x")}, not F32 ${shape.join("x")}; it is not this model's weights file.`);
  }
  return bytes.subarray(entry.begin, entry.end);
}

/**
 * A tensor as float32 values (copied only when the file does not align it to 4 bytes).
 * @param {Uint8Array} bytes The whole file.
 * @param {Header} header Its header.
 * @param {string} key The tensor's name.
 * @param {number[]} shape The expected shape.
 * @param {string} name What messages call the file.
 * @returns {Float32Array}
 */
export function float32(bytes, header, key, shape, name) {
  const raw = tensorBytes(bytes, header, key, shape, name);
  const aligned = raw.byteOffset % 4 === 0 ? raw : raw.slice();
  return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
}
