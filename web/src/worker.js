// @ts-check
/**
 * The network's worker: onnxruntime-web, the weights' download (fetch and Cache Storage work in a
 * worker), the sessions and their runs live here, off the page's thread, so that a run never freezes
 * the page. The page (``models.js``) posts jobs (``protocol.js``); they run one at a time, a job
 * given up before its turn never starts, and one given up during its download stops it.
 *
 * Kept sessions are bounded by their bytes (``budget.js``): a variant that cannot fit is refused
 * before anything is downloaded, and the least recently used sessions are released to make room.
 * @module worker
 */

import { Kept, OutOfMemory, TooLarge, fileSizeOf, isOutOfMemory, outOfMemory } from "./budget.js";
import { Serial, abortReason } from "./protocol.js";
import { createSession } from "./session.js";
import { float32, readHeader } from "./safetensors.js";
import { forget, weights } from "./hub.js";
import { loadRuntime } from "./runtime.js";
import { pool } from "./pool.js";

/** @typedef {import("./models.js").Variant} Variant */
/**
 * @typedef {{runtime: string, features: import("./runtime.js").Features, hub: string, graphs: string,
 *   bound: import("./budget.js").Bound, variants: Variant[]}} Setup What the page sends first.
 */
/**
 * @typedef {{session: any, fcWeight: Float32Array, backend: string, note: string, stored: boolean}} Loaded ``note``:
 *   a sentence when the weights could not be kept; ``stored``: whether they were kept by this load.
 */

const scope = /** @type {{postMessage: (message: any, transfer?: Transferable[]) => void, onmessage: any}} */ (/** @type {unknown} */ (globalThis));

/** @type {Promise<{ort: any, setup: Setup, variants: Map<string, Variant>, kept: Kept}> | null} */
let ready = null;
/** @type {Map<string, Loaded>} */
const sessions = new Map();
/** @type {Map<number, AbortController>} */
const jobs = new Map();
const serial = new Serial();
/** At most one progress report per job this often (ms), and the last one. */
const PROGRESS_MS = 50;

/** @typedef {{bytes: Uint8Array<ArrayBuffer>, note: string, kept: boolean}} Fetched */

/**
 * The weights file, through ``hub.js``, stopped by the signal: its bytes, a sentence when they could
 * not be kept, and whether they are kept now (the page then asks for persistent storage, which a
 * worker cannot).
 * @param {string} endpoint
 * @param {Variant} v
 * @param {AbortSignal} signal
 * @param {(done: number, total: number | null) => void} progress
 * @returns {Promise<Fetched>}
 */
async function download(endpoint, v, signal, progress) {
  const where = /** @type {NonNullable<Variant["hub"]>} */ (v.hub);
  const fetcher = /** @type {typeof fetch} */ ((url, init) => fetch(url, { ...init, signal }));
  const io = { fetcher, caches: globalThis.caches };
  const wanted = (/** @type {number} */ done, /** @type {number | null} */ total) => { if (!signal.aborted) progress(done, total); };
  return weights(io, endpoint, where, { progress: wanted, signal }); // the catalog's pins are taken from ``where``
}

/**
 * A variant's session: kept, else made (room made first, by bytes).
 * @param {string} id
 * @param {AbortSignal} signal
 * @param {(done: number, total: number | null) => void} progress
 * @returns {Promise<Loaded>}
 */
