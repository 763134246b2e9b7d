// @ts-check
/**
 * Accuracy on a labelled folder, as ``resnext eval`` (``resnext.bulk.evaluate``): one sub-folder per
 * class, named by its synset id (``n01440764``), class index (``0``) or class name (``tench``, any
 * case, ``_`` for spaces); each model's top-1 and top-5 accuracy with a 95% Wilson interval, its
 * accuracy per class, and how often two models give the same top-1.
 * @module folder/evaluate
 */

import { wilson } from "../interval.js";
import { OK } from "./results.js";

/** What a folder is searched for (``resnext.bulk.inputs.IMAGE_SUFFIXES``). */
export const IMAGE_SUFFIXES = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"];

/**
 * @typedef {object} Score
 * @property {string} model
 * @property {number} images
 * @property {number} top1
 * @property {[number, number]} top1Interval
 * @property {number} top5
 * @property {[number, number]} top5Interval
 * @property {number | null} publishedTop1 Percent, on ImageNet-1k's validation set: a different data set.
 * @property {number | null} publishedTop5
 * @property {Map<number, [number, number]>} perClass Class index → (top-1 correct, images), by index.
 *
 * @typedef {object} Evaluation
 * @property {Score[]} scores
 * @property {{a: string, b: string, share: number}[]} agreement Share of images with the same top-1.
 * @property {import("./results.js").Row[]} failures
 * @property {string[]} labels
 */

/** @param {string} name */
const key = (name) => name.trim().toLowerCase().replaceAll("_", " ");

/**
 * Class-folder names to class indices: synset id, index or class name.
 * @param {string[]} names
 * @param {string[]} labels The model's class names, in index order.
 * @param {string[]} synsets ImageNet's synset ids in index order (they apply when there are as many labels).
 * @returns {Map<string, number>}
 * @throws {Error} The library's sentence: a name that is none of the three, or a class name two classes share.
 */
export function classIndices(names, labels, synsets) {
  /** @type {Map<string, number>} */
  const byName = new Map(), bySynset = new Map();
  const ambiguous = new Set();
  labels.forEach((label, i) => {
    if (byName.has(key(label))) ambiguous.add(key(label));
    byName.set(key(label), i);
  });
  if (labels.length === synsets.length) synsets.forEach((s, i) => bySynset.set(s, i));
  /** @type {Map<string, number>} */
  const mapping = new Map();
  const unknown = [];
  for (const name of names) {
    if (bySynset.has(name)) mapping.set(name, bySynset.get(name));
    else if (/^[0-9]+$/.test(name) && Number(name) < labels.length) mapping.set(name, Number(name));
    else if (ambiguous.has(key(name))) throw new Error(`The class folder ${repr(name)} names two classes; rename it to its synset id or class index.`);
    else if (byName.has(key(name))) mapping.set(name, /** @type {number} */ (byName.get(key(name))));
    else unknown.push(name);
  }
  if (unknown.length) {
    const shown = unknown.slice(0, 3).map(repr).join(", ") + (unknown.length > 3 ? ` and ${unknown.length - 3} more` : "");
    throw new Error(`The class folders ${shown} are not ImageNet synset ids, class indices or class names; rename them (e.g. n01440764, 0 or tench).`);
  }
  return mapping;
}

/**
 * Python's ``repr`` of a plain string (single quotes unless it holds one and no double quote).
 * @param {string} text
 */
function repr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r").replaceAll("\t", "\\t");
  return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote;
}

/**
 * The files of a labelled folder (paths relative to the dropped folder, e.g. a file's
 * ``webkitRelativePath``, "photos/n01440764/a.jpg"), with their classes, in the library's order:
 * class folders by name, then their images (any depth, by path); hidden files and folders skipped.
 * @param {string[]} paths
 * @param {string[]} labels
 * @param {string[]} synsets
 * @returns {{path: string, classIndex: number}[]}
 * @throws {Error} No class folders, or a folder that names no class.
 */
