// @ts-check
/**
 * The gradient methods in the browser: the input-gradient graphs that ``resnext.export.gradient``
 * writes (``gradient``, ``guided``, ``deeplift``: inputs ``image``, ``class_weights`` and, for
 * DeepLIFT, ``baseline``; output ``gradient``) fed and post-processed as the library's Captum calls
 * are, up to the (3, h, w) attribution that ``pixelMap`` reduces (signed, except Guided Grad-CAM).
 * - Integrated gradients: the plain gradient on the images ``alpha_i * x`` (the baseline is zero,
 *   the dataset's mean colour), summed with Gauss-Legendre weights, times ``x``.
 * - DeepLIFT: ``(x - baseline) *`` the graph's multipliers.
 * - Guided Grad-CAM: the guided gradient times the last stage's raw Grad-CAM (``rawCam`` of the
 *   explained row), upsampled bilinearly.
 * @module explain/gradient
 */

import { upsample } from "../cam.js";

/** Which graph each method runs. */
export const GRAPHS = Object.freeze({ guided_gradcam: "guided", integrated_gradients: "gradient", deeplift: "deeplift" });

/**
 * The explained combination of logits: the class's, minus the contrast class's when there is one.
 * @param {number} classes
 * @param {number} classIndex
 * @param {number | null} [contrast]
 * @returns {Float32Array} (classes)
 */
export function classWeights(classes, classIndex, contrast = null) {
  const w = new Float32Array(classes);
  w[classIndex] = 1;
  if (contrast !== null && contrast !== undefined) w[contrast] = -1;
  return w;
}

/**
 * Integrated gradients' batch: the image scaled by each alpha (from the zero baseline).
 * @param {Float32Array} image (3, h, w).
 * @param {number[]} alphas
 * @returns {Float32Array} (steps, 3, h, w).
 */
export function scaledImages(image, alphas) {
  const out = new Float32Array(alphas.length * image.length);
  alphas.forEach((a, s) => { for (let i = 0; i < image.length; i++) out[s * image.length + i] = a * image[i]; });
  return out;
}

/**
 * Integrated gradients' attribution: ``x * sum_i weights[i] * gradients[i]``.
 * @param {Float32Array} image (3, h, w).
 * @param {Float32Array} gradients (steps, 3, h, w), the gradient graph's answer on ``scaledImages``.
 * @param {number[]} weights The steps' weights.
 * @returns {Float32Array} (3, h, w).
 */
export function integratedGradients(image, gradients, weights) {
  const n = image.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let s = 0; s < weights.length; s++) total += weights[s] * gradients[s * n + i];
    out[i] = image[i] * total;
  }
  return out;
}

/**
 * DeepLIFT's attribution: ``(x - baseline) * multipliers``.
 * @param {Float32Array} image
 * @param {Float32Array} baseline
 * @param {Float32Array} multipliers The deeplift graph's answer.
 * @returns {Float32Array}
 */
export function deepLift(image, baseline, multipliers) {
  return image.map((v, i) => (v - baseline[i]) * multipliers[i]);
}

/**
 * Guided Grad-CAM's attribution: the guided gradient times the upsampled raw Grad-CAM.
 * @param {Float32Array} guided (3, height, width), the guided graph's answer.
 * @param {Float32Array} cam The raw map (h, w).
 * @param {number} h
 * @param {number} w
 * @param {number} height
 * @param {number} width
 * @returns {Float32Array} (3, height, width).
 */
export function guidedGradCam(guided, cam, h, w, height, width) {
  const up = upsample(cam, h, w, height, width);
  return guided.map((v, i) => v * up[i % up.length]);
}

/**
 * Run a method's graph on one image and return its attribution.
 * @param {any} ort The onnxruntime-web module.
 * @param {any} session A session on ``GRAPHS[method]``'s graph.
 * @param {"guided_gradcam" | "integrated_gradients" | "deeplift"} method
 * @param {Float32Array} image (3, height, width), preprocessed.
 * @param {number[]} shape [3, height, width].
 * @param {Float32Array} weights ``classWeights``.
 * @param {{alphas?: number[], stepWeights?: number[], batch?: number, cam?: {raw: Float32Array, h: number, w: number}}} [options]
 *   Integrated gradients' steps (the library's) and images per run; Guided Grad-CAM's raw map.
 * @returns {Promise<Float32Array>} (3, height, width).
 */
export async function attribution(ort, session, method, image, shape, weights, options = {}) {
  const [, height, width] = shape;
  const run = async (/** @type {Float32Array} */ x, /** @type {number} */ n, /** @type {Record<string, any>} */ more = {}) => {
    const rows = new Float32Array(n * weights.length);
    for (let s = 0; s < n; s++) rows.set(weights, s * weights.length);
    const out = await session.run({ image: new ort.Tensor("float32", x, [n, ...shape]),
      class_weights: new ort.Tensor("float32", rows, [n, weights.length]), ...more });
    return /** @type {Float32Array} */ (out.gradient.data);
  };
  if (method === "integrated_gradients") {
    // The library's batches of 8 scaled images bound the memory the backward pass holds.
    const { alphas = [], stepWeights = [], batch = 8 } = options;
    const scaled = scaledImages(image, alphas), gradients = new Float32Array(scaled.length);
    for (let s = 0; s < alphas.length; s += batch) {
      const n = Math.min(batch, alphas.length - s);
      gradients.set(await run(scaled.subarray(s * image.length, (s + n) * image.length), n), s * image.length);
    }
    return integratedGradients(image, gradients, stepWeights);
  }
  if (method === "deeplift") {
    const baseline = new Float32Array(image.length);
    return deepLift(image, baseline, await run(image, 1, { baseline: new ort.Tensor("float32", baseline, [1, ...shape]) }));
  }
  if (!options.cam) throw new Error("Guided Grad-CAM needs the last stage's raw map.");
  return guidedGradCam(await run(image, 1), options.cam.raw, options.cam.h, options.cam.w, height, width);
}
