// @ts-check
/**
 * Faithfulness, as ``resnext.faithfulness``: deletion and insertion curves of a saliency map and of a
 * random map of the same smoothness (``surrogate.js``), and the areas under them.
 *
 * Deletion sets the pixels the map ranks highest to 0 (the mean colour), a slice at a time; insertion
 * starts from a blurred copy (torchvision's Gaussian blur, sigma 1/22 of the crop's width) and puts
 * the original pixels back in the same order. Each curve is the class's probability at ``steps + 1``
 * points, the area its trapezoidal mean. The images go through the network in the library's order
 * (deletion of the map, of the random map, then insertion of each) and in batches of 8.
 * @module explain/faithfulness
 */

import { roundHalfEven } from "../preprocess.js";
import { rows, runBatches } from "./batches.js";
import { argmax, probability } from "./scores.js";
import { phaseRandomized } from "./surrogate.js";

/** Images per forward pass, as the library's ``CHUNK``. */
export const CHUNK = 8;
/** The insertion start's blur, as a fraction of the crop's width (``BLUR_FRACTION``). */
export const BLUR_FRACTION = 1 / 22;

/**
 * @typedef {object} Faithfulness
 * @property {number} deletion Lower is better.
 * @property {number} insertion Higher is better.
 * @property {number} randomDeletion
 * @property {number} randomInsertion
 * @property {number} classIndex
 * @property {number[]} fractions
 * @property {number[]} deletionCurve
 * @property {number[]} insertionCurve
 * @property {number[]} randomDeletionCurve
 * @property {number[]} randomInsertionCurve
 */

/**
 * Each pixel's rank in the map, highest first; equal values keep their order (numpy's stable sort).
 * @param {Float32Array} saliency
 * @returns {Uint32Array}
 */
export function ranks(saliency) {
  const order = Uint32Array.from(saliency.keys()).sort((a, b) => saliency[b] - saliency[a] || a - b);
  const rank = new Uint32Array(saliency.length);
  order.forEach((pixel, r) => { rank[pixel] = r; });
  return rank;
}

/**
 * How many pixels each point of a curve has removed: ``round(linspace(0, pixels, steps + 1))``.
 * @param {number} pixels
 * @param {number} steps
 */
export function counts(pixels, steps) {
  const step = pixels / steps;
  return Array.from({ length: steps + 1 }, (_, i) => (i === steps ? pixels : roundHalfEven(i * step)));
}

/**
 * The curves' x axis, ``linspace(0, 1, steps + 1)``.
 * @param {number} steps
 */
export function fractions(steps) {
  return Array.from({ length: steps + 1 }, (_, i) => (i === steps ? 1 : i * (1 / steps)));
}

/**
 * numpy's ``trapezoid``.
 * @param {number[]} y
 * @param {number[]} x
 */
export function trapezoid(y, x) {
  let sum = 0;
  for (let i = 1; i < y.length; i++) sum += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return sum;
}

/**
 * torchvision's ``gaussian_blur`` as the library calls it: sigma a 22nd of the width (at least 1), a
 * kernel ``2 round(3 sigma) + 1`` wide, edges reflected.
 * @param {Float32Array} input (C, H, W).
 * @param {number[]} shape
 * @returns {Float32Array}
 */
export function blur(input, shape) {
  const [channels, height, width] = shape;
  const sigma = Math.max(width * BLUR_FRACTION, 1), size = 2 * roundHalfEven(3 * sigma) + 1, half = (size - 1) / 2;
  const kernel = Array.from({ length: size }, (_, i) => Math.exp(-0.5 * ((i - half) / sigma) ** 2));
  const total = kernel.reduce((a, b) => a + b);
  const weights = kernel.map((v) => v / total);
  const reflect = (/** @type {number} */ i, /** @type {number} */ n) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const across = new Float64Array(input.length), out = new Float32Array(input.length);
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = 0; k < size; k++) sum += weights[k] * input[plane + y * width + reflect(x + k - half, width)];
        across[plane + y * width + x] = sum;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = 0; k < size; k++) sum += weights[k] * across[plane + reflect(y + k - half, height) * width + x];
        out[plane + y * width + x] = sum;
      }
    }
  }
  return out;
}

