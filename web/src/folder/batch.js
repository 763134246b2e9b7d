// @ts-check
/**
 * The Batch page's numbers, from ``many.js``'s outputs: each file's row (its top-k per model, as the
 * library's ``predict_files`` makes it, so ``results.js`` writes ``resnext predict --out``'s CSV), the
 * results and scores tables the Python page draws (``resnext_app.bulk.results_frame`` and
 * ``scores_frame``), each image's class from its class folder (``resnext_app.bulk.truth``), the
 * confusion of the folder's classes, and the time a run has left. No DOM.
 * @module folder/batch
 */

import { softmax } from "../models.js";
import { foldedLinear } from "../transfer/head.js";
import { fixed } from "../pyformat.js";
import { classIndices } from "./evaluate.js";
import { OK } from "./results.js";

/** @typedef {import("./results.js").Row} Row */
/** @typedef {import("./results.js").Prediction} Prediction */
/** @typedef {import("../many.js").Outputs} Outputs */

/**
 * One column of answers: a catalog variant's ImageNet classes, or a head of the visitor's classes on
 * a variant's pooled features.
 * @typedef {object} Column
 * @property {string} id The column's name in the CSV and the tables.
 * @property {string} source The variant whose network runs (``many.js``'s id).
 * @property {string[]} labels Its classes, by index.
 * @property {(logits: Float32Array, pooled: Float32Array) => Float64Array} probabilities
 */

/**
 * A catalog variant's column: softmax of its logits.
 * @param {string} id
 * @param {string[]} labels ImageNet's class names.
 * @returns {Column}
 */
export function imagenetColumn(id, labels) {
  return { id, source: id, labels, probabilities: (logits) => softmax(logits) };
}

/**
 * A head's column (``resnext predict --head``): its linear layer, the standardisation folded in as the
 * library's ``Head.linear`` folds it, on the backbone's pooled features, then softmax.
 * @param {string} id
 * @param {import("../transfer/head.js").Head} head
 * @param {{weight: Float32Array, bias: Float32Array}} [linear] The head folded already (``heads.js`` keeps it).
 * @returns {Column}
 */
export function headColumn(id, head, linear = foldedLinear(head)) {
  const { weight, bias } = linear;
  const k = head.classes.length, d = head.mean.length;
  return {
    id, source: head.backbone, labels: head.classes,
    probabilities: (_, pooled) => {
      const logits = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += weight[c * d + j] * pooled[j];
        logits[c] = s + bias[c];
      }
      return softmax(logits);
    },
  };
}

/**
 * The ``k`` most likely classes, most likely first (ties: the lower index), each probability rounded to
 * float32 as the library's (float32) softmax holds it, so that it prints as the library prints it.
 * @param {Float64Array} probabilities
 * @param {string[]} labels
 * @param {number} k
 * @returns {Prediction[]}
 */
export function topOf(probabilities, labels, k) {
  /** @type {number[]} */
  const best = [];
  for (let i = 0; i < probabilities.length; i++) { // one pass, keeping the k best: 1000 classes, 200 images
    if (best.length === k && probabilities[i] <= probabilities[best[k - 1]]) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && probabilities[best[at - 1]] < probabilities[i]) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best.map((index) => ({ index, label: labels[index], probability: Math.fround(probabilities[index]) }));
}

/**
 * Every file's row, in order, as the library's ``predict_files`` gives them: "ok" and each column's
 * top-k, or the sentence saying why the file could not be read and no answers.
 * @param {string[]} paths The files' paths, in order (``many.js``'s items).
 * @param {Map<string, Outputs>} outputs Each source variant's outputs (``many.js``).
 * @param {{index: number, why: string}[]} skipped The files ``many.js`` could not read.
 * @param {Column[]} columns
 * @param {number} [topk]
 * @returns {Row[]}
 */
export function batchRows(paths, outputs, skipped, columns, topk = 5) {
  const why = new Map(skipped.map((s) => [s.index, s.why]));
  return paths.map((path, i) => {
    const reason = why.get(i);
    if (reason !== undefined) return { path, status: reason, predictions: {} };
    /** @type {Record<string, Prediction[]>} */
    const predictions = {};
    for (const column of columns) {
      const out = /** @type {Outputs} */ (outputs.get(column.source));
      const logits = /** @type {Float32Array} */ (out.logits[i]), pooled = /** @type {Float32Array} */ (out.pooled[i]);
      predictions[column.id] = topOf(column.probabilities(logits, pooled), column.labels, topk);
    }
    return { path, status: OK, predictions };
  });
}

/**
 * Python's ``round(x, digits)`` of a float, as a number.
 * @param {number} x
 * @param {number} digits
 */
