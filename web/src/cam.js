// @ts-check
/**
 * Class activation maps from the last stage: for ResNeXt (global average pooling, then one linear
 * layer) Grad-CAM on the last stage is ReLU(Σ_k W[c, k] / (h·w) · A_k), with no backward pass.
 * Upsampling and scaling follow the library's ``normalize_cam``: bilinear with half-pixel centres
 * (PyTorch's ``align_corners=False``), then min-max to [0, 1].
 * @module cam
 */

/**
 * The raw map of one class.
 * @param {Float32Array} features The last stage of one image, (C, h, w) in row-major order.
 * @param {number[]} shape [C, h, w].
 * @param {Float32Array} fcWeight The classifier's weights, (classes, C).
 * @param {number} classIndex The class to explain.
 * @returns {Float32Array} (h, w).
 */
export function rawCam(features, shape, fcWeight, classIndex) {
  const [c, h, w] = shape;
  const out = new Float32Array(h * w);
  const row = fcWeight.subarray(classIndex * c, (classIndex + 1) * c);
  for (let k = 0; k < c; k++) {
    const weight = row[k] / (h * w);
    const plane = features.subarray(k * h * w, (k + 1) * h * w);
    for (let i = 0; i < h * w; i++) out[i] += weight * plane[i];
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i], 0);
  return out;
}

/**
 * Upsample a raw map to the crop bilinearly with half-pixel centres (PyTorch's ``bilinear``,
 * ``align_corners=False``), unscaled.
 * @param {Float32Array} raw (h, w).
 * @param {number} h
 * @param {number} w
 * @param {number} height The crop's height.
 * @param {number} width The crop's width.
 * @returns {Float32Array} (height, width).
 */
export function upsample(raw, h, w, height, width) {
  const up = new Float32Array(height * width);
  const source = (/** @type {number} */ i, /** @type {number} */ n, /** @type {number} */ size) => Math.max((i + 0.5) * n / size - 0.5, 0);
  for (let y = 0; y < height; y++) {
    const sy = source(y, h, height), y0 = Math.floor(sy), y1 = Math.min(y0 + 1, h - 1), fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = source(x, w, width), x0 = Math.floor(sx), x1 = Math.min(x0 + 1, w - 1), fx = sx - x0;
      const top = raw[y0 * w + x0] * (1 - fx) + raw[y0 * w + x1] * fx;
      const bottom = raw[y1 * w + x0] * (1 - fx) + raw[y1 * w + x1] * fx;
      up[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return up;
}

/**
 * Upsample a raw map to the crop bilinearly and scale it to [0, 1] (all zeros when it is flat).
 * @param {Float32Array} raw (h, w).
 * @param {number} h
 * @param {number} w
 * @param {number} height The crop's height.
 * @param {number} width The crop's width.
 * @returns {Float32Array} (height, width).
 */
export function normalizeCam(raw, h, w, height, width) {
  const up = upsample(raw, h, w, height, width);
  let lo = Infinity, hi = -Infinity;
  for (const v of up) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi - lo > 0)) return new Float32Array(height * width);
  for (let i = 0; i < up.length; i++) up[i] = Math.min(Math.max((up[i] - lo) / (hi - lo), 0), 1);
  return up;
}
