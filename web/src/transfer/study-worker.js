// @ts-check
/**
 * The transfer study's own worker, so that the page never waits for it: the photos' SHA-256 (the
 * feature cache's keys), the comparison of the backbones (``study.js``: seconds of fits for a hundred
 * photos) and the probe refitted on every photo as a head file (``head.js``). One job at a time; the
 * page gives a job up by ending this worker (a fit does not stop to listen), and starts another.
 *
 * Page → worker (``studies.js``, with ``protocol.js``'s ``Jobs``): ``{type: "hash", job, blobs}``,
 * ``{type: "compare", job, backbones, labels, classes, options}``,
 * ``{type: "head", job, features, dims, labels, names, variant}``.
 * Worker → page: ``{type: "progress", job, done, total, stage}``, ``{type: "done", job, result}``,
 * ``{type: "error", job, message, kind: "error"}``.
 * @module transfer/study-worker
 */

import { Sha256 } from "../sha256.js";
import { compareBackbones } from "./study.js";
import { fitProbe } from "./probe.js";
import { headFromProbe, writeHead } from "./head.js";

const scope = /** @type {{postMessage: (message: any, transfer?: Transferable[]) => void, onmessage: any}} */ (/** @type {unknown} */ (globalThis));

/** Bytes read from a file at a time while it is hashed. */
const SLICE = 4 << 20;

/**
 * The SHA-256 of each file, read a slice at a time.
 * @param {Blob[]} blobs
 * @param {(done: number, total: number) => void} progress
 * @returns {Promise<string[]>}
 */
async function hash(blobs, progress) {
  const out = [];
  for (const blob of blobs) {
    const sha = new Sha256();
    for (let at = 0; at < blob.size; at += SLICE) sha.update(new Uint8Array(await blob.slice(at, at + SLICE).arrayBuffer()));
    out.push(sha.hex());
    progress(out.length, blobs.length);
  }
  return out;
}

/** @type {Promise<unknown>} one job at a time */
let tail = Promise.resolve();

scope.onmessage = (/** @type {MessageEvent} */ { data }) => {
  const job = data.job;
  const say = (/** @type {number} */ done, /** @type {number} */ total, /** @type {string} */ stage = "") =>
    scope.postMessage({ type: "progress", job, done, total, stage });
  tail = tail.then(async () => {
    try {
      if (data.type === "hash") {
        scope.postMessage({ type: "done", job, result: await hash(data.blobs, say) });
      } else if (data.type === "compare") {
        const result = compareBackbones(data.backbones, data.labels, data.classes, {
          ...data.options, progress: (stage, fraction) => say(fraction, 1, stage),
        });
        scope.postMessage({ type: "done", job, result });
      } else if (data.type === "head") {
        const rows = Array.from(data.labels, (_, i) => i);
        const probe = fitProbe(data.features, data.dims, data.labels, rows);
        const head = headFromProbe(probe, data.names, data.variant);
        const bytes = writeHead(head);
        scope.postMessage({ type: "done", job, result: { head, bytes } }, [bytes.buffer]);
      }
    } catch (error) {
      scope.postMessage({ type: "error", job, message: error instanceof Error ? error.message : String(error), kind: "error" });
    }
  });
};