async function load(id, signal, progress) {
  const { ort, setup, variants, kept } = await /** @type {NonNullable<typeof ready>} */ (ready);
  const have = sessions.get(id);
  if (have) {
    kept.touch(id);
    return have;
  }
  const v = variants.get(id);
  if (!v) throw new Error(`This page does not know the model ${id}; pick one from the list.`);
  if (v.browser || !v.hub) throw new Error(`${id} cannot run in a browser: ${v.browser}.`);
  const fileSize = fileSizeOf(v);
  const plan = kept.plan(id, fileSize); // before anything is downloaded
  if (plan.fresh) throw Object.assign(new Error(`${id} needs a fresh worker.`), { kind: "fresh" });
  for (const old of plan.evict) release(old, kept);
  const response = await fetch(`${setup.graphs}${id}.onnx`, { signal });
  if (!response.ok) throw new Error(`The network of ${id} is missing from this site (${response.status}); reload the page.`);
  const graph = new Uint8Array(await response.arrayBuffer());
  const { bytes: file, note, kept: stored } = await download(setup.hub, v, signal, progress);
  if (signal.aborted) throw abortReason(signal);
  let made, fcWeight;
  try { // any failure to make the session from these bytes removes them, so they do not fail again
    const header = readHeader(file, v.hub.repo);
    const fc = header.tensors.get("fc.weight");
    fcWeight = float32(file, header, "fc.weight", fc ? fc.shape : [], v.hub.repo).slice();
    made = await make(ort, setup, graph, file, v);
  } catch (error) {
    if (!(error instanceof OutOfMemory)) {
      await forget({ fetcher: fetch, caches: globalThis.caches }, setup.hub, /** @type {NonNullable<Variant["hub"]>} */ (v.hub)).catch(() => undefined);
    }
    throw error;
  }
  const loaded = { ...made, fcWeight, note, stored };
  sessions.set(id, loaded);
  kept.add(id, fileSize);
  if (signal.aborted) throw abortReason(signal); // made and kept, for whoever asks next
  return loaded;
}

/**
 * The session on WebGPU where the page uses an adapter (its failure is not the file's: WebAssembly then),
 * else on WebAssembly.
 * @param {any} ort
 * @param {Setup} setup
 * @param {Uint8Array} graph
 * @param {Uint8Array} file
 * @param {Variant} v
 * @returns {Promise<{session: any, backend: string}>}
 */
async function make(ort, setup, graph, file, v) {
  const repo = /** @type {NonNullable<Variant["hub"]>} */ (v.hub).repo;
  if (setup.features.gpu) {
    try {
      return { session: await createSession(ort, graph, file, repo, { executionProviders: ["webgpu"] }, v.id), backend: "webgpu" };
    } catch (error) {
      if (error instanceof OutOfMemory) throw error;
      console.warn(`WebGPU could not run ${v.id}; WebAssembly runs it.`, error);
    }
  }
  return { session: await createSession(ort, graph, file, repo, { executionProviders: ["wasm"] }, v.id), backend: "wasm" };
}

/**
 * Release a kept session.
 * @param {string} id
 * @param {Kept} kept
 */
function release(id, kept) {
  const old = sessions.get(id);
  sessions.delete(id);
  kept.remove(id);
  Promise.resolve(old?.session.release?.()).catch(() => undefined);
}

/**
 * Run a variant on an input tensor.
 * @param {string} id
 * @param {Float32Array} input (3, size, size).
 * @param {boolean} fc Whether the page wants the ``fc`` weights (it keeps them once it has them).
 * @param {AbortSignal} signal
 * @param {(done: number, total: number | null) => void} progress
 */
async function run(id, input, fc, signal, progress) {
  const { ort } = await /** @type {NonNullable<typeof ready>} */ (ready);
  const loaded = await load(id, signal, progress);
  const size = Math.round(Math.sqrt(input.length / 3));
  const start = performance.now();
  const out = await loaded.session.run({ image: new ort.Tensor("float32", input, [1, 3, size, size]) });
  const ms = performance.now() - start;
  const own = (/** @type {Float32Array} */ a) => (a.byteOffset === 0 && a.buffer.byteLength === a.byteLength ? a : a.slice());
  const logits = own(out.logits.data);
  const features = own(out.features.data);
  const fcWeight = fc ? loaded.fcWeight.slice() : null; // a copy whose buffer moves: the page does not clone 8 MB
  const result = { logits, features, featureShape: out.features.dims.slice(1), ms, backend: loaded.backend, fcWeight,
    note: loaded.note, stored: loaded.stored };
  loaded.stored = false; // said once
  return { result, transfer: [logits.buffer, features.buffer, ...(fcWeight ? [fcWeight.buffer] : [])] };
}

/**
 * Run a variant on a batch of input tensors: the logits and the pooled features of each image (the
 * mean of ``features`` over its positions, the classifier layer's input, as the library's ``embed``).
 * @param {string} id
 * @param {Float32Array} input (n, 3, size, size), the variant's preprocessing.
 * @param {number} n
 * @param {AbortSignal} signal
 * @param {(done: number, total: number | null) => void} progress The weights' download, if any.
 */
