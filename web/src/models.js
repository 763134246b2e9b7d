// @ts-check
/**
 * The variants this page runs: a session per variant, made on first use from its weight-free graph
 * (``models/ID.onnx``) and the Hub's ``model.safetensors``, and kept for the visit (the four used
 * last, so that memory stays bounded); runs one at a time, timed.
 * @module models
 */

import { createSession } from "./session.js";
import { float32, readHeader } from "./safetensors.js";
import { weights } from "./hub.js";

/** @typedef {import("./hub.js").weights} WeightsFn */
/**
 * @typedef {{id: string, family: string, architecture: string, num_classes: number, size_label: string,
 *   hub: {repo: string, file: string} | null, browser: string | null,
 *   preprocessing: {image_size: number, resize_to: number, interpolation: string, mean: number[], std: number[]},
 *   top1: number | null, top5: number | null, flops: number | null, macs: number, parameters: number | null,
 *   file_size: number | null, file_size_exact: boolean, license: string, training: string, timm_name: string}} Variant
 */
/**
 * @typedef {{probabilities: Float64Array, features: Float32Array, featureShape: number[], fcWeight: Float32Array,
 *   ms: number}} Answer
 */
/** @typedef {{session: any, fcWeight: Float32Array}} Loaded */
/**
 * What a load or run may be given: a signal (aborted: a queued run never starts, a download stops,
 * and the promise rejects with ``signal.reason``) and the download's progress.
 * @typedef {{signal?: AbortSignal, progress?: (done: number, total: number | null) => void}} Options
 */

const KEPT = 4;

export class Models {
  /**
   * @param {any} ort The runtime.
   * @param {Map<string, Variant>} variants
   * @param {{hub: string, io: Parameters<WeightsFn>[0], options: Record<string, any>, graphs: string}} where
   * @param {Map<string, number[]>} times Where each run's milliseconds go, per variant.
   */
  constructor(ort, variants, where, times) {
    this.ort = ort;
    this.variants = variants;
    this.where = where;
    /** @type {Map<string, Promise<Loaded>>} */
    this.loaded = new Map();
    /** @type {Promise<unknown>} */
    this.queue = Promise.resolve();
    this.times = times;
  }

  /**
   * The variant's session, made once.
   * @param {string} id
   * @param {Options} [options]
   * @returns {Promise<Loaded>}
   * @throws {Error} One sentence: the variant cannot run in a browser, or its weights cannot be had.
   */
  load(id, options = {}) {
    let loading = this.loaded.get(id);
    if (loading) {
      this.loaded.delete(id); // most recently used last
      this.loaded.set(id, loading);
      return loading;
    }
    loading = this.make(id, options);
    this.loaded.set(id, loading);
    loading.catch(() => this.loaded.get(id) === loading && this.loaded.delete(id)); // a failure is not kept
    for (const [old, kept] of this.loaded) {
      if (this.loaded.size <= KEPT) break;
      this.loaded.delete(old);
      kept.then((k) => k.session.release?.(), () => undefined);
    }
    return loading;
  }

  /**
   * @param {string} id
   * @param {Options} options
   * @returns {Promise<Loaded>}
   */
  async make(id, { signal, progress }) {
    const v = this.variants.get(id);
    if (!v) throw new Error(`This page does not know the model ${id}; pick one from the list.`);
    if (v.browser || !v.hub) throw new Error(`${id} cannot run in a browser: ${v.browser}.`);
    const response = await fetch(`${this.where.graphs}${id}.onnx`, { signal });
    if (!response.ok) throw new Error(`The network of ${id} is missing from this site (${response.status}); reload the page.`);
    const graph = new Uint8Array(await response.arrayBuffer());
    const io = this.where.io;
    const file = await weights({ ...io, fetcher: (url, init) => io.fetcher(url, { ...init, signal }) }, this.where.hub, v.hub, progress);
    signal?.throwIfAborted();
    const session = await createSession(this.ort, graph, file, v.hub.repo, this.where.options);
    const header = readHeader(file, v.hub.repo);
    const fc = header.tensors.get("fc.weight");
    const fcWeight = float32(file, header, "fc.weight", fc ? fc.shape : [], v.hub.repo).slice();
    return { session, fcWeight };
  }

  /**
   * Run a variant on its input tensor, after any run already under way.
   * @param {string} id
   * @param {Float32Array} input (3, size, size), the variant's preprocessing.
   * @param {Options} [options]
   * @returns {Promise<Answer>}
   */
  run(id, input, options = {}) {
    const signal = options.signal;
    const turn = this.queue.then(async () => {
      signal?.throwIfAborted();
      const { session, fcWeight } = await this.load(id, options);
      signal?.throwIfAborted();
      const size = Math.round(Math.sqrt(input.length / 3));
      const start = performance.now();
      const out = await session.run({ image: new this.ort.Tensor("float32", input, [1, 3, size, size]) });
      const ms = performance.now() - start;
      const times = this.times.get(id) ?? [];
      times.push(ms);
      this.times.set(id, times);
      const features = /** @type {Float32Array} */ (out.features.data);
      return { probabilities: softmax(out.logits.data), features, featureShape: out.features.dims.slice(1), fcWeight, ms };
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

/**
 * Softmax in float64.
 * @param {ArrayLike<number>} logits
 * @returns {Float64Array}
 */
export function softmax(logits) {
  let top = -Infinity;
  for (let i = 0; i < logits.length; i++) top = Math.max(top, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - top);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/**
 * The ``k`` most likely classes, most likely first.
 * @param {Float64Array} probabilities
 * @param {number} [k]
 * @returns {{index: number, probability: number}[]}
 */
export function topK(probabilities, k = 5) {
  return [...probabilities.keys()].sort((a, b) => probabilities[b] - probabilities[a]).slice(0, k)
    .map((index) => ({ index, probability: probabilities[index] }));
}

/**
 * The median of some numbers.
 * @param {number[]} values
 * @returns {number}
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
