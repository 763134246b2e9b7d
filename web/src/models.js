// @ts-check
/**
 * The variants this page runs, on the page's side: the network itself runs in a worker
 * (``worker.js``: the runtime, the weights' download, the sessions, kept by their bytes as
 * ``budget.js`` sizes them to this device), so a run never freezes the page. A job is given up with
 * its ``signal``: its promise rejects at once with ``signal.reason``, a job waiting its turn never
 * starts, a download under way stops, and its progress is no longer reported.
 * @module models
 */

import { deviceBound } from "./budget.js";
import { JobError, Jobs } from "./protocol.js";
import { askToPersist } from "./hub.js";

/**
 * @typedef {{id: string, family: string, architecture: string, num_classes: number, size_label: string,
 *   hub: {repo: string, file: string} | null, browser: string | null,
 *   preprocessing: {image_size: number, resize_to: number, interpolation: string, mean: number[], std: number[]},
 *   top1: number | null, top5: number | null, flops: number | null, macs: number, parameters: number | null,
 *   file_size: number | null, file_size_exact: boolean, license: string, training: string, timm_name: string}} Variant
 */
/**
 * @typedef {{probabilities: Float64Array, features: Float32Array, featureShape: number[], fcWeight: Float32Array,
 *   ms: number, note: string, backend: string}} Answer ``note``: a sentence when the weights could not be kept (``""`` otherwise); ``backend``: what ran it (``webgpu`` or ``wasm``).
 */
/**
 * @typedef {{logits: Float32Array, pooled: Float32Array, classes: number, dim: number, ms: number, backend: string,
 *   note: string}} Batch A batch's answers: ``logits`` (n, classes) and ``pooled`` (n, dim), row after row; ``ms`` the
 *   network's time for all; ``note`` as an ``Answer``'s.
 */
/** @typedef {import("./protocol.js").Options} Options ``signal`` gives the job up; ``progress`` hears its download. */
/**
 * @typedef {{runtime: string, features: import("./runtime.js").Features, hub: string, graphs: string,
 *   bound?: import("./budget.js").Bound}} Where The runtime's and graphs' addresses (absolute: the worker
 *   resolves them against its own), the Hub, what the device offers, and the memory bound (else this device's).
 */

/** The ``fc`` weights kept on the page (8 MB each), for the CAM of the variants used last. */
const FC_KEPT = 4;

export class Models {
  /**
   * Start the network's worker.
   * @param {Map<string, Variant>} variants
   * @param {Where} where
   * @param {Map<string, number[]>} times Where each run's milliseconds go, per variant.
   * @param {() => Worker} [spawn] Makes the worker (``worker.js``, a module worker, by default).
   */
  constructor(variants, where, times, spawn = () => new Worker(new URL("./worker.js", import.meta.url), { type: "module" })) {
    this.variants = variants;
    this.times = times;
    this.spawn = spawn;
    this.setup = { ...where, bound: where.bound ?? deviceBound(/** @type {any} */ (globalThis.navigator ?? {})),
      variants: [...variants.values()].filter((v) => !v.browser && v.hub) };
    /** @type {Map<string, Float32Array>} the ``fc`` weights, least recently used first */
    this.fc = new Map();
    /** @type {Map<string, string>} the backend each variant's session runs on (``webgpu`` or ``wasm``) */
    this.backends = new Map();
    this.worker = this.fresh();
  }

  /**
   * A new worker and its jobs; the last one, if any, ends once its own jobs are done (its heap, which
   * only grows, goes with it).
   * @returns {{worker: Worker, jobs: Jobs, retired: boolean}}
   */
  fresh() {
    /** @type {{worker: Worker, jobs: Jobs, retired: boolean} | undefined} */
    const old = this.worker;
    if (old?.jobs.pending.size) old.retired = true;
    else old?.worker.terminate();
    const worker = this.spawn();
    const jobs = new Jobs((message, transfer) => worker.postMessage(message, transfer));
    const current = { worker, jobs, retired: false };
    worker.onmessage = (event) => {
      jobs.receive(event.data);
      if (current.retired && !jobs.pending.size) worker.terminate();
    };
    worker.onerror = (event) => { event.preventDefault(); jobs.failAll("The network's worker stopped; reload the page."); };
    worker.postMessage({ type: "init", setup: this.setup });
    return current;
  }

