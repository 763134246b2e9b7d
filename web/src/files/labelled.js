// @ts-check
/**
 * The images of a batch as a labelled set, as the library makes one (``resnext.transfer.data``):
 * the images with a class folder, in the batch's order, their classes sorted by name, each image's
 * class index. Zip members and files given on their own are labelled as the app's "Your classes"
 * labels a zip (``from_zip``: ``unpack``, then ``labelled_members``): only when every one of them sits
 * in a class folder, else none does, each left out with the library's sentence. A dropped or picked
 * folder's images are labelled as ``labelled_files`` labels a folder: by the first folder below it,
 * those at its top left out without a word. Then ``_checked``: fewer than two classes, or a class with
 * fewer than two images, is the library's error.
 * @module files/labelled
 */

import { repr } from "../pyformat.js";
import { byCodePoint } from "./paths.js";

/**
 * @typedef {object} Labelled
 * @property {import("./read.js").Image[]} items
 * @property {number[]} labels One class index per item.
 * @property {string[]} classes Sorted.
 * @property {{name: string, why: string}[]} skipped The read's (when given one) then those left out here.
 */

/**
 * Label the images by their class folder.
 * @param {import("./read.js").Image[] | import("./read.js").Read} read The images, or a whole read (its
 *   ``skipped`` then come first, as the app's "Your classes" lists them).
 * @param {{where?: string, refused?: Map<string, string>}} [options] ``where``: how the error names the
 *   data ("the zip" for one zip, a folder's name for one folder, else "the files"); ``refused``: image path →
 *   why it cannot be used (a photo that does not decode: ``labelled_files`` leaves those out before counting).
 * @returns {Labelled}
 * @throws {Error} Fewer than two classes, or a class with fewer than two usable images (the library's sentence).
 */
export function labelled(read, { where, refused } = {}) {
  const images = Array.isArray(read) ? read : read.images;
  /** @type {{name: string, why: string}[]} */
  const skipped = Array.isArray(read) ? [] : [...read.skipped];
  /** @type {import("./read.js").Image[]} */
  const usable = [];
  // unpack's rule: a batch has class folders only if every image outside a dropped folder has one.
  const zipClassed = images.every((i) => i.kind === "folder" || i.folder !== null);
  for (const image of images) {
    const why = refused?.get(image.path);
    if (why !== undefined) skipped.push({ name: image.path, why });
    else if (image.kind === "folder") {
      if (image.folder !== null) usable.push(image); // labelled_files: a file at the folder's top is no class's
    } else if (!zipClassed || image.folder === null) {
      skipped.push({ name: image.path, why: `${image.path} is in no class folder; put it in the folder of its class.` });
    } else usable.push(image);
  }
  const classes = [...new Set(usable.map((i) => /** @type {string} */ (i.folder)))].sort(byCodePoint);
  const named = where ?? whereOf(Array.isArray(read) ? images.map((i) => i.source) : read.given.map((g) => g.kind === "file" ? null : g.name));
  if (classes.length < 2) {
    const found = classes.length ? `only the class ${repr(classes[0])}` : "no class folder with images";
    throw new Error(`${named} has ${found}; a comparison needs at least two class folders of images.`);
  }
  const counts = new Map(classes.map((c) => [c, 0]));
  for (const image of usable) counts.set(/** @type {string} */ (image.folder), /** @type {number} */ (counts.get(/** @type {string} */ (image.folder))) + 1);
  const small = classes.filter((c) => /** @type {number} */ (counts.get(c)) < 2).map((c) => `${repr(c)} (${counts.get(c)})`);
  if (small.length) {
    throw new Error(`Each class needs at least two usable images; ${small.join(", ")} ${small.length === 1 ? "has" : "have"} fewer. Add images or remove the folder.`);
  }
  const index = new Map(classes.map((c, k) => [c, k]));
  return { items: usable, labels: usable.map((i) => /** @type {number} */ (index.get(/** @type {string} */ (i.folder)))), classes, skipped };
}

/**
 * How the library names the data in its error: "the zip" (``labelled_members``), the folder
 * (``labelled_files``), or "the files" when they came from several places.
 * @param {(string | null)[]} sources Where each image (or each thing read) came from.
 */
function whereOf(sources) {
  const from = new Set(sources);
  const only = from.size === 1 ? [...from][0] : null;
  if (only === null) return "the files";
  return only.toLowerCase().endsWith(".zip") ? "the zip" : only;
}

/**
 * Images per class, in class order (``LabelledSet.counts``).
 * @param {Labelled} set
 * @returns {Map<string, number>}
 */
export function counts(set) {
  const found = new Map(set.classes.map((c) => [c, 0]));
  for (const k of set.labels) found.set(set.classes[k], /** @type {number} */ (found.get(set.classes[k])) + 1);
  return found;
}
