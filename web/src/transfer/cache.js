// @ts-check
/**
 * The pooled features of the visitor's photos, kept on their device in IndexedDB, as the library's
 * ``FeatureCache`` keeps them on disk: one vector per (variant setting, file content), the content
 * named by its SHA-256, so a renamed or moved photo is still found and a second run over the same
 * photos computes nothing. Beside them, each comparison made (as the Python app remembers a study
 * under its data's digest and settings), so the same photos with the same settings show their
 * results again without a fit. Both bounded by a count, the least recently used out. A browser
 * that refuses the storage (private browsing, a full quota, a frame denied it) costs time, never the
 * run: the cache says so once (``note``) and goes on without keeping anything.
 * @module transfer/cache
 */

export const DATABASE = "resnext-features";
const STORE = "features";
const STUDIES = "studies";
const USED = "used";
/** Vectors kept at most: about 200 MB of 2048 float32 each (the library keeps 2 GB on disk by default). */
export const MAX_VECTORS = 25_000;
/** Comparisons kept at most (a few kB each). */
export const MAX_STUDIES = 64;

/** The sentences said once when the device keeps nothing. */
export const REFUSED = "This browser keeps no features for this site (its storage is refused, as in a private window), "
  + "so each run computes them again.";
export const FULL = "This device's storage for this site is full, so these features were not kept: the next run computes "
  + "them again; remove models kept here (Model comparison) or clear this site's data to free space.";

/**
 * What decides a variant's features here: the variant, its preprocessing, and its weights (the
 * publisher's hash where the site pins one, else the Hub file it is downloaded from); the page runs
 * exact fp32 only.
 * @param {import("../models.js").Variant} v
 * @returns {string}
 */
export function setting(v) {
  const hub = /** @type {{repo?: string, file?: string, sha256?: string} | null} */ (v.hub);
  const weights = hub?.sha256 ?? `${hub?.repo}/${hub?.file}`;
  return `${v.id}|${JSON.stringify(v.preprocessing)}|${weights}|fp32`;
}

/**
 * A request as a promise.
 * @template T
 * @param {IDBRequest<T>} request
 * @returns {Promise<T>}
 */
const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/**
 * A transaction's end as a promise (it rejects with the transaction's error, e.g. a full quota).
 * @param {IDBTransaction} tx
 * @returns {Promise<void>}
 */
const finished = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onabort = () => reject(tx.error ?? new DOMException("The transaction was aborted.", "AbortError"));
  tx.onerror = () => undefined; // onabort follows with the error
});

export class FeatureCache {
  /**
   * @param {IDBDatabase | null} db ``null``: nothing can be kept.
   * @param {number} max
   * @param {string} note Why nothing can be kept, if so.
   */
  constructor(db, max, note) {
    this.db = db;
    this.max = max;
    /** @type {string} a sentence to say once: why features are not (or no longer) kept; ``""`` while all is well */
    this.note = note;
    /** @type {Map<string, {name: string, why: string}>} files that could not be read, by content, for the visit (never decoded twice), with the name their sentence says */
    this.unreadable = new Map();
  }