export function labelledFiles(paths, labels, synsets) {
  /** @type {Map<string, string[]>} */
  const folders = new Map();
  for (const path of paths) {
    const parts = path.split("/").slice(1); // below the dropped folder
    if (parts.length < 2 || parts.some((p) => p.startsWith("."))) continue;
    const suffix = parts.at(-1)?.toLowerCase().match(/\.[^.]*$/)?.[0] ?? "";
    if (!folders.has(parts[0])) folders.set(parts[0], []);
    if (IMAGE_SUFFIXES.includes(suffix)) folders.get(parts[0])?.push(path);
  }
  if (!folders.size) {
    throw new Error("The folder has no class sub-folders; put each class's images in a folder named by its synset id (n01440764), class index (0) or class name (tench).");
  }
  const names = [...folders.keys()].sort(byCodePoint);
  const indices = classIndices(names, labels, synsets);
  return names.flatMap((name) => (folders.get(name) ?? []).sort(byParts).map((path) => ({ path, classIndex: /** @type {number} */ (indices.get(name)) })));
}

/** @param {string} a @param {string} b */
function byCodePoint(a, b) {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return /** @type {number} */ (x[i].codePointAt(0)) - /** @type {number} */ (y[i].codePointAt(0));
  }
  return x.length - y.length;
}

/** Paths sorted as Python sorts ``Path`` objects: part by part. @param {string} a @param {string} b */
function byParts(a, b) {
  const x = a.split("/"), y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return byCodePoint(x[i], y[i]);
  return x.length - y.length;
}

/**
 * Score rows (top-5 per model) against known classes, as the library's ``score_rows``.
 * @param {{id: string, top1: number | null, top5: number | null}[]} models The models in column order (catalog rows do).
 * @param {import("./results.js").Row[]} rows
 * @param {Map<string, number> | Record<string, number>} truth Each row's path → its class index.
 * @param {string[]} labels
 * @returns {Evaluation}
 * @throws {Error} No row could be read.
 */
export function scoreRows(models, rows, truth, labels) {
  const classOf = truth instanceof Map ? (/** @type {string} */ p) => truth.get(p) : (/** @type {string} */ p) => truth[p];
  const ids = models.map((m) => m.id);
  const hits5 = new Map(ids.map((id) => [id, 0]));
  /** @type {Map<string, Map<number, [number, number]>>} */
  const perClass = new Map(ids.map((id) => [id, new Map()]));
  const pairs = ids.flatMap((a, i) => ids.slice(i + 1).map((b) => ({ a, b, same: 0 })));
  const failures = [];
  let n = 0;
  for (const row of rows) {
    if (row.status !== OK) {
      failures.push(row);
      continue;
    }
    n += 1;
    const label = /** @type {number} */ (classOf(row.path));
    for (const id of ids) {
      const top = row.predictions[id].map((p) => p.index);
      const counts = /** @type {Map<number, [number, number]>} */ (perClass.get(id));
      const [correct, total] = counts.get(label) ?? [0, 0];
      counts.set(label, [correct + Number(top[0] === label), total + 1]);
      hits5.set(id, /** @type {number} */ (hits5.get(id)) + Number(top.includes(label)));
    }
    for (const pair of pairs) pair.same += Number(row.predictions[pair.a][0].index === row.predictions[pair.b][0].index);
  }
  if (n === 0) throw new Error(`None of the ${failures.length} images could be read; see the reasons above.`);
  const scores = models.map((model) => {
    const counts = new Map([.../** @type {Map<number, [number, number]>} */ (perClass.get(model.id))].sort((x, y) => x[0] - y[0]));
    const hits1 = [...counts.values()].reduce((sum, [correct]) => sum + correct, 0), top5 = /** @type {number} */ (hits5.get(model.id));
    return {
      model: model.id, images: n, top1: hits1 / n, top1Interval: wilson(hits1, n), top5: top5 / n, top5Interval: wilson(top5, n),
      publishedTop1: model.top1, publishedTop5: model.top5, perClass: counts,
    };
  });
  return { scores, agreement: pairs.map(({ a, b, same }) => ({ a, b, share: same / n })), failures, labels };
}
