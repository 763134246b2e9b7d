// @ts-check
/**
 * The library's exact preprocessing on RGB pixels: the short side resized to ``resize_to`` with the
 * variant's filter as Pillow does it (antialiased when reducing, 8-bit fixed-point weights, one
 * horizontal then one vertical pass, each rounded), torchvision's centre crop, then normalisation.
 * @module preprocess
 */

const PRECISION_BITS = 32 - 8 - 2; // Pillow's 8-bit resampling precision
const ONE = 2 ** PRECISION_BITS;

/** @type {Record<string, {support: number, weight: (x: number) => number}>} */
export const FILTERS = {
  bilinear: { support: 1, weight: (x) => { x = Math.abs(x); return x < 1 ? 1 - x : 0; } },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
};

/**
 * Each output position's first input index and fixed-point weights along one axis (Pillow's
 * ``precompute_coeffs`` and ``normalize_coeffs_8bpc``).
 * @param {number} inSize
 * @param {number} outSize
 * @param {{support: number, weight: (x: number) => number}} filter
 * @returns {{first: Int32Array, weights: number[][]}}
 */
function coefficients(inSize, outSize, filter) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const first = new Int32Array(outSize);
  const weights = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k = [];
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) / filterScale);
      k.push(w);
      total += w;
    }
    first[xx] = xmin;
    weights.push(k.map((w) => { const v = total === 0 ? 0 : w / total; return v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE); }));
  }
  return { first, weights };
}

/** @param {number} v */
const clip8 = (v) => { const s = Math.floor(v / ONE); return s < 0 ? 0 : s > 255 ? 255 : s; };

/**
 * Resize RGB pixels as Pillow's ``Image.resize`` does for 8-bit images.
 * @param {Uint8Array} rgb (height, width, 3).
 * @param {number} width
 * @param {number} height
 * @param {number} outWidth
 * @param {number} outHeight
 * @param {string} filter ``bilinear`` or ``bicubic``.
 * @returns {Uint8Array} (outHeight, outWidth, 3).
 */
export function resize(rgb, width, height, outWidth, outHeight, filter) {
  const f = FILTERS[filter];
  if (!f) throw new Error(`The resize filter ${filter} is not one this page knows; reload the page.`);
  let pixels = rgb, w = width;
  if (outWidth !== width) {
    const { first, weights } = coefficients(width, outWidth, f);
    const out = new Uint8Array(height * outWidth * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < outWidth; x++) {
        const k = weights[x];
        for (let c = 0; c < 3; c++) {
          let sum = ONE / 2;
          for (let i = 0; i < k.length; i++) sum += pixels[(y * w + first[x] + i) * 3 + c] * k[i];
          out[(y * outWidth + x) * 3 + c] = clip8(sum);
        }
      }
    }
    pixels = out;
    w = outWidth;
  }
  if (outHeight !== height) {
    const { first, weights } = coefficients(height, outHeight, f);
    const out = new Uint8Array(outHeight * w * 3);
    for (let y = 0; y < outHeight; y++) {
      const k = weights[y];
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = ONE / 2;
          for (let i = 0; i < k.length; i++) sum += pixels[((first[y] + i) * w + x) * 3 + c] * k[i];
          out[(y * w + x) * 3 + c] = clip8(sum);
        }
      }
    }
    pixels = out;
  }
  return pixels;
}

/** Python's ``round``: halves to even, as torchvision's centre crop rounds. @param {number} v */
export const roundHalfEven = (v) => { const r = Math.round(v); return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; };

/**
 * The crop the network sees: the short side to ``resizeTo``, then the centre ``size``×``size``.
 * @param {Uint8Array} rgb (height, width, 3).
 * @param {number} width
 * @param {number} height
 * @param {{resize_to: number, image_size: number, interpolation: string}} pre The variant's preprocessing (catalog.json).
 * @returns {Uint8Array} (size, size, 3).
 */
export function centreCrop(rgb, width, height, pre) {
  const short = Math.min(width, height), long = Math.max(width, height);
  const newLong = Math.trunc(pre.resize_to * long / short);
  const [rw, rh] = width <= height ? [pre.resize_to, newLong] : [newLong, pre.resize_to];
  const resized = resize(rgb, width, height, rw, rh, pre.interpolation);
  const size = pre.image_size;
  const top = roundHalfEven((rh - size) / 2), left = roundHalfEven((rw - size) / 2);
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) out.set(resized.subarray(((top + y) * rw + left) * 3, ((top + y) * rw + left + size) * 3), y * size * 3);
  return out;
}

/**
 * The network's input: (3, size, size) float32, each channel (x / 255 − mean) / std.
 * @param {Uint8Array} crop (size, size, 3).
 * @param {number} size
 * @param {number[]} mean
 * @param {number[]} std
 * @returns {Float32Array}
 */
export function normalize(crop, size, mean, std) {
  const out = new Float32Array(3 * size * size);
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) out[c * size * size + i] = (crop[i * 3 + c] / 255 - mean[c]) / std[c];
  }
  return out;
}
