// @ts-check
/**
 * The contrastive CAM of two classes, as the library's ``explain(..., contrast=k)`` on the last stage:
 * "why class c rather than k" is Grad-CAM of the difference of the two logits, which is the CAM of
 * the difference of the two classifier rows (``W[c] - W[k]``, in float32), upsampled and scaled as
 * every CAM (``cam.js``).
 * @module explain/contrast
 */

import { normalizeCam, rawCam } from "../cam.js";

/**
 * @param {Float32Array} features The last stage of one image, (C, h, w).
 * @param {number[]} shape [C, h, w].
 * @param {Float32Array} fcWeight The classifier's weights, (classes, C).
 * @param {number} classIndex The class explained.
 * @param {number} contrast The class it is set against.
 * @param {number} height The crop's height.
 * @param {number} width The crop's width.
 * @returns {Float32Array} (height, width) in [0, 1]; all zeros where nothing favours ``classIndex``.
 */
export function contrastCam(features, shape, fcWeight, classIndex, contrast, height, width) {
  const channels = shape[0];
  const row = new Float32Array(channels);
  for (let k = 0; k < channels; k++) row[k] = fcWeight[classIndex * channels + k] - fcWeight[contrast * channels + k];
  return normalizeCam(rawCam(features, shape, row, 0), shape[1], shape[2], height, width);
}
