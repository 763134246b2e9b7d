// @ts-check
/**
 * Pixel operations exactly as the library's Pillow does them: transparency over white
 * (``Image.alpha_composite`` on a white background), 16-bit grey to 8 bits (``resnext.inference.image``'s
 * scaling), and the EXIF transposes of ``ImageOps.exif_transpose``.
 * @module photo/pixels
 */

/**
 * One colour value over white at alpha ``a``, with Pillow's fixed-point arithmetic (AlphaComposite.c).
 * @param {number} c
 * @param {number} a
 * @returns {number}
 */
export function overWhite(c, a) {
  if (a === 0) return 255;
  const tmp = c * a * 128 + 255 * (255 - a) * 128 + (0x80 << 7);
  return ((((tmp >>> 8) + tmp) >>> 8) >>> 7);
}

/**
 * RGBA (straight alpha) to RGB over white.
 * @param {Uint8Array | Uint8ClampedArray} rgba
 * @returns {Uint8Array}
 */
export function rgbaOverWhite(rgba) {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    const a = rgba[i + 3];
    if (a === 255) { rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2]; }
    else for (let c = 0; c < 3; c++) rgb[j + c] = overWhite(rgba[i + c], a);
  }
  return rgb;
}

/**
 * Round half to even, as NumPy's ``rint``.
 * @param {number} x
 * @returns {number}
 */
export function rint(x) {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * 16-bit grey samples to 8 bits as ``resnext.inference.image._scale_to_l``: by 65535 when any sample exceeds
 * 255, else as they are.
 * @param {Uint16Array} samples
 * @returns {Uint8Array}
 */
export function scale16(samples) {
  let max = 0;
  for (const v of samples) if (v > max) max = v;
  const hi = max > 255 ? 65535 : 255;
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.min(255, Math.max(0, rint((samples[i] - 0) / hi * 255)));
  return out;
}

/**
 * Apply an EXIF orientation (2–8) to RGB pixels as ``ImageOps.exif_transpose`` does; 1 and
 * unknown values leave them as they are.
 * @param {Uint8Array} rgb
 * @param {number} width
 * @param {number} height
 * @param {number} orientation
 * @returns {{rgb: Uint8Array, width: number, height: number}}
 */
export function orient(rgb, width, height, orientation) {
  if (!(orientation >= 2 && orientation <= 8)) return { rgb, width, height };
  const swap = orientation >= 5;
  const ow = swap ? height : width, oh = swap ? width : height;
  const out = new Uint8Array(rgb.length);
  // The source of output pixel (x, y) is first(y) + x * step.
  const last = (height - 1) * width;
  const [first, step] = /** @type {Record<number, [(y: number) => number, number]>} */ ({
    2: [(y) => y * width + width - 1, -1],
    3: [(y) => last - y * width + width - 1, -1],
    4: [(y) => last - y * width, 1],
    5: [(y) => y, width],
    6: [(y) => last + y, -width],
    7: [(y) => last + width - 1 - y, -width],
    8: [(y) => width - 1 - y, width],
  })[orientation];
  for (let y = 0, o = 0; y < oh; y++) {
    for (let x = 0, s = first(y) * 3; x < ow; x++, o += 3, s += step * 3) {
      out[o] = rgb[s]; out[o + 1] = rgb[s + 1]; out[o + 2] = rgb[s + 2];
    }
  }
  return { rgb: out, width: ow, height: oh };
}
