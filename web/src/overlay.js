// @ts-check
/**
 * Pictures on the page: the crop the network saw, and the CAM over it in the library's colormap,
 * blended as ``resnext.overlay`` does (``crop·(1−α) + colour·α``).
 * @module overlay
 */

/**
 * RGBA pixels of a crop, optionally with a map over it.
 * @param {Uint8Array} crop (size, size, 3).
 * @param {Float32Array | null} cam (size, size) in [0, 1], or null for the crop alone.
 * @param {number} alpha The map's opacity, 0 to 1.
 * @param {number[][]} lut 256 RGB entries (catalog.json's ``colormap``).
 * @returns {Uint8ClampedArray<ArrayBuffer>}
 */
export function blend(crop, cam, alpha, lut) {
  const n = crop.length / 3;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const colour = cam ? lut[Math.min(255, Math.max(0, Math.floor(cam[i] * 256)))] : null;
    for (let c = 0; c < 3; c++) {
      const base = crop[i * 3 + c];
      out[i * 4 + c] = colour ? base + alpha * (colour[c] - base) : base;
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Draw RGBA pixels on a canvas of their size.
 * @param {HTMLCanvasElement} canvas
 * @param {Uint8ClampedArray<ArrayBuffer>} rgba
 * @param {number} size
 */
export function paint(canvas, rgba, size) {
  canvas.width = size;
  canvas.height = size;
  /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d")).putImageData(new ImageData(rgba, size, size), 0, 0);
}