  /**
   * Open the cache; never fails (a refused storage gives a cache that keeps nothing, with its note).
   * @param {IDBFactory | null} [factory] ``indexedDB`` by default; ``null`` where there is none.
   * @param {number} [max] The bound in vectors.
   * @returns {Promise<FeatureCache>}
   */
  static async open(factory = globalThis.indexedDB, max = MAX_VECTORS) {
    try {
      if (!factory) throw new Error("no IndexedDB");
      const request = factory.open(DATABASE, 1);
      request.onupgradeneeded = () => {
        for (const name of [STORE, STUDIES]) request.result.createObjectStore(name, { keyPath: "key" }).createIndex(USED, USED);
      };
      /** @type {IDBDatabase} */
      const db = await new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error("blocked"));
      });
      db.onversionchange = () => db.close(); // another tab upgrading: let it
      return new FeatureCache(db, max, "");
    } catch {
      return new FeatureCache(null, max, REFUSED);
    }
  }

  /**
   * The vectors kept for some files, marked used now.
   * @param {string} variantSetting From ``setting``.
   * @param {string[]} digests The files' SHA-256.
   * @returns {Promise<(Float32Array | null)[]>} ``null`` where none is kept.
   */
  async getMany(variantSetting, digests) {
    if (!this.db) return digests.map(() => null);
    try {
      const tx = this.db.transaction(STORE, "readwrite");
      const store = tx.objectStore(STORE);
      const now = Date.now();
      const found = await Promise.all(digests.map(async (digest) => {
        const record = await done(store.get(`${variantSetting}|${digest}`));
        if (!record) return null;
        store.put({ ...record, [USED]: now }); // recently used: the last to go
        return /** @type {Float32Array} */ (record.vector);
      }));
      await finished(tx).catch(() => undefined); // the mark is a nicety: the vectors were read
      return found;
    } catch {
      return digests.map(() => null);
    }
  }

  /**
   * Keep vectors; a write that fails (a full quota) is said once, and nothing more is written.
   * @param {string} variantSetting
   * @param {[string, Float32Array][]} entries (digest, vector).
   * @returns {Promise<void>}
   */
  async putMany(variantSetting, entries) {
    if (!this.db || !entries.length) return;
    try {
      const tx = this.db.transaction(STORE, "readwrite");
      const store = tx.objectStore(STORE);
      const now = Date.now();
      for (const [digest, vector] of entries) store.put({ key: `${variantSetting}|${digest}`, vector: vector.slice(), [USED]: now });
      await finished(tx);
      await this.trim();
    } catch (error) {
      this.db = null;
      this.note = /** @type {any} */ (error)?.name === "QuotaExceededError" ? FULL : REFUSED;
    }
  }

  /**
   * A comparison kept under its key, marked used now.
   * @param {string} key
   * @returns {Promise<any>} ``undefined`` where none is kept.
   */
  async getStudy(key) {
    if (!this.db) return undefined;
    try {
      const tx = this.db.transaction(STUDIES, "readwrite");
      const store = tx.objectStore(STUDIES);
      const record = await done(store.get(key));
      if (record) store.put({ ...record, [USED]: Date.now() });
      await finished(tx).catch(() => undefined);
      return record?.study;
    } catch {
      return undefined;
    }
  }

  /**
   * Keep a comparison (anything structured clone takes); a failure is said once, as ``putMany``'s.
   * @param {string} key
   * @param {unknown} study
   * @returns {Promise<void>}
   */
  async putStudy(key, study) {
    if (!this.db) return;
    try {
      const tx = this.db.transaction(STUDIES, "readwrite");
      tx.objectStore(STUDIES).put({ key, study, [USED]: Date.now() });
      await finished(tx);
      await this.trim(STUDIES, MAX_STUDIES);
    } catch (error) {
      this.db = null;
      this.note = /** @type {any} */ (error)?.name === "QuotaExceededError" ? FULL : REFUSED;
    }
  }

  /**
   * Remove the least recently used records of a store until at most its bound are kept.
   * @param {string} [name] The store (the features', by default).
   * @param {number} [max] Its bound (``this.max`` for the features).
   * @returns {Promise<number>} How many were removed.
   */
  async trim(name = STORE, max = this.max) {
    if (!this.db) return 0;
    const tx = this.db.transaction(name, "readwrite");
    const store = tx.objectStore(name);
    let excess = (await done(store.count())) - max;
    const removed = Math.max(excess, 0);
    if (excess > 0) {
      await new Promise((resolve, reject) => {
        const cursor = store.index(USED).openCursor();
        cursor.onerror = () => reject(cursor.error);
        cursor.onsuccess = () => {
          const at = cursor.result;
          if (!at || excess-- <= 0) { resolve(undefined); return; }
          at.delete();
          at.continue();
        };
      });
    }
    await finished(tx);
    return removed;
  }

  /**
   * How many vectors are kept.
   * @returns {Promise<number>}
   */
  async count() {
    if (!this.db) return 0;
    return done(this.db.transaction(STORE).objectStore(STORE).count());
  }
}
