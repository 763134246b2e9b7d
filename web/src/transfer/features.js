// @ts-check
/**
 * The pooled features of labelled photos through several backbones, from the device's cache where
 * they are kept (``cache.js``, by the file's SHA-256 and the variant's setting) and otherwise through
 * the network (``many.js``: each photo decoded once, batched in the worker), as the library's
 * ``extract_features`` does with its ``FeatureCache``. What is computed is kept as it comes, so a run
 * given up keeps what it had; a photo that cannot be read is remembered for the visit and skipped
 * with its sentence.
 * @module transfer/features
 */

import { setting } from "./cache.js";

/** Photos per call of the network (each batch within it is kept as it comes). */
export const CHUNK = 32;

/** @typedef {import("../many.js").Item} Item */
/** @typedef {import("../many.js").Many} Many */
/**
 * @typedef {(items: Item[], ids: string[], options: import("../many.js").ManyOptions) => Promise<Many>} Run
 *   ``runMany`` with its context bound.
 */
/**
 * @typedef {object} Features
 * @property {Map<string, (Float32Array | null)[]>} vectors Each variant's vector per photo, ``null`` where it could not be read.
 * @property {{index: number, name: string, why: string}[]} skipped Photos that could not be read, in order.
 * @property {number} computed Photos × backbones run through the network now.
 * @property {number} cached Photos × backbones found in the cache.
 * @property {string[]} notes Sentences on weights or features that could not be kept.
 */

/**
 * Every photo's features through every variant.
 * @param {Item[]} items
 * @param {string[]} digests Each photo's SHA-256, in order.
 * @param {import("../models.js").Variant[]} variants
 * @param {import("./cache.js").FeatureCache} cache
 * @param {Run} run
 * @param {{signal?: AbortSignal, progress?: (done: number, total: number) => void}} [options] ``progress``
 *   counts photos × backbones, those from the cache first.
 * @returns {Promise<Features>}
 * @throws The signal's reason, or a variant's sentence (it cannot be had or run here).
 */
export async function featuresOf(items, digests, variants, cache, run, { signal, progress } = {}) {
  const ids = variants.map((v) => v.id);
  const settings = new Map(variants.map((v) => [v.id, setting(v)]));
  /** @type {Map<string, (Float32Array | null)[]>} */
  const vectors = new Map();
  for (const v of variants) vectors.set(v.id, await cache.getMany(/** @type {string} */ (settings.get(v.id)), digests));
  signal?.throwIfAborted();
  /** @type {Features["skipped"]} */
  const skipped = [];
  items.forEach((item, i) => {
    const known = cache.unreadable.get(digests[i]);
    if (known) skipped.push({ index: i, name: item.name, why: rename(known, item.name) });
  });
  const unread = new Set(skipped.map((s) => s.index));
  // Photos grouped by the backbones they still need, so each is decoded once for all of them.
  /** @type {Map<string, number[]>} */
  const groups = new Map();
  let cached = 0;
  items.forEach((_, i) => {
    if (unread.has(i)) return;
    const missing = ids.filter((id) => !(/** @type {(Float32Array | null)[]} */ (vectors.get(id)))[i]);
    cached += ids.length - missing.length;
    if (missing.length) groups.set(missing.join("\n"), [...(groups.get(missing.join("\n")) ?? []), i]);
  });
  const total = (items.length - unread.size) * ids.length;
  let done = cached;
  progress?.(done, total);
  let computed = 0;
  /** @type {string[]} */
  const notes = [];
  for (const [key, members] of groups) {
    const need = key.split("\n");
    for (let from = 0; from < members.length; from += CHUNK) {
      const part = members.slice(from, from + CHUNK);
      const before = done;
      /** @type {Promise<void>[]} */
      const puts = [];
      const answered = (/** @type {string} */ id, /** @type {number[]} */ indices, /** @type {Float32Array[]} */ pooled) => {
        const mine = /** @type {(Float32Array | null)[]} */ (vectors.get(id));
        /** @type {[string, Float32Array][]} */
        const keep = indices.map((k, j) => {
          const i = part[k];
          mine[i] = pooled[j].slice(); // its own buffer: the batch's is shared with its neighbours
          return [digests[i], mine[i]];
        });
        computed += keep.length;
        puts.push(cache.putMany(/** @type {string} */ (settings.get(id)), keep));
      };
      /** @type {Many} */
      let many;
      try {
        many = await run(part.map((i) => items[i]), need, { signal, progress: (d) => progress?.(before + d, total), answered });
      } finally {
        await Promise.all(puts); // kept before a run given up says so
      }
      for (const s of many.skipped) {
        const i = part[s.index];
        cache.unreadable.set(digests[i], { name: items[i].name, why: s.why });
        skipped.push({ index: i, name: items[i].name, why: s.why });
      }
      for (const note of many.notes) if (!notes.includes(note)) notes.push(note);
      done = before + part.length * need.length;
      progress?.(done, total);
    }
  }
  if (cache.note && !notes.includes(cache.note)) notes.push(cache.note);
  skipped.sort((a, b) => a.index - b.index);
  return { vectors, skipped, computed, cached, notes };
}

/**
 * A remembered sentence about a file, said of this file's name (the same content may come under another).
 * @param {{name: string, why: string}} known The name it was said of, and the sentence.
 * @param {string} name
 * @returns {string}
 */
function rename(known, name) {
  return known.why.startsWith(known.name) ? name + known.why.slice(known.name.length) : known.why;
}
