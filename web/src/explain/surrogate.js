// @ts-check
/**
 * The random baseline of the faithfulness score, as ``resnext.explain.fidelity.phase_randomized``: a
 * map with the same power spectrum as the saliency map (so the same blob sizes), its blobs in random
 * places. The map is mirrored to twice its size (so its edges make no jump), transformed (numpy's
 * ``rfft2``), its phases replaced by numpy's ``default_rng(seed)`` draws (the mean kept), transformed
 * back (``irfft2``, which ignores the imaginary parts of the bins a real signal has real), cropped
 * and rescaled to the map's range.
 * @module explain/surrogate
 */

import { fft } from "./fft.js";
import { PCG64 } from "./random.js";

/**
 * @param {Float32Array} saliency (h, w), row-major.
 * @param {number} h
 * @param {number} w
 * @param {number | Float64Array} seed The library's seed, or the (2h, w + 1) uniforms themselves.
 * @returns {Float32Array} (h, w).
 */
export function phaseRandomized(saliency, h, w, seed) {
  const rows = 2 * h, cols = 2 * w, bins = w + 1;
  const uniforms = typeof seed === "number" ? new PCG64(seed).random(rows * bins) : seed;
  // rfft2 of the mirrored map: each row's real transform (bins 0..w), then each bin down the rows.
  const specRe = new Float64Array(rows * bins), specIm = new Float64Array(rows * bins);
  for (let i = 0; i < rows; i++) {
    const source = i < h ? i : rows - 1 - i;
    const row = new Float64Array(cols);
    for (let j = 0; j < cols; j++) row[j] = saliency[source * w + (j < w ? j : cols - 1 - j)];
    const [re, im] = fft(row, new Float64Array(cols));
    specRe.set(re.subarray(0, bins), i * bins);
    specIm.set(im.subarray(0, bins), i * bins);
  }
  for (let j = 0; j < bins; j++) {
    const [re, im] = fft(column(specRe, j, rows, bins), column(specIm, j, rows, bins));
    for (let i = 0; i < rows; i++) {
      // |X| e^{2πi u}, with the mean's phase kept.
      const amplitude = Math.hypot(re[i], im[i]), angle = 2 * Math.PI * uniforms[i * bins + j];
      const [c, s] = i === 0 && j === 0 ? [1, 0] : [Math.cos(angle), Math.sin(angle)];
      specRe[i * bins + j] = amplitude * c;
      specIm[i * bins + j] = amplitude * s;
    }
  }
  // irfft2: the inverse down the rows, then each kept row back to real numbers (Hermitian completion).
  for (let j = 0; j < bins; j++) {
    const [re, im] = fft(column(specRe, j, rows, bins), column(specIm, j, rows, bins), true);
    for (let i = 0; i < rows; i++) {
      specRe[i * bins + j] = re[i] / rows;
      specIm[i * bins + j] = im[i] / rows;
    }
  }
  const surrogate = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    const re = new Float64Array(cols), im = new Float64Array(cols);
    for (let k = 0; k < bins; k++) {
      re[k] = specRe[i * bins + k];
      im[k] = k === 0 || k === w ? 0 : specIm[i * bins + k];
      if (k > 0 && k < w) {
        re[cols - k] = re[k];
        im[cols - k] = -im[k];
      }
    }
    const [out] = fft(re, im, true);
    for (let j = 0; j < w; j++) surrogate[i * w + j] = out[j] / cols;
  }
  let lo = Infinity, hi = -Infinity, min = Infinity, max = -Infinity;
  for (const v of surrogate) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  for (const v of saliency) { min = Math.min(min, v); max = Math.max(max, v); }
  if (!(hi - lo > 0)) return new Float32Array(h * w);
  return Float32Array.from(surrogate, (v) => ((v - lo) / (hi - lo)) * (max - min) + min);
}

/**
 * @param {Float64Array} data
 * @param {number} j
 * @param {number} rows
 * @param {number} cols
 */
function column(data, j, rows, cols) {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = data[i * cols + j];
  return out;
}
