// @ts-check
/**
 * One variant on the photo in use: its download and session (said in a status line), its top-5, and
 * the CAM of any class as the library's ``normalize_cam`` gives it.
 * @module answer
 */

import { say } from "./dom.js";
import { formatBytes } from "./bytes.js";
import { normalizeCam, rawCam } from "./cam.js";
import { topK } from "./models.js";
import { onHead } from "./heads.js";

/** @typedef {import("./models.js").Answer & {id: string, top: {index: number, probability: number}[], crop: Uint8Array, size: number}} Result */

/**
 * Run a variant on the photo in use, saying in ``status`` what it waits for while ``signal`` holds,
 * and then the answer's note (its weights could not be kept), if any: the model's own place.
 * @param {import("./context.js").Context} ctx
 * @param {string} id
 * @param {HTMLElement} status
 * @param {AbortSignal} [signal] Aborted: the run stops (or never starts) and says nothing more.
 * @returns {Promise<Result>}
 * @throws {Error} One sentence, or the signal's reason.
 */
export async function classify(ctx, id, status, signal) {
  const own = ctx.heads.get(id); // a head of the visitor's classes runs on its backbone
  const v = ctx.variants.get(own ? own.head.backbone : id);
  if (!v) throw new Error(`This page does not know the model ${id}; pick one from the list.`);
  const models = await ctx.models();
  signal?.throwIfAborted();
  const { crop, input } = await ctx.crop(v);
  signal?.throwIfAborted();
  say(status, `Running ${id}…`);
  const ran = await models.run(v.id, input, { signal, progress: progress(status, v.id, signal) });
  signal?.throwIfAborted();
  say(status, ran.note, "warning");
  const answer = own ? onHead(own, ran) : ran;
  return { ...answer, id, top: topK(answer.probabilities), crop, size: v.preprocessing.image_size };
}

/**
 * A download's progress, said in a status line until ``signal`` aborts (then it is another's line).
 * @param {HTMLElement} status
 * @param {string} id
 * @param {AbortSignal} [signal]
 * @returns {(done: number, total: number | null) => void}
 */
export const progress = (status, id, signal) => (done, total) => signal?.aborted || say(status, total && done >= total ? `Preparing ${id}…`
  : `Downloading the weights of ${id} from the Hub: ${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ""}…`);

/**
 * The CAM of one class over the crop, in [0, 1].
 * @param {Result} result
 * @param {number} classIndex
 * @returns {Float32Array} (size, size).
 */
export function camOf(result, classIndex) {
  const [, h, w] = result.featureShape;
  return normalizeCam(rawCam(result.features, result.featureShape, result.fcWeight, classIndex), h, w, result.size, result.size);
}
