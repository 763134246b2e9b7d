// @ts-check
/**
 * The long explanations as jobs for their own worker (``explain/worker.js``): occlusion and the
 * faithfulness score, whose own work (the occluded and perturbed images, the random map's transforms,
 * the blur, the ranking: half a second at 224 px) would otherwise hold the page's thread. The network
 * is not here: each batch of images is asked of the page (``ask``), which passes it to the network's
 * worker (``models.batch``) and answers with its logits.
 *
 * A job message: ``{type: "occlusion", input, shape, classIndex, contrast}`` or
 * ``{type: "faithfulness", input, shape, saliency, classIndex}``. Then, page → worker:
 * ``{type: "logits", batch, logits}`` for each batch asked; worker → page: ``{type: "images", batch,
 * images, count}`` (its buffer transferred), ``{type: "progress", fraction}``, ``{type: "done",
 * result}``, ``{type: "error", message}``.
 * @module explain/job
 */

import { occlusion } from "./occlusion.js";
import { faithfulness } from "./faithfulness.js";

/**
 * @typedef {{type: "occlusion", input: Float32Array, shape: number[], classIndex: number, contrast: number | null}
 *   | {type: "faithfulness", input: Float32Array, shape: number[], saliency: Float32Array, classIndex: number}} Job
 */

/**
 * Run one job.
 * @param {Job} job
 * @param {import("./batches.js").Logits} ask The network, through the page.
 * @param {(fraction: number) => void} progress
 * @returns {Promise<Float32Array | import("./faithfulness.js").Faithfulness>} The map (H, W), or the score.
 */
export function run(job, ask, progress) {
  if (job.type === "occlusion") return occlusion(job.input, job.shape, ask, job.classIndex, job.contrast, { progress });
  return faithfulness(job.input, job.shape, job.saliency, ask, { classIndex: job.classIndex, progress });
}

/**
 * @typedef {{postMessage: (message: any, transfer?: Transferable[]) => void, onmessage: any}} Scope A worker's global
 *   scope, or a stand-in.
 */

/**
 * Answer the page's job in a worker's scope (``explain/worker.js``): the network's batches are asked
 * of the page.
 * @param {Scope} scope
 */
export function serve(scope) {
  /** @type {Map<number, (logits: Float32Array) => void>} */
  const waiting = new Map();
  let next = 0;
  /** @type {import("./batches.js").Logits} */
  const ask = (images, count) => new Promise((resolve) => {
    const batch = next++;
    waiting.set(batch, resolve);
    scope.postMessage({ type: "images", batch, images, count }, [images.buffer]);
  });
  scope.onmessage = (/** @type {MessageEvent} */ event) => {
    const m = event.data;
    if (m.type === "logits") {
      waiting.get(m.batch)?.(m.logits);
      waiting.delete(m.batch);
      return;
    }
    run(m, ask, (fraction) => scope.postMessage({ type: "progress", fraction })).then(
      (result) => scope.postMessage({ type: "done", result }),
      (error) => scope.postMessage({ type: "error", message: String(error?.message ?? error) }));
  };
}