/**
 * The images of both curves for both maps, in the library's order and in batches.
 * @param {Float32Array} input (C, H, W), preprocessed.
 * @param {number[]} shape
 * @param {Float32Array[]} maps The saliency map, then the random map (H, W).
 * @param {number} steps
 * @param {number} [perBatch]
 * @returns {Generator<import("./batches.js").Batch>}
 */
export function* perturbedBatches(input, shape, maps, steps, perBatch = CHUNK) {
  const [channels, height, width] = shape, pixels = height * width, size = input.length;
  const blurred = blur(input, shape), removed = counts(pixels, steps), order = maps.map(ranks);
  const total = 2 * maps.length * (steps + 1);
  for (let first = 0; first < total; first += perBatch) {
    const count = Math.min(perBatch, total - first), images = new Float32Array(count * size);
    for (let n = 0; n < count; n++) {
      const row = first + n, insertion = row >= maps.length * (steps + 1);
      const rank = order[Math.floor(row / (steps + 1)) % maps.length], kept = removed[row % (steps + 1)];
      const image = images.subarray(n * size, (n + 1) * size);
      for (let c = 0; c < channels; c++) {
        for (let p = 0; p < pixels; p++) {
          const masked = rank[p] < kept, i = c * pixels + p;
          image[i] = insertion ? (masked ? input[i] : blurred[i]) : masked ? 0 : input[i];
        }
      }
    }
    yield { images, count };
  }
}

/**
 * The faithfulness of a saliency map.
 * @param {Float32Array} input (3, H, W), preprocessed.
 * @param {number[]} shape [3, H, W].
 * @param {Float32Array} saliency (H, W); higher means more important, any scale.
 * @param {import("./batches.js").Logits} logits The network.
 * @param {{classIndex?: number | null, steps?: number, seed?: number, randomMap?: Float32Array} & import("./batches.js").RunOptions & {perBatch?: number}} [options]
 *   ``classIndex``: the class to follow (the top-1 when absent, one more pass); ``steps`` (16) and
 *   ``seed`` (0) as the library's; ``randomMap``: a baseline map to use instead of the seed's.
 * @returns {Promise<Faithfulness>}
 */
export async function faithfulness(input, shape, saliency, logits, options = {}) {
  const { steps = 16, seed = 0, perBatch = CHUNK } = options;
  const [, height, width] = shape;
  if (saliency.length !== height * width) throw new RangeError(`The map has ${saliency.length} values but the crop has ${height * width} pixels; explain the same crop.`);
  if (steps < 2) throw new RangeError(`Faithfulness needs at least 2 steps; got ${steps}.`);
  const randomMap = options.randomMap ?? phaseRandomized(saliency, height, width, seed);
  let classIndex = options.classIndex ?? null;
  if (classIndex === null) {
    const first = await logits(input, 1);
    classIndex = argmax(first);
  }
  const total = 4 * (steps + 1);
  const out = await runBatches(perturbedBatches(input, shape, [saliency, randomMap], steps, perBatch), total, logits, options);
  const classes = out[0].length / Math.min(perBatch, total);
  const chosen = /** @type {number} */ (classIndex);
  const values = rows(out, classes).map((row) => probability(row, chosen));
  const x = fractions(steps);
  const [deletion, randomDeletion, insertion, randomInsertion] = [0, 1, 2, 3].map((k) => values.slice(k * (steps + 1), (k + 1) * (steps + 1)));
  return {
    deletion: trapezoid(deletion, x), insertion: trapezoid(insertion, x),
    randomDeletion: trapezoid(randomDeletion, x), randomInsertion: trapezoid(randomInsertion, x),
    classIndex: chosen, fractions: x, deletionCurve: deletion, insertionCurve: insertion,
    randomDeletionCurve: randomDeletion, randomInsertionCurve: randomInsertion,
  };
}
