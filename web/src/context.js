// @ts-check
/**
 * What every page shares for the visit: the catalog, the runtime and its sessions, and the photo in
 * use with its crops (one per preprocessing), so that switching pages keeps both.
 * @module context
 */

import { Photos } from "./photos.js";
import { UPLOAD } from "./links.js";
import { Heads } from "./heads.js";

/** @typedef {import("./models.js").Variant} Variant */
/**
 * @typedef {{variants: Variant[], families: Record<string, string>, labels: string[],
 *   colormap: {name: string, rgb: number[][]}, synsets: string[],
 *   limits: {max_pixels: number, max_aspect: number} & import("./files/read.js").Limits}} Catalog
 */
/**
 * @typedef {{name: string, source: string, width: number, height: number, note: string, url: string, handle: number}} Photo
 *   ``handle``: its pixels in the photo's worker (``photos.js``).
 */

export class Context {
  /**
   * @param {Catalog} catalog
   * @param {string[]} samples
   * @param {import("./runtime.js").Features} features
   * @param {() => Promise<import("./models.js").Models>} models Made on first use (the runtime loads then).
   * @param {import("./kept.js").Caches | undefined} [caches] Where the weights are kept, if anywhere.
   * @param {() => Photos} [photos] The photo's worker, made on first use.
   */
  constructor(catalog, samples, features, models, caches, photos = () => new Photos()) {
    this.catalog = catalog;
    this.samples = samples;
    this.features = features;
    this.variants = new Map(catalog.variants.map((v) => [v.id, v]));
    this.runnable = catalog.variants.filter((v) => !v.browser && v.hub);
    /** @type {Photo | null} */
    this.photo = null;
    /** @type {Map<string, Promise<{crop: Uint8Array, input: Float32Array}>>} */
    this.crops = new Map();
    this.makePhotos = photos;
    /** @type {Photos | null} */
    this.reader = null;
    /** @type {Promise<import("./models.js").Models> | null} */
    this.modelsPromise = null;
    this.makeModels = models;
    this.caches = caches;
    /** @type {Map<string, number[]>} each variant's network milliseconds on this device, this visit */
    this.times = new Map();
    /** classifiers of the visitor's own classes, made or loaded on the page Your classes, for the visit */
    this.heads = new Heads();
  }

  /** @returns {Promise<import("./models.js").Models>} */
  models() {
    if (!this.modelsPromise) {
      const made = this.makeModels();
      made.catch(() => { if (this.modelsPromise === made) this.modelsPromise = null; }); // a failed start is tried again
      this.modelsPromise = made;
    }
    return this.modelsPromise;
  }

  /**
   * Make a chosen file the photo in use; a file that cannot be used leaves the last one in place, and
   * so does a choice whose signal aborted (a newer one was made, or its page was left).
   * @param {import("./chooser.js").Chosen} chosen
   * @param {AbortSignal} [signal]
   * @returns {Promise<Photo>}
   * @throws {Error} One sentence on what is wrong with the file, or the signal's reason.
   */
  async use(chosen, signal) {
    const file = await chosen.file;
    signal?.throwIfAborted();
    const reader = this.reader ??= this.makePhotos();
    const read = await reader.read(file, chosen.name, this.catalog.limits, signal); // decoded in the photo's worker
    if (signal?.aborted) { reader.drop(read.photo); throw signal.reason; }
    if (this.photo) { URL.revokeObjectURL(this.photo.url); reader.drop(this.photo.handle); }
    this.photo = { name: chosen.name, source: chosen.source, width: read.width, height: read.height, note: read.note,
      url: URL.createObjectURL(file), handle: read.photo };
    this.crops.clear();
    return this.photo;
  }

  /**
   * What a link says of the photo, as the Streamlit app's ``photo`` parameter: a sample's name, or
   * ``upload`` for the visitor's own; before any photo, what the link itself asked.
   * @param {string | null} asked The link's ``photo``.
   * @returns {string | null}
   */
  linkPhoto(asked) {
    if (!this.photo) return asked;
    return this.photo.source === "Samples" ? this.photo.name : UPLOAD;
  }

  /**
   * The photo's crop and input tensor as a variant sees them, made in the photo's worker once per
   * preprocessing (a failed one is made again when next asked).
   * @param {Variant} v
   * @returns {Promise<{crop: Uint8Array, input: Float32Array}>}
   */
  crop(v) {
    const photo = /** @type {Photo} */ (this.photo);
    const key = JSON.stringify(v.preprocessing);
    let made = this.crops.get(key);
    if (!made) {
      const crops = this.crops;
      made = /** @type {Photos} */ (this.reader).crop(photo.handle, v.preprocessing);
      made.catch(() => { if (crops.get(key) === made) crops.delete(key); });
      crops.set(key, made);
    }
    return made;
  }

  /**
   * A variant's label in pickers, as the Streamlit app writes it.
   * @param {Variant} v
   * @returns {string}
   */
  label(v) {
    return `${v.architecture} · ${v.top1 === null ? "—" : `${v.top1.toFixed(1)}%`} top-1 · ${v.size_label}`;
  }

  /**
   * A family's heading, e.g. "SSL: semi-supervised …".
   * @param {string} name
   * @returns {string}
   */
  familyLabel(name) {
    const title = this.catalog.families[name];
    return title ? `${name}: ${title[0].toLowerCase()}${title.slice(1)}` : name;
  }
}
