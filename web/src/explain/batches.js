// @ts-check
/**
 * Running a sequence of image batches through a network, for the long explanations (occlusion,
 * faithfulness): a progress callback before each batch and an ``AbortSignal`` checked there, so a
 * Web Worker's caller sees the run advance and can cancel it between two batches.
 * @module explain/batches
 */

/**
 * What runs the network: ``count`` preprocessed images (count, 3, H, W) in, their logits
 * (count, classes) out.
 * @typedef {(images: Float32Array, count: number) => Float32Array | Promise<Float32Array>} Logits
 */

/**
 * @typedef {object} RunOptions
 * @property {AbortSignal} [signal] Cancels between batches (the promise rejects with its reason).
 * @property {(fraction: number) => void} [progress] Called with the fraction of images done, before each batch and at the end.
 */

/**
 * @typedef {object} Batch
 * @property {Float32Array} images (count, 3, H, W).
 * @property {number} count
 */

/**
 * Run every batch, in order, and gather the logits.
 * @param {Iterable<Batch>} batches
 * @param {number} total The images in all batches (for progress).
 * @param {Logits} logits
 * @param {RunOptions} [options]
 * @returns {Promise<Float32Array[]>} Each batch's logits.
 */
export async function runBatches(batches, total, logits, { signal, progress } = {}) {
  const out = [];
  let done = 0;
  for (const batch of batches) {
    signal?.throwIfAborted();
    progress?.(done / total);
    out.push(await logits(batch.images, batch.count));
    done += batch.count;
  }
  signal?.throwIfAborted();
  progress?.(1);
  return out;
}

/**
 * Each image's row of logits.
 * @param {Float32Array[]} logits Batches of (count, classes).
 * @param {number} classes
 * @returns {Float32Array[]}
 */
export function rows(logits, classes) {
  return logits.flatMap((batch) => Array.from({ length: batch.length / classes }, (_, i) => batch.subarray(i * classes, (i + 1) * classes)));
}
