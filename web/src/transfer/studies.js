// @ts-check
/**
 * The transfer study's worker on the page's side (``study-worker.js``): the photos' hashes and headers, thumbnails, the
 * comparison and a head as promises, so the page's thread never runs them. A job given up with its
 * signal rejects at once with the signal's reason and ends the worker, which a fit would not stop to
 * hear; the next job starts a new one.
 * @module transfer/studies
 */

import { Jobs } from "../protocol.js";

/**
 * @typedef {import("./study.js").Comparison & {scores: (import("./study.js").Score & {duplicateCount: number})[]}} Comparison
 *   As ``compareBackbones`` gives it, with each backbone's near-duplicates cut to the first ``SHOWN`` and their count.
 */
/** @typedef {import("./study.js").Backbone} Backbone */
/** @typedef {{signal?: AbortSignal, progress?: import("../protocol.js").Progress}} Options */

export class Studies {
  /** @param {() => Worker} [spawn] Makes the worker (``study-worker.js``, a module worker, by default). */
  constructor(spawn = () => new Worker(new URL("./study-worker.js", import.meta.url), { type: "module" })) {
    this.spawn = spawn;
    /** @type {{worker: Worker, jobs: Jobs} | null} */
    this.current = null;
  }

  /**
   * A job on the worker (started if there is none).
   * @param {Record<string, any>} message
   * @param {Transferable[]} transfer
   * @param {Options} options
   * @returns {Promise<any>}
   */
  job(message, transfer, { signal, progress } = {}) {
    signal?.throwIfAborted();
    if (!this.current) {
      const worker = this.spawn();
      const jobs = new Jobs((m, t) => worker.postMessage(m, t));
      worker.onmessage = (event) => jobs.receive(event.data);
      worker.onerror = (event) => { event.preventDefault(); jobs.failAll("The study's worker stopped; reload the page."); };
      this.current = { worker, jobs };
    }
    const mine = this.current;
    const end = () => { // given up: the worker may be deep in a fit, so it goes, and the next job starts another
      mine.worker.terminate();
      mine.jobs.failAll("That work was stopped with another; do it again.");
      if (this.current === mine) this.current = null;
    };
    const started = mine.jobs.start(message, transfer, { signal, progress }); // its own rejection comes first
    signal?.addEventListener("abort", end, { once: true });
    return started.finally(() => signal?.removeEventListener("abort", end));
  }

  /**
   * Each file's SHA-256 (hex), and why it cannot be used where its header says so.
   * @param {Blob[]} blobs
   * @param {string[]} names What sentences call them.
   * @param {{max_pixels: number, max_aspect: number}} limits The catalog's.
   * @param {Options} [options] ``progress`` counts files.
   * @returns {Promise<{digest: string, refused: string | null}[]>}
   */
  files(blobs, names, limits, options) {
    return this.job({ type: "files", blobs, names, limits }, [], options ?? {});
  }

  /**
   * Small JPEG copies of photos for thumbnails (``null`` where one cannot be decoded).
   * @param {Blob[]} blobs
   * @param {number} width
   * @param {Options} [options]
   * @returns {Promise<(Blob | null)[]>}
   */
  thumbs(blobs, width, options) {
    return this.job({ type: "thumbs", blobs, width }, [], options ?? {});
  }

  /**
   * ``compareBackbones`` in the worker.
   * @param {Backbone[]} backbones
   * @param {Int32Array} labels
   * @param {string[]} classes
   * @param {{folds?: number, seed?: number}} settings
   * @param {Options} [options] ``progress`` gets the fraction done and the stage.
   * @returns {Promise<Comparison>}
   */
  compare(backbones, labels, classes, settings, options) {
    return this.job({ type: "compare", backbones, labels, classes, options: settings }, [], options ?? {});
  }

  /**
   * The probe refitted on every photo, as a head and its file (the library's ``head_of``).
   * @param {Float32Array} features (n, dims).
   * @param {number} dims
   * @param {Int32Array} labels
   * @param {string[]} names The classes, by label.
   * @param {import("./head.js").Variant} variant The backbone.
   * @param {Options} [options]
   * @returns {Promise<{head: import("./head.js").Head, bytes: Uint8Array}>}
   */
  head(features, dims, labels, names, variant, options) {
    return this.job({ type: "head", features, dims, labels, names, variant }, [], options ?? {});
  }
}
