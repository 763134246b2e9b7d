// @ts-check
/**
 * An onnxruntime-web session on a weight-free graph (``resnext export``) and the variant's
 * ``model.safetensors``: each float32 tensor of the file is handed over under its own name as
 * external data, a view of the file's bytes, so nothing is re-hosted or converted.
 * @module session
 */

import { readHeader } from "./safetensors.js";
import { OutOfMemory, isOutOfMemory, outOfMemory } from "./budget.js";

/**
 * @typedef {{path: string, data: Uint8Array}} ExternalData
 */

/**
 * The external data a graph reads: every float32 tensor of the weights file, by name.
 * @param {Uint8Array} weights The whole ``model.safetensors``.
 * @param {string} name What messages call it.
 * @returns {ExternalData[]}
 */
export function externalData(weights, name) {
  const header = readHeader(weights, name);
  return [...header.tensors].filter(([, e]) => e.dtype === "F32").map(([key, e]) => ({ path: key, data: weights.subarray(e.begin, e.end) }));
}

/**
 * Create the session.
 * @param {any} ort The onnxruntime-web module.
 * @param {Uint8Array} graph The ``.onnx`` bytes.
 * @param {Uint8Array} weights The ``model.safetensors`` bytes.
 * @param {string} name What messages call the weights file.
 * @param {Record<string, any>} [options] More session options (execution providers).
 * @param {string} [id] What the out-of-memory sentence calls the model (else ``name``).
 * @returns {Promise<any>} The session.
 * @throws {OutOfMemory} One sentence: the device ran out of memory (not the file's fault).
 * @throws {Error} One sentence: the file is not this model's weights.
 */
export async function createSession(ort, graph, weights, name, options = {}, id = name) {
  const data = externalData(weights, name);
  try {
    return await ort.InferenceSession.create(graph, { ...options, externalData: data });
  } catch (error) {
    if (isOutOfMemory(error)) throw new OutOfMemory(outOfMemory(id));
    const why = String(/** @type {Error} */ (error).message ?? error).split("\n")[0].slice(0, 160);
    throw new Error(`${name} does not hold this model's weights (${why}); the other models still work.`);
  }
}
