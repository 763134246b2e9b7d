// @ts-check
/**
 * A folder's answers as ``resnext predict --out FILE.csv`` writes them (``resnext.bulk.results``): the
 * path, the status ("ok" or the sentence saying why the file was skipped), then per model and rank the
 * label, the class index and the probability to six decimals; empty cells where a model has no answer.
 * @module folder/results
 */

import { csvRow, fixed } from "../pyformat.js";

/** The status of a file every model classified. */
export const OK = "ok";

/**
 * @typedef {{index: number, label: string, probability: number}} Prediction
 * @typedef {{path: string, status: string, predictions: Record<string, Prediction[]>}} Row
 *   One file's result, as the library's ``Row.record()``.
 */

/**
 * @param {string[]} modelIds
 * @param {number} topk
 * @returns {string[]}
 */
export function csvHeader(modelIds, topk) {
  const columns = ["path", "status"];
  for (const id of modelIds) {
    for (let k = 1; k <= topk; k++) columns.push(`${id} top${k}`, `${id} top${k} index`, `${id} top${k} probability`);
  }
  return columns;
}

/**
 * @param {Row} row
 * @param {string[]} modelIds
 * @param {number} topk
 * @returns {(string | number)[]}
 */
export function csvCells(row, modelIds, topk) {
  /** @type {(string | number)[]} */
  const cells = [row.path, row.status];
  for (const id of modelIds) {
    const top = row.predictions[id] ?? [];
    for (let k = 0; k < topk; k++) cells.push(...(k < top.length ? [top[k].label, top[k].index, fixed(top[k].probability, 6)] : ["", "", ""]));
  }
  return cells;
}

/**
 * The whole CSV text (a header line, then a line per row, each ended by CR LF).
 * @param {Row[]} rows
 * @param {string[]} modelIds
 * @param {number} topk
 */
export function rowsCsv(rows, modelIds, topk) {
  return csvRow(csvHeader(modelIds, topk)) + rows.map((row) => csvRow(csvCells(row, modelIds, topk))).join("");
}

/**
 * The line a run ends with when some files failed, e.g. "3 of 120 files could not be read; …".
 * @param {number} failed
 * @param {number} total
 * @param {string} [then]
 */
export function failureSummary(failed, total, then = "see the status column") {
  return `${failed} of ${total} ${total === 1 ? "file" : "files"} could not be read; ${then}.`;
}