async function batch(id, input, n, signal, progress) {
  const { ort } = await /** @type {NonNullable<typeof ready>} */ (ready);
  const loaded = await load(id, signal, progress);
  if (signal.aborted) throw abortReason(signal);
  const size = Math.round(Math.sqrt(input.length / n / 3));
  const start = performance.now();
  const out = await loaded.session.run({ image: new ort.Tensor("float32", input, [n, 3, size, size]) });
  const ms = performance.now() - start;
  const [, dim, fh, fw] = out.features.dims;
  const pooled = pool(out.features.data, n, dim, fh * fw);
  const logits = out.logits.data.slice();
  const result = { logits, pooled, classes: out.logits.dims[1], dim, ms, backend: loaded.backend, note: loaded.note,
    stored: loaded.stored };
  loaded.stored = false; // said once
  return { result, transfer: [logits.buffer, pooled.buffer] };
}

/**
 * Answer a job: its result, or one sentence and what kind of failure it was.
 * @param {number} job
 * @param {(signal: AbortSignal, progress: (done: number, total: number | null) => void) => Promise<{result: any, transfer: Transferable[]}>} task
 */
async function answer(job, task) {
  const controller = new AbortController();
  jobs.set(job, controller);
  let said = -Infinity;
  const progress = (/** @type {number} */ done, /** @type {number | null} */ total) => {
    const now = performance.now();
    if (now - said < PROGRESS_MS && done !== total) return; // a download's chunks come by the thousand
    said = now;
    scope.postMessage({ type: "progress", job, done, total });
  };
  try {
    const { result, transfer } = await serial.add(controller.signal, (signal) => task(signal, progress));
    scope.postMessage({ type: "done", job, result }, transfer);
  } catch (error) {
    if (controller.signal.aborted) return; // the page gave it up: nothing more is said
    const e = /** @type {any} */ (error);
    const oom = !(error instanceof TooLarge) && isOutOfMemory(error);
    const said = String(e?.message ?? e);
    const message = oom && !(error instanceof OutOfMemory) && e.id
      ? outOfMemory(e.id) : said; // the runtime's words are not a sentence, and the visitor chose a model, not a repo
    scope.postMessage({ type: "error", job, message, kind: oom ? "oom" : e?.kind === "fresh" ? "fresh" : "error" });
  } finally {
    jobs.delete(job);
  }
}

scope.onmessage = (/** @type {MessageEvent} */ event) => {
  const m = event.data;
  if (m.type === "init") {
    /** @type {Setup} */
    const setup = m.setup;
    ready = loadRuntime(setup.features, setup.runtime).then((ort) => ({ ort, setup,
      variants: new Map(setup.variants.map((v) => [v.id, v])), kept: new Kept(setup.bound) }),
    () => { throw new Error("The network's runtime could not be loaded; check the connection and reload the page."); });
    ready.catch(() => undefined);
  } else if (m.type === "cancel") {
    jobs.get(m.job)?.abort(new DOMException("The page gave this job up.", "AbortError"));
  } else if (m.type === "load") {
    answer(m.job, async (signal, progress) => {
      const loaded = await load(m.id, signal, progress).catch((e) => { throw withId(e, m.id); });
      const result = { backend: loaded.backend, note: loaded.note, stored: loaded.stored };
      loaded.stored = false;
      return { result, transfer: [] };
    });
  } else if (m.type === "batch") {
    answer(m.job, (signal, progress) => batch(m.id, m.input, m.n, signal, progress).catch((e) => { throw withId(e, m.id); }));
  } else if (m.type === "run") {
    answer(m.job, (signal, progress) => run(m.id, m.input, m.fc, signal, progress).catch((e) => { throw withId(e, m.id); }));
  }
};

/**
 * An error that knows which model it is about (for the out-of-memory sentence).
 * @param {unknown} error
 * @param {string} id
 * @returns {unknown}
 */
function withId(error, id) {
  if (error && typeof error === "object" && !("id" in error)) {
    try { Object.assign(error, { id }); } catch { /* a frozen error keeps its words */ }
  }
  return error;
}
