// @ts-check
/**
 * The discrete Fourier transform of any length (mixed-radix Cooley-Tukey, a direct sum for a prime
 * factor), in float64, for the random baseline map's ``rfft2`` and ``irfft2`` (see ``surrogate.js``).
 * @module explain/fft
 */

/**
 * The transform of one complex sequence, out of place: ``X[k] = Σ_j x[j] e^{∓2πi jk/n}``, unscaled.
 * @param {Float64Array} re Real parts.
 * @param {Float64Array} im Imaginary parts (same length).
 * @param {boolean} [inverse] The ``+`` sign (no 1/n: the caller scales).
 * @returns {[Float64Array, Float64Array]}
 */
export function fft(re, im, inverse = false) {
  const n = re.length;
  const outRe = new Float64Array(n), outIm = new Float64Array(n);
  transform(re, im, 0, 1, n, inverse ? 1 : -1, outRe, outIm, 0);
  return [outRe, outIm];
}

/**
 * @param {Float64Array} re
 * @param {Float64Array} im
 * @param {number} start
 * @param {number} stride
 * @param {number} n
 * @param {number} sign
 * @param {Float64Array} outRe
 * @param {Float64Array} outIm
 * @param {number} at
 */
function transform(re, im, start, stride, n, sign, outRe, outIm, at) {
  if (n === 1) {
    outRe[at] = re[start];
    outIm[at] = im[start];
    return;
  }
  const p = smallestFactor(n), m = n / p;
  // The p interleaved subsequences, each transformed into a block of m outputs...
  for (let r = 0; r < p; r++) transform(re, im, start + r * stride, stride * p, m, sign, outRe, outIm, at + r * m);
  // ...combined: X[k + q m] = Σ_r e^{±2πi r (k + q m) / n} Y_r[k].
  const yRe = new Float64Array(p), yIm = new Float64Array(p);
  for (let k = 0; k < m; k++) {
    for (let r = 0; r < p; r++) {
      const angle = (sign * 2 * Math.PI * ((r * k) % n)) / n, c = Math.cos(angle), s = Math.sin(angle);
      const a = outRe[at + r * m + k], b = outIm[at + r * m + k];
      yRe[r] = a * c - b * s;
      yIm[r] = a * s + b * c;
    }
    for (let q = 0; q < p; q++) {
      let sumRe = 0, sumIm = 0;
      for (let r = 0; r < p; r++) {
        const angle = (sign * 2 * Math.PI * ((r * q) % p)) / p, c = Math.cos(angle), s = Math.sin(angle);
        sumRe += yRe[r] * c - yIm[r] * s;
        sumIm += yRe[r] * s + yIm[r] * c;
      }
      outRe[at + k + q * m] = sumRe;
      outIm[at + k + q * m] = sumIm;
    }
  }
}

/** @param {number} n */
function smallestFactor(n) {
  for (let p = 2; p * p <= n; p++) if (n % p === 0) return p;
  return n;
}
