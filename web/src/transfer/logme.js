// @ts-check
/**
 * LogME (You, Liu, Wang and Long, ICML 2021), as the library computes it (``resnext.transfer.logme``):
 * each class's one-hot column is a Bayesian linear regression on the features, its prior and noise
 * precisions (alpha, beta) set by MacKay's fixed-point updates in the SVD basis of the features,
 * and LogME is the maximised log evidence per image, averaged over classes. The SVD is that of the
 * smaller Gram matrix (:mod:`transfer/linalg`).
 * @module transfer/logme
 */

import { gram, symmetricEigen, transposedTimes } from "./linalg.js";

/** @typedef {import("./linalg.js").Floats} Floats */

/**
 * The left singular vectors and squared singular values of an (n, d) matrix, those not negligible.
 * @param {Floats} f (n, d).
 * @param {number} n
 * @param {number} d
 * @returns {{u: Float64Array, sigma2: Float64Array, rank: number}} ``u`` (n, rank) row-major.
 */
export function leftSingular(f, n, d) {
  const small = n <= d;
  const m = small ? n : d;
  const { values, vectors } = symmetricEigen(small ? gram(f, n, d) : transposedTimes(f, n, d), m);
  // The library keeps s > 1e-10 max(s); a Gram matrix's eigenvalues carry rounding of 1e-16 of the
  // largest, so below 1e-12 of it (s below 1e-6 of the largest) a direction is noise here. Such a
  // direction adds nothing measurable to the evidence whether it is kept or not.
  let rank = 0;
  while (rank < m && values[rank] > values[0] * 1e-12) rank++;
  const u = new Float64Array(n * rank);
  for (let k = 0; k < rank; k++) {
    if (small) {
      for (let i = 0; i < n; i++) u[i * rank + k] = vectors[i * m + k];
    } else { // u = F v / s
      const s = Math.sqrt(values[k]);
      for (let i = 0; i < n; i++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += f[i * d + j] * vectors[j * m + k];
        u[i * rank + k] = dot / s;
      }
    }
  }
  return { u, sigma2: values.slice(0, rank), rank };
}

/**
 * MacKay's updates for one target column, as the library's ``_maximise``.
 * @param {Float64Array} u (n, rank).
 * @param {Float64Array} sigma2 (rank).
 * @param {number} d The features' count.
 * @param {Float64Array} y (n).
 * @returns {{evidence: number, alpha: number, beta: number}} The log evidence (not per image).
 */
export function maximise(u, sigma2, d, y, tol = 1e-5, maxIterations = 100) {
  const n = y.length;
  const rank = sigma2.length;
  const z = new Float64Array(rank);
  for (let i = 0; i < n; i++) for (let k = 0; k < rank; k++) z[k] += u[i * rank + k] * y[i];
  let yy = 0;
  let zz = 0;
  for (let i = 0; i < n; i++) yy += y[i] * y[i];
  for (let k = 0; k < rank; k++) zz += z[k] * z[k];
  const outside = yy - zz;
  /** @param {number} t @returns {[number, number, number]} gamma, |m|^2, |residual|^2 */
  const sums = (t) => {
    let gamma = 0;
    let m2 = 0;
    let res2 = 0;
    for (let k = 0; k < rank; k++) {
      gamma += sigma2[k] / (sigma2[k] + t);
      m2 += (sigma2[k] * z[k] ** 2) / (t + sigma2[k]) ** 2;
      res2 += ((z[k] * t) / (t + sigma2[k])) ** 2;
    }
    return [gamma, m2, res2 + outside];
  };
  let alpha = 1;
  let beta = 1;
  for (let i = 0; i < maxIterations; i++) {
    const t = alpha / beta;
    const [gamma, m2, res2] = sums(t);
    const alphaNew = gamma / Math.max(m2, 1e-12);
    const betaNew = (n - gamma) / Math.max(res2, 1e-12);
    const done = Math.abs(alphaNew / betaNew - t) / t < tol;
    alpha = alphaNew;
    beta = betaNew;
    if (done) break;
  }
  const [, m2, res2] = sums(alpha / beta);
  let logdet = (d - rank) * Math.log(alpha);
  for (let k = 0; k < rank; k++) logdet += Math.log(alpha + beta * sigma2[k]);
  const evidence = (n / 2) * Math.log(beta) + (d / 2) * Math.log(alpha) - (n / 2) * Math.log(2 * Math.PI)
    - (beta / 2) * res2 - (alpha / 2) * m2 - logdet / 2;
  return { evidence, alpha, beta };
}

/**
 * LogME of features for class labels: the mean over classes of the maximised evidence per image.
 * Higher is better; comparable between backbones on the same images only.
 * @param {Floats} f (n, d).
 * @param {number} d
 * @param {ArrayLike<number>} labels
 * @returns {number}
 */
export function logme(f, d, labels) {
  const n = labels.length;
  const { u, sigma2 } = leftSingular(f, n, d);
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  let total = 0;
  for (const k of classes) {
    const y = Float64Array.from(labels, (v) => (v === k ? 1 : 0));
    total += maximise(u, sigma2, d, y).evidence / n;
  }
  return total / classes.length;
}
