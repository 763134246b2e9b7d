// @ts-check
/**
 * The network's runtime on this device: onnxruntime-web, its WebAssembly with SIMD and as many
 * threads as the page may use (threads need cross-origin isolation, which the Space's COOP/COEP
 * headers give), and WebGPU where the browser has a hardware adapter. A software ("fallback") adapter,
 * which a browser offers where it has no GPU to use, is 25 to 40 times slower than WebAssembly here, so
 * the page uses WebAssembly and says why, unless a link asks for it (``backend=webgpu``). The runtime's files are
 * served by this site itself, never by a CDN. The runtime itself is loaded in the network's worker
 * (``worker.js``); what the device offers is seen on the page.
 * @module runtime
 */

/**
 * @typedef {{isolated: boolean, threads: number, webgpu: boolean, fallback?: boolean, gpu?: boolean, keeps: boolean,
 *   framed: boolean}} Features ``webgpu``: the browser has an adapter; ``fallback``: a software one;
 *   ``gpu``: the page runs the network on it.
 */

/** The link parameter's value that asks for WebGPU even on a software adapter. */
export const WEBGPU = "webgpu";

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
 * @param {string | null} [asked] The link's ``backend``: ``webgpu`` uses a software adapter too.
 * @returns {Promise<Features>}
 */
export async function detect(nav, isolated, keeps, framed, asked = null) {
  /** @type {Adapter | null} */
  let adapter = null;
  try {
    adapter = nav.gpu ? await nav.gpu.requestAdapter() : null; // a hardware adapter first, where there is one
  } catch {
    adapter = null;
  }
  const fallback = Boolean(adapter && (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter));
  const threads = isolated ? Math.max(1, Math.min(MAX_THREADS, nav.hardwareConcurrency ?? 1)) : 1;
  const gpu = Boolean(adapter) && (!fallback || asked === WEBGPU);
  return { isolated, threads, webgpu: Boolean(adapter), fallback, gpu, keeps, framed };
}

/**
 * Load onnxruntime-web: the build with WebGPU only when the page uses an adapter (its WebAssembly is
 * twice the size), else the WebAssembly build.
 * @param {Features} features
 * @param {string} base Where the runtime's files are: an absolute URL (in a worker), or relative to the page.
 * @returns {Promise<any>} The module, set up for this device.
 */
export async function loadRuntime(features, base) {
  const here = globalThis.document?.baseURI ?? globalThis.location.href;
  const url = new URL(`${base}${features.gpu ? "ort.min.mjs" : "ort.wasm.min.mjs"}`, here).href;
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
  const how = features.gpu ? `Runs on this device: ${gpu}, else ${cpu}.`
    : features.webgpu ? `Runs on this device: ${cpu}; WebGPU here is a software adapter, slower than WebAssembly, so this page uses WebAssembly.`
      : `Runs on this device: ${cpu}; no WebGPU here.`;
  return how
    + keeps + (features.isolated && features.keeps ? "" : own);
}

/**
 * A backend's name, as the page says it.
 * @param {string | undefined} backend ``webgpu`` or ``wasm`` (``models.backends``).
 * @returns {string}
 */
export const backendName = (backend) => (backend === "webgpu" ? "WebGPU" : "WebAssembly");
