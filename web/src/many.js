// @ts-check
/**
 * Many images through one or more variants, for the pages that take a folder (Batch, Your classes)
 * and the long explanations: each file is decoded once in the photo's worker (the library's limits:
 * a file that cannot be used is skipped with its sentence), cropped once per preprocessing, and the
 * crops go to the network's worker in batches. The next batch is decoded while the network runs
 * this one, and the run stops between two batches when its signal aborts.
 * @module many
 */

/** Images per network job: large enough to amortise a run's overhead, small enough for a phone's memory. */
export const BATCH = 8;

/** @typedef {{name: string, blob: Blob}} Item */
/** @typedef {{logits: (Float32Array | null)[], pooled: (Float32Array | null)[]}} Outputs Per item, in order; ``null`` where skipped. */
/**
 * @typedef {{outputs: Map<string, Outputs>, skipped: {index: number, name: string, why: string}[], ms: Map<string, number>,
 *   backends: Map<string, string>, notes: string[]}} Many
 *   ``ms``: each variant's network time per image; ``notes``: sentences on weights that could not be kept.
 */
/**
 * @typedef {{signal?: AbortSignal, progress?: (done: number, total: number) => void, batch?: number,
 *   download?: (id: string) => (done: number, total: number | null) => void,
 *   answered?: (id: string, indices: number[], pooled: Float32Array[]) => void}} ManyOptions
 *   ``progress`` counts images × variants answered (skipped images count as done); ``download`` gives, for a
 *   variant, what hears its weights' download (a variant's first batch downloads them, if not kept); ``answered``
 *   hears each batch's pooled features as they come (so a run given up keeps what it had).
 */

/**
 * Run every item through every variant.
 * @param {import("./context.js").Context} ctx
 * @param {Item[]} items
 * @param {string[]} ids Variants, each run on every item.
 * @param {ManyOptions} [options]
 * @returns {Promise<Many>}
 * @throws {Error} A variant's sentence (it cannot be had or run here), or the signal's reason.
 */
export async function runMany(ctx, items, ids, { signal, progress, batch = BATCH, download, answered } = {}) {
  const models = await ctx.models();
  const reader = ctx.reader ??= ctx.makePhotos();
  const variants = ids.map((id) => /** @type {import("./models.js").Variant} */ (ctx.variants.get(id)));
  const pres = [...new Set(variants.map((v) => JSON.stringify(v.preprocessing)))];
  /** @type {Map<string, Outputs>} */
  const outputs = new Map(ids.map((id) => [id, { logits: items.map(() => null), pooled: items.map(() => null) }]));
  /** @type {Many["skipped"]} */
  const skipped = [];
  /** @type {Map<string, number>} */
  const ms = new Map(ids.map((id) => [id, 0]));
  /** @type {Map<string, string>} */
  const backends = new Map();
  /** @type {string[]} */
  const notes = [];
  let done = 0;
  const total = items.length * ids.length;

  /**
   * Decode and crop one batch: the indices read and, per preprocessing, their tensors end to end.
   * @param {number} from
   */
  const prepare = async (from) => {
    /** @type {number[]} */
    const read = [];
    /** @type {Map<string, Float32Array[]>} */
    const inputs = new Map(pres.map((p) => [p, []]));
    for (let i = from; i < Math.min(from + batch, items.length); i++) {
      signal?.throwIfAborted();
      /** @type {number | null} */
      let handle = null;
      try {
        handle = (await reader.read(items[i].blob, items[i].name, ctx.catalog.limits, signal)).photo;
        const crops = await Promise.all(pres.map((p) => reader.crop(/** @type {number} */ (handle), JSON.parse(p))));
        crops.forEach((c, k) => /** @type {Float32Array[]} */ (inputs.get(pres[k])).push(c.input));
        read.push(i);
      } catch (error) {
        signal?.throwIfAborted();
        skipped.push({ index: i, name: items[i].name, why: /** @type {Error} */ (error).message });
        done += ids.length;
      } finally {
        if (handle !== null) reader.drop(handle);
      }
    }
    return { read, inputs };
  };

  let next = items.length ? prepare(0) : null;
  for (let from = 0; next; from += batch) {
    const { read, inputs } = await next;
    next = from + batch < items.length ? prepare(from + batch) : null; // decoded while the network runs
    next?.catch(() => undefined); // its failure is heard when it is awaited
    progress?.(done, total);
    if (!read.length) continue;
    /** @type {Map<string, Float32Array>} each preprocessing's batch, end to end, made once for every variant that shares it */
    const joined = new Map();
    for (const v of variants) {
      const pre = JSON.stringify(v.preprocessing);
      let batchInput = joined.get(pre);
      if (!batchInput) {
        const parts = /** @type {Float32Array[]} */ (inputs.get(pre));
        batchInput = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
        parts.reduce((at, p) => (/** @type {Float32Array} */ (batchInput).set(p, at), at + p.length), 0);
        joined.set(pre, batchInput);
      }
      const r = await models.batch(v.id, batchInput, read.length, { signal, progress: download?.(v.id) });
      const out = /** @type {Outputs} */ (outputs.get(v.id));
      read.forEach((i, k) => {
        out.logits[i] = r.logits.subarray(k * r.classes, (k + 1) * r.classes);
        out.pooled[i] = r.pooled.subarray(k * r.dim, (k + 1) * r.dim);
      });
      answered?.(v.id, read, read.map((i) => /** @type {Float32Array} */ (out.pooled[i])));
      ms.set(v.id, /** @type {number} */ (ms.get(v.id)) + r.ms);
      backends.set(v.id, r.backend);
      if (r.note && !notes.includes(r.note)) notes.push(r.note);
      done += read.length;
      progress?.(done, total);
    }
  }
  const read = items.length - skipped.length;
  for (const [id, sum] of ms) ms.set(id, read ? sum / read : 0);
  return { outputs, skipped, ms, backends, notes };
}
