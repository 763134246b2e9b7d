// @ts-check
/**
 * A long explanation on the page's side: its own worker (``explain/worker.js``) does the work, each
 * batch of images it makes goes to the network's worker (``network``, ``models.batch``), and only the
 * progress and the answer come back to the page. Given up with its signal: the worker is ended at
 * once, the network's job under way is given up too, and the promise rejects with the signal's reason.
 * @module explain/run
 */

/**
 * @param {import("./job.js").Job} job Its arrays are transferred to the worker (pass copies).
 * @param {(images: Float32Array, count: number, signal: AbortSignal) => Promise<Float32Array>} network
 * @param {{signal?: AbortSignal, progress?: (fraction: number) => void, spawn?: () => Worker}} [options]
 * @returns {Promise<any>} The job's answer (``job.js``).
 * @throws {Error} The job's sentence, a batch's (the network's), or the signal's reason.
 */
export function runExplanation(job, network, { signal, progress, spawn = () => new Worker(new URL("./worker.js", import.meta.url), { type: "module" }) } = {}) {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const worker = spawn();
  const mine = new AbortController(); // the network's jobs, given up with the run however it ends
  return new Promise((resolve, reject) => {
    const end = (/** @type {() => void} */ settle) => {
      worker.terminate();
      mine.abort(signal?.reason);
      signal?.removeEventListener("abort", abort);
      settle();
    };
    const abort = () => end(() => reject(signal?.reason));
    signal?.addEventListener("abort", abort, { once: true });
    worker.onerror = (event) => { event.preventDefault(); end(() => reject(new Error("The explanation's worker stopped; reload the page."))); };
    worker.onmessage = (/** @type {MessageEvent} */ event) => {
      const m = event.data;
      if (mine.signal.aborted) return;
      if (m.type === "progress") progress?.(m.fraction);
      else if (m.type === "done") end(() => resolve(m.result));
      else if (m.type === "error") end(() => reject(new Error(m.message)));
      else if (m.type === "images") {
        network(m.images, m.count, mine.signal).then(
          (logits) => { if (!mine.signal.aborted) worker.postMessage({ type: "logits", batch: m.batch, logits }, [logits.buffer]); },
          (error) => { if (!mine.signal.aborted) end(() => reject(error)); });
      }
    };
    const arrays = Object.values(job).filter((v) => v instanceof Float32Array);
    worker.postMessage(job, arrays.map((a) => a.buffer));
  });
}
