// @ts-check
/**
 * The network's runtime on this device: onnxruntime-web, its WebAssembly with SIMD and as many
 * threads as the page may use (threads need cross-origin isolation, which the Space's COOP/COEP
 * headers give), and WebGPU where the browser has an adapter (a software, "fallback", adapter is
 * said to be one: the browser offers it only where it has no GPU to use). The runtime's files are
 * served by this site itself, never by a CDN. The runtime itself is loaded in the network's worker
 * (``worker.js``); what the device offers is seen on the page.
 * @module runtime
 */

/** @typedef {{isolated: boolean, threads: number, webgpu: boolean, fallback?: boolean, keeps: boolean, framed: boolean}} Features */

const MAX_THREADS = 4;

/**
 * @typedef {{isFallbackAdapter?: boolean, info?: {isFallbackAdapter?: boolean}}} Adapter
 */

/**
 * What this browser offers.
 * @param {{hardwareConcurrency?: number, gpu?: {requestAdapter: () => Promise<Adapter | null>}}} nav
 * @param {boolean} isolated ``crossOriginIsolated``.
 * @param {boolean} keeps Whether Cache Storage keeps the weights for this page.
 * @param {boolean} framed Whether the page is in a frame (as in a Space's page).
 * @returns {Promise<Features>}
 */
export async function detect(nav, isolated, keeps, framed) {
  /** @type {Adapter | null} */
  let adapter = null;
  try {
    adapter = nav.gpu ? await nav.gpu.requestAdapter() : null; // a hardware adapter first, where there is one
  } catch {
    adapter = null;
  }
  const fallback = Boolean(adapter && (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter));
  const threads = isolated ? Math.max(1, Math.min(MAX_THREADS, nav.hardwareConcurrency ?? 1)) : 1;
  return { isolated, threads, webgpu: Boolean(adapter), fallback, keeps, framed };
}

/**
 * Load onnxruntime-web: the build with WebGPU only when there is an adapter (its WebAssembly is
 * twice the size), else the WebAssembly build.
 * @param {Features} features
 * @param {string} base Where the runtime's files are: an absolute URL (in a worker), or relative to the page.
 * @returns {Promise<any>} The module, set up for this device.
 */
export async function loadRuntime(features, base) {
  const here = globalThis.document?.baseURI ?? globalThis.location.href;
  const url = new URL(`${base}${features.webgpu ? "ort.min.mjs" : "ort.wasm.min.mjs"}`, here).href;
  const ort = await import(url);
  ort.env.wasm.numThreads = features.threads;
  ort.env.wasm.wasmPaths = new URL(base, here).href;
  return ort;
}

/**
 * How the page runs the network, in one sentence.
 * @param {Features} features
 * @returns {string}
 */
export function describe(features) {
  const cpu = features.isolated
    ? `WebAssembly with SIMD on ${features.threads} thread${features.threads === 1 ? "" : "s"}`
    : "WebAssembly with SIMD on one thread (this page is not cross-origin isolated, so it cannot use more)";
  const own = features.framed ? " Open it in a tab of its own for more threads and to keep the weights." : "";
  const keeps = features.keeps ? "" : " This browser keeps no weights for this page, so each visit downloads them again.";
  const gpu = features.fallback ? "WebGPU on a software adapter (this browser has no GPU for it)" : "WebGPU";
  return (features.webgpu ? `Runs on this device: ${gpu}, else ${cpu}.` : `Runs on this device: ${cpu}; no WebGPU here.`)
    + keeps + (features.isolated && features.keeps ? "" : own);
}
