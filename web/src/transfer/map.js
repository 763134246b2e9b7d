// @ts-check
/**
 * The map of the data (the library's ``feature_map``): PCA of the standardised features onto two
 * axes, each axis's sign fixed so that its largest loading is positive. Linear and deterministic:
 * distances on it are those of the features along their two main directions.
 * @module transfer/map
 */

import { gram, symmetricEigen, transposedTimes } from "./linalg.js";

/** @typedef {import("./linalg.js").Floats} Floats */

/**
 * Two principal axes of the standardised features.
 * @param {Floats} features (n, d).
 * @param {number} d
 * @returns {{coords: Float64Array, share: [number, number]}} (n, 2) row-major coordinates, and the
 *   share of the variance each axis holds.
 */
export function featureMap(features, d) {
  const n = features.length / d;
  const x = Float64Array.from(features);
  for (let j = 0; j < d; j++) { // NumPy's std: the population's, a constant feature divided by 1
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + j];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (x[i * d + j] - mean) ** 2;
    const scale = Math.sqrt(variance / n) || 1;
    for (let i = 0; i < n; i++) x[i * d + j] = (x[i * d + j] - mean) / scale;
  }
  const small = n <= d;
  const m = small ? n : d;
  const { values, vectors } = symmetricEigen(small ? gram(x, n, d) : transposedTimes(x, n, d), m);
  let total = 0;
  for (let k = 0; k < m; k++) total += Math.max(values[k], 0);
  const coords = new Float64Array(n * 2);
  const share = /** @type {[number, number]} */ ([0, 0]);
  for (let axis = 0; axis < Math.min(2, m); axis++) {
    const s = Math.sqrt(Math.max(values[axis], 0));
    share[axis] = (s * s) / Math.max(total, 1e-12);
    // The axis's loadings v (d) and the coordinates X v (n): from whichever Gram matrix was decomposed.
    const loading = new Float64Array(d);
    const along = new Float64Array(n);
    if (small) {
      for (let i = 0; i < n; i++) along[i] = vectors[i * m + axis] * s;
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) loading[j] += x[i * d + j] * vectors[i * m + axis];
    } else {
      for (let j = 0; j < d; j++) loading[j] = vectors[j * m + axis];
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) along[i] += x[i * d + j] * loading[j];
    }
    let largest = 0;
    for (let j = 1; j < d; j++) if (Math.abs(loading[j]) > Math.abs(loading[largest])) largest = j;
    const sign = Math.sign(loading[largest]) || 1;
    for (let i = 0; i < n; i++) coords[i * 2 + axis] = along[i] * sign;
  }
  return { coords, share };
}
