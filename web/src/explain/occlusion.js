// @ts-check
/**
 * Occlusion, as the library runs Captum's ``Occlusion``: a patch a seventh of the crop wide (all three
 * channels), moved by half its width, set to 0 (the dataset's mean colour after normalisation). Each
 * pixel's attribution is the mean, over the patches that cover it, of how much the explained score
 * drops when the patch is hidden; the map is then the library's ``pixel_map`` (positive evidence,
 * scaled by its 99th percentile). Captum's positions: ``ceil((side - patch) / stride) + 1`` per axis,
 * the last cut at the edge, numbered with the rows varying fastest.
 *
 * The images go through the network in batches (:func:`occludedBatches`); :func:`occlusion` runs
 * them with progress and cancellation, and :func:`occlusionMap` assembles the map from the scores.
 * @module explain/occlusion
 */

import { rows, runBatches } from "./batches.js";
import { score } from "./scores.js";
import { pixelMap } from "./pixelmap.js";

/** Occluded images per forward pass, as the library's ``OCCLUSION_PER_EVAL``. */
export const PER_EVAL = 16;

/**
 * The patch's side and stride for a crop: a seventh of its width, moved by half that.
 * @param {number} width The crop's width.
 * @returns {{side: number, stride: number}}
 */
export function occlusionWindow(width) {
  const side = Math.max(Math.floor(width / 7), 2);
  return { side, stride: Math.floor(side / 2) };
}

/**
 * Every patch's rectangle, in Captum's order.
 * @param {number} height
 * @param {number} width
 * @param {{side: number, stride: number}} window
 * @returns {{top: number, left: number, bottom: number, right: number}[]}
 */
export function patches(height, width, { side, stride }) {
  const down = Math.ceil((height - side) / stride) + 1, across = Math.ceil((width - side) / stride) + 1;
  const out = [];
  for (let p = 0; p < down * across; p++) {
    const top = (p % down) * stride, left = Math.floor(p / down) * stride;
    out.push({ top, left, bottom: Math.min(top + side, height), right: Math.min(left + side, width) });
  }
  return out;
}

/**
 * The images to score: the input itself, then one per patch with the patch set to 0, in batches.
 * @param {Float32Array} input (3, H, W), preprocessed.
 * @param {number[]} shape [3, H, W].
 * @param {{side: number, stride: number}} window
 * @param {number} [perBatch]
 * @returns {Generator<import("./batches.js").Batch>}
 */
export function* occludedBatches(input, shape, window, perBatch = PER_EVAL) {
  const [channels, height, width] = shape, size = input.length;
  const all = patches(height, width, window);
  for (let first = 0; first <= all.length; first += perBatch) {
    const count = Math.min(perBatch, all.length + 1 - first), images = new Float32Array(count * size);
    for (let n = 0; n < count; n++) {
      const image = images.subarray(n * size, (n + 1) * size);
      image.set(input);
      if (first + n === 0) continue;
      const { top, left, bottom, right } = all[first + n - 1];
      for (let c = 0; c < channels; c++) {
        for (let y = top; y < bottom; y++) image.fill(0, (c * height + y) * width + left, (c * height + y) * width + right);
      }
    }
    yield { images, count };
  }
}

/**
 * Captum's attribution from the scores, then the library's map.
 * @param {number} base The input's score.
 * @param {ArrayLike<number>} scores Each occluded image's score, in patch order.
 * @param {number[]} shape [3, H, W].
 * @param {{side: number, stride: number}} window
 * @returns {{attribution: Float32Array, map: Float32Array}} The per-pixel attribution (H, W) and the map in [0, 1] (H, W).
 */
export function occlusionMap(base, scores, shape, window) {
  const [channels, height, width] = shape;
  const total = new Float32Array(height * width), counts = new Float32Array(height * width);
  patches(height, width, window).forEach(({ top, left, bottom, right }, p) => {
    const drop = Math.fround(base - scores[p]);
    for (let y = top; y < bottom; y++) {
      for (let x = left; x < right; x++) {
        total[y * width + x] += drop;
        counts[y * width + x] += 1;
      }
    }
  });
  const attribution = total.map((v, i) => v / counts[i]);
  // Every channel of a pixel carries the same attribution (the patch spans all three).
  const channelsOf = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) channelsOf.set(attribution, c * height * width);
  return { attribution, map: pixelMap(channelsOf, channels, true) };
}

/**
 * The occlusion map of one image.
 * @param {Float32Array} input (3, H, W), preprocessed.
 * @param {number[]} shape [3, H, W].
 * @param {import("./batches.js").Logits} logits The network.
 * @param {number} classIndex The class to explain.
 * @param {number | null} [contrast] Explain the class's logit minus this one's.
 * @param {import("./batches.js").RunOptions & {perBatch?: number}} [options]
 * @returns {Promise<Float32Array>} The map (H, W) in [0, 1].
 */
export async function occlusion(input, shape, logits, classIndex, contrast = null, options = {}) {
  const window = occlusionWindow(shape[2]), count = patches(shape[1], shape[2], window).length + 1;
  const out = await runBatches(occludedBatches(input, shape, window, options.perBatch), count, logits, options);
  const classes = out[0].length / Math.min(count, options.perBatch ?? PER_EVAL);
  const scores = rows(out, classes).map((row) => score(row, classIndex, contrast));
  return occlusionMap(scores[0], scores.slice(1), shape, window).map;
}
