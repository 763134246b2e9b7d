// @ts-check
/**
 * A pixel-level attribution reduced to a map in [0, 1], as the library's ``pixel_map``: the channels'
 * sum (positive evidence only) or their magnitudes' sum, divided by its 99th percentile (numpy's
 * linear one), clipped to [0, 1].
 * @module explain/pixelmap
 */

export const PIXEL_PERCENTILE = 99;

/**
 * @param {Float32Array} attribution (channels, h, w).
 * @param {number} channels
 * @param {boolean} signed Keep the positive part of the sum (true) or sum the magnitudes (false).
 * @returns {Float32Array} (h, w).
 */
export function pixelMap(attribution, channels, signed) {
  const size = attribution.length / channels;
  const values = new Float32Array(size);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < size; i++) {
      const v = attribution[c * size + i];
      values[i] += signed ? v : Math.abs(v);
    }
  }
  if (signed) for (let i = 0; i < size; i++) values[i] = Math.max(values[i], 0);
  let scale = percentile(values, PIXEL_PERCENTILE);
  if (!(scale > 0)) scale = values.reduce((a, b) => Math.max(a, b), -Infinity);
  if (!(scale > 0)) return new Float32Array(size);
  return values.map((v) => Math.min(Math.max(v / scale, 0), 1));
}

/**
 * numpy's ``percentile`` (method "linear").
 * @param {ArrayLike<number>} values
 * @param {number} q 0 to 100.
 */
export function percentile(values, q) {
  const sorted = Float64Array.from(values).sort();
  const index = (q / 100) * (sorted.length - 1), below = Math.floor(index), t = index - below;
  const a = sorted[below], b = sorted[Math.min(below + 1, sorted.length - 1)];
  // numpy's lerp, exact at both ends.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}
