// @ts-check
/**
 * Global average pooling of a network's last stage, as the library pools before its classifier layer:
 * each channel's mean over its positions, summed in float64 and held in float32.
 * @module pool
 */

/**
 * The mean over positions of (n, dim, positions) features.
 * @param {ArrayLike<number>} features
 * @param {number} n
 * @param {number} dim
 * @param {number} positions
 * @returns {Float32Array} (n, dim).
 */
export function pool(features, n, dim, positions) {
  const out = new Float32Array(n * dim);
  for (let row = 0; row < n * dim; row++) {
    let sum = 0;
    for (let p = row * positions, end = p + positions; p < end; p++) sum += features[p];
    out[row] = sum / positions;
  }
  return out;
}
