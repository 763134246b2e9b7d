// @ts-check
/**
 * The photo's worker on the page's side (``photo-worker.js``): a file read, and a variant's crop of
 * it, as promises, so that neither the decode nor the crop runs on the page's thread. A read is
 * given up with its signal: its promise rejects at once with ``signal.reason`` and the decode stops.
 * @module photos
 */

import { Jobs } from "./protocol.js";

/** @typedef {{photo: number, width: number, height: number, note: string}} Read ``photo``: the handle crops name. */

export class Photos {
  /** @param {() => Worker} [spawn] Makes the worker (``photo-worker.js``, a module worker, by default). */
  constructor(spawn = () => new Worker(new URL("./photo-worker.js", import.meta.url), { type: "module" })) {
    this.worker = spawn();
    const jobs = new Jobs((message, transfer) => this.worker.postMessage(message, transfer));
    this.jobs = jobs;
    this.worker.onmessage = (event) => jobs.receive(event.data);
    this.worker.onerror = (event) => { event.preventDefault(); jobs.failAll("The photo's worker stopped; reload the page."); };
  }

  /**
   * Decode a file to upright RGB pixels, kept in the worker until dropped.
   * @param {Blob} file
   * @param {string} name
   * @param {{max_pixels: number, max_aspect: number}} limits
   * @param {AbortSignal} [signal]
   * @returns {Promise<Read>}
   * @throws {Error} ``readPhoto``'s sentence, or the signal's reason.
   */
  read(file, name, limits, signal) {
    return this.jobs.start({ type: "read", file, name, limits }, [], { signal });
  }

  /**
   * A photo's crop and input tensor for one preprocessing (their buffers transferred, not copied).
   * @param {number} photo
   * @param {import("./models.js").Variant["preprocessing"]} pre
   * @returns {Promise<{crop: Uint8Array, input: Float32Array}>}
   */
  crop(photo, pre) {
    return this.jobs.start({ type: "crop", photo, pre }, []);
  }

  /** @param {number} photo A photo no longer in use: its pixels are released. */
  drop(photo) {
    this.worker.postMessage({ type: "drop", photo });
  }
}
