// @ts-check
/**
 * The network's runtime on this device: onnxruntime-web, its WebAssembly with SIMD and as many
 * threads as the page may use (threads need cross-origin isolation, which the Space's COOP/COEP
 * headers give), and WebGPU where the browser has an adapter. The runtime's files are served by
 * this site itself, never by a CDN.
 * @module runtime
 */

/** @typedef {{isolated: boolean, threads: number, webgpu: boolean, keeps: boolean, framed: boolean}} Features */

const MAX_THREADS = 4;

/**
 * What this browser offers.
 * @param {{hardwareConcurrency?: number, gpu?: {requestAdapter: () => Promise<unknown>}}} nav
 * @param {boolean} isolated ``crossOriginIsolated``.
 * @param {boolean} keeps Whether Cache Storage keeps the weights for this page.
 * @param {boolean} framed Whether the page is in a frame (as in a Space's page).
 * @returns {Promise<Features>}
 */
export async function detect(nav, isolated, keeps, framed) {
  let webgpu = false;
  try {
    webgpu = Boolean(nav.gpu && (await nav.gpu.requestAdapter()));
  } catch {
    webgpu = false;
  }
  const threads = isolated ? Math.max(1, Math.min(MAX_THREADS, nav.hardwareConcurrency ?? 1)) : 1;
  return { isolated, threads, webgpu, keeps, framed };
}

/**
 * Load onnxruntime-web: the build with WebGPU only when there is an adapter (its WebAssembly is
 * twice the size), else the WebAssembly build.
 * @param {Features} features
 * @param {string} base Where the runtime's files are, relative to the page.
 * @returns {Promise<any>} The module, set up for this device.
 */
export async function loadRuntime(features, base) {
  const url = new URL(`${base}${features.webgpu ? "ort.min.mjs" : "ort.wasm.min.mjs"}`, document.baseURI).href;
  const ort = await import(url);
  ort.env.wasm.numThreads = features.threads;
  ort.env.wasm.wasmPaths = new URL(base, document.baseURI).href;
  return ort;
}

/**
 * The session options for this device: WebGPU first where there is one, WebAssembly always.
 * @param {Features} features
 * @returns {{executionProviders: string[]}}
 */
export const sessionOptions = (features) => ({ executionProviders: features.webgpu ? ["webgpu", "wasm"] : ["wasm"] });

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
  return (features.webgpu ? `Runs on this device: WebGPU, else ${cpu}.` : `Runs on this device: ${cpu}; no WebGPU here.`)
    + keeps + (features.isolated && features.keeps ? "" : own);
}