  /**
   * A job on the current worker; one that fits only in a fresh worker (this one's heap has grown too
   * far) is sent once to a new one, and after running out of memory the next job gets a new one.
   * @param {() => [Record<string, any>, Transferable[]]} message
   * @param {Options} options
   * @returns {Promise<any>}
   */
  async job(message, options) {
    for (let attempt = 0; ; attempt++) {
      const { jobs } = this.worker;
      try {
        return await jobs.start(...message(), options);
      } catch (error) {
        if (!(error instanceof JobError)) throw error;
        if ((error.kind === "oom" || error.kind === "fresh") && this.worker.jobs === jobs) this.worker = this.fresh();
        if (error.kind !== "fresh" || attempt > 0) throw new Error(error.message);
      }
    }
  }

  /**
   * Make the variant's session (once: it is kept while memory allows).
   * @param {string} id
   * @param {Options} [options]
   * @returns {Promise<{backend: string, note: string}>} Where it runs (``webgpu`` or ``wasm``), and a sentence
   *   when its weights could not be kept.
   * @throws {Error} One sentence: the variant cannot run in a browser or on this device, its weights
   *   cannot be had, or the device ran out of memory. Given up: ``signal.reason``.
   */
  async load(id, options = {}) {
    const result = await this.job(() => [{ type: "load", id }, []], options);
    this.loaded(id, result);
    return { backend: result.backend, note: result.note };
  }

  /**
   * Run a variant on its input tensor, after any job already under way. The input is copied (its copy
   * transferred to the worker), so the caller's array stays usable.
   * @param {string} id
   * @param {Float32Array} input (3, size, size), the variant's preprocessing.
   * @param {Options} [options]
   * @returns {Promise<Answer>}
   * @throws {Error} As ``load``.
   */
  async run(id, input, options = {}) {
    const r = await this.job(() => {
      const copy = input.slice();
      const kept = this.fc.get(id);
      if (kept) { this.fc.delete(id); this.fc.set(id, kept); } // used now: not the one dropped before the answer
      return [{ type: "run", id, input: copy, fc: !kept }, [copy.buffer]];
    }, options);
    const fcWeight = r.fcWeight ?? /** @type {Float32Array} */ (this.fc.get(id));
    this.fc.delete(id);
    this.fc.set(id, fcWeight);
    for (const old of this.fc.keys()) if (this.fc.size > FC_KEPT) this.fc.delete(old);
    this.loaded(id, r);
    const times = this.times.get(id) ?? [];
    times.push(r.ms);
    this.times.set(id, times);
    return { probabilities: softmax(r.logits), features: r.features, featureShape: r.featureShape, fcWeight, ms: r.ms,
      note: r.note, backend: r.backend };
  }

  /**
   * Run a variant on a batch of images (after any job already under way): each image's logits and
   * pooled features, the input of its classifier layer. The input is cloned into the message (not
   * copied here first, so the page's heap gains no megabytes to collect), and stays usable.
   * @param {string} id
   * @param {Float32Array} input (n, 3, size, size), the variant's preprocessing.
   * @param {number} n How many images ``input`` holds.
   * @param {Options} [options]
   * @returns {Promise<Batch>}
   * @throws {Error} As ``load``.
   */
  async batch(id, input, n, options = {}) {
    const r = await this.job(() => [{ type: "batch", id, input, n }, []], options);
    this.loaded(id, r);
    const times = this.times.get(id) ?? [];
    times.push(r.ms / n);
    this.times.set(id, times);
    return r;
  }

  /**
   * What a session's answer says of it: where it runs; once its weights are kept, the page asks for
   * persistent storage (``persist()`` is the page's, not a worker's).
   * @param {string} id
   * @param {{backend: string, stored: boolean}} result
   */
  loaded(id, result) {
    this.backends.set(id, result.backend);
    if (result.stored) askToPersist();
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