const pyRound = (x, digits) => Number(fixed(x, digits));

/**
 * The Python page's results table (``results_frame`` without the thumbnail): the file, its status and
 * each model's top-1 with its probability in percent (rounded to 0.1); ``null`` where it has none.
 * @param {Row[]} rows
 * @param {string[]} ids
 * @returns {Record<string, string | number | null>[]}
 */
export function resultsTable(rows, ids) {
  return rows.map((row) => {
    /** @type {Record<string, string | number | null>} */
    const record = { file: row.path, status: row.status };
    for (const id of ids) {
      const top = row.predictions[id];
      record[`${id} top-1`] = top?.length ? top[0].label : null;
      record[`${id} top-1 %`] = top?.length ? pyRound(100 * top[0].probability, 1) : null;
    }
    return record;
  });
}

/** The published figure's column in the scores table. */
export const PUBLISHED_COLUMN = "published top-1 % (ImageNet val, a different data set)";

/**
 * The Python page's scores table (``scores_frame``): each model's accuracy on the folder's classes in
 * percent, with 95% intervals, and the published figure beside it.
 * @param {import("./evaluate.js").Evaluation} evaluation
 * @returns {Record<string, string | number | null>[]}
 */
export function scoresTable(evaluation) {
  const interval = (/** @type {[number, number]} */ [low, high]) => `${fixed(100 * low, 1)}–${fixed(100 * high, 1)}`;
  return evaluation.scores.map((s) => ({
    model: s.model, images: s.images,
    "top-1 %": pyRound(100 * s.top1, 1), "top-1 95% interval": interval(s.top1Interval),
    "top-5 %": pyRound(100 * s.top5, 1), "top-5 95% interval": interval(s.top5Interval),
    [PUBLISHED_COLUMN]: s.publishedTop1,
  }));
}

/**
 * Each image's class from its class folder's name (``resnext_app.bulk.truth``): synset id, index or
 * class name, as ``resnext eval`` reads them.
 * @param {{path: string, folder: string | null}[]} images
 * @param {string[]} labels The columns' classes.
 * @param {string[]} synsets ImageNet's synset ids (they apply when there are as many labels).
 * @returns {Map<string, number>} Path → class index.
 * @throws {Error} The library's sentence for a folder that names no class.
 */
export function truthOf(images, labels, synsets) {
  const names = [...new Set(images.map((image) => /** @type {string} */ (image.folder)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const indices = classIndices(names, labels, synsets);
  return new Map(images.map((image) => [image.path, /** @type {number} */ (indices.get(/** @type {string} */ (image.folder)))]));
}

/**
 * The confusion of a folder's classes for one column: for each class (by index) its images and how
 * many of them each class was the top-1 of, the folder's own classes apart and every other class
 * counted together.
 * @param {Row[]} rows
 * @param {Map<string, number>} truth
 * @param {string} id
 * @returns {{classes: number[], counts: number[][], other: number[]}} ``counts[i][j]``: images of
 *   ``classes[i]`` answered ``classes[j]``; ``other[i]``: answered a class that is not the folder's.
 */
export function confusion(rows, truth, id) {
  const ok = rows.filter((row) => row.status === OK && truth.has(row.path));
  const classes = [...new Set(ok.map((row) => /** @type {number} */ (truth.get(row.path))))].sort((a, b) => a - b);
  const at = new Map(classes.map((c, i) => [c, i]));
  const counts = classes.map(() => classes.map(() => 0));
  const other = classes.map(() => 0);
  for (const row of ok) {
    const i = /** @type {number} */ (at.get(/** @type {number} */ (truth.get(row.path))));
    const j = at.get(row.predictions[id][0].index);
    if (j === undefined) other[i] += 1;
    else counts[i][j] += 1;
  }
  return { classes, counts, other };
}

/**
 * The seconds a run has left, from its pace since each model's first batch (which also downloads its
 * weights and makes its session, so it says nothing of the pace); ``null`` until there is a pace.
 * @param {{at: number, done: number}} first Time (ms) and count once every model's first batch is done.
 * @param {{at: number, done: number}} now
 * @param {number} total
 * @returns {number | null}
 */
export function secondsLeft(first, now, total) {
  if (now.done <= first.done || now.at <= first.at) return null;
  return ((now.at - first.at) / (now.done - first.done)) * (total - now.done) / 1000;
}

/**
 * "about 40 s left", "about 3 min left", "less than a second left".
 * @param {number} seconds
 * @returns {string}
 */
export function leftText(seconds) {
  if (seconds < 1) return "less than a second left";
  if (seconds < 90) return `about ${Math.round(seconds)} s left`;
  if (seconds < 5400) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${fixed(seconds / 3600, 1)} h left`;
}
