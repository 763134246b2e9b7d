// @ts-check
/**
 * What a long explanation costs on this device: how many images it sends through the network, and
 * the estimate in the Python app's words (its ``cost_label``: ``≈ 26 ms``, ``≈ 2.6 s``), from the
 * network's time per image measured on this device this visit.
 * @module explain/cost
 */

import { fixed } from "../pyformat.js";
import { occlusionWindow, patches } from "./occlusion.js";

/** The faithfulness curves' steps, as ``resnext.faithfulness``'s default. */
export const STEPS = 16;

/**
 * The images a method (or ``"faithfulness"``) sends through the network for a crop of ``size``: the
 * input and one per patch for occlusion, four curves of ``STEPS + 1`` points for faithfulness, none
 * for the CAM (the answer's features suffice).
 * @param {string} method
 * @param {number} size
 * @returns {number}
 */
export function images(method, size) {
  if (method === "occlusion") return patches(size, size, occlusionWindow(size)).length + 1;
  if (method === "faithfulness") return 4 * (STEPS + 1);
  return 0;
}

/**
 * Seconds as the Python app's ``cost_label`` writes them.
 * @param {number} seconds
 * @returns {string}
 */
export function costLabel(seconds) {
  return `≈ ${seconds < 1 ? `${fixed(seconds * 1000, 0)} ms` : `${fixed(seconds, 1)} s`}`;
}

/**
 * What is left of a run, from what it took so far: ``about 12 s left``, or nothing before a first step.
 * @param {number} elapsed Seconds so far.
 * @param {number} fraction Done, 0 to 1.
 * @returns {string}
 */
export function remaining(elapsed, fraction) {
  if (!(fraction > 0) || fraction >= 1) return "";
  return `about ${Math.max(1, Math.round((elapsed * (1 - fraction)) / fraction))} s left`;
}
