// @ts-check
/**
 * An evaluation as ``resnext eval`` gives it (``resnext.bulk.report``): the printed table (accuracy
 * with its interval, the published figure beside it, agreement), the ``--out`` JSON report and the
 * ``--per-class`` CSV.
 * @module folder/report
 */

import { csvRow, fixed } from "../pyformat.js";

/** The published figure's column: what it is, and that it is another data set. */
export const PUBLISHED = "published on ImageNet-1k val (a different data set)";

/**
 * "41.7% [19.3–68.0]".
 * @param {number} value
 * @param {[number, number]} interval
 */
export function percentWithInterval(value, interval) {
  return `${fixed(100 * value, 1)}% [${fixed(100 * interval[0], 1)}–${fixed(100 * interval[1], 1)}]`;
}

/**
 * "top-1 82.17% · top-5 96.23%", or "—".
 * @param {number | null} top1
 * @param {number | null} top5
 */
export function published(top1, top5) {
  if (top1 === null && top5 === null) return "—";
  return /** @type {[string, number | null][]} */ ([["top-1", top1], ["top-5", top5]])
    .filter(([, v]) => v !== null).map(([name, v]) => `${name} ${fixed(/** @type {number} */ (v), 2)}%`).join(" · ");
}

/**
 * The text ``resnext eval`` prints.
 * @param {import("./evaluate.js").Evaluation} evaluation
 */
export function evaluationText(evaluation) {
  const [first] = evaluation.scores;
  const lines = [`${first.images} images in ${first.perClass.size} classes; 95% Wilson intervals in brackets.`];
  const table = [["model", "top-1", "top-5", PUBLISHED], ...evaluation.scores.map((s) => [
    s.model, percentWithInterval(s.top1, s.top1Interval), percentWithInterval(s.top5, s.top5Interval), published(s.publishedTop1, s.publishedTop5)])];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => [...r[i]].length)));
  for (const r of table) lines.push(r.map((c, i) => c + " ".repeat(widths[i] - [...c].length)).join("  ").trimEnd());
  if (evaluation.agreement.length) {
    lines.push("", "Same top-1 on the same image:");
    for (const { a, b, share } of evaluation.agreement) lines.push(`  ${a} and ${b}: ${fixed(100 * share, 1)}%`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The ``--out`` report's data (``JSON.stringify`` it).
 * @param {import("./evaluate.js").Evaluation} evaluation
 */
export function evaluationJson(evaluation) {
  return {
    images: evaluation.scores[0].images,
    models: evaluation.scores.map((s) => ({
      model: s.model, images: s.images,
      top1: s.top1, top1_95ci: [...s.top1Interval], top5: s.top5, top5_95ci: [...s.top5Interval],
      published_imagenet_val: { top1_percent: s.publishedTop1, top5_percent: s.publishedTop5, note: "ImageNet-1k validation set, not this folder" },
      per_class: Object.fromEntries([...s.perClass].map(([c, [correct, total]]) => [String(c), { label: evaluation.labels[c], correct, images: total }])),
    })),
    agreement_same_top1: evaluation.agreement.map(({ a, b, share }) => ({ a, b, share })),
    failures: evaluation.failures.map((row) => ({ path: row.path, status: row.status })),
  };
}

/**
 * The ``--per-class`` CSV: each class's index, name, image count and every model's top-1 accuracy on it.
 * @param {import("./evaluate.js").Evaluation} evaluation
 */
export function perClassCsv(evaluation) {
  const lines = [csvRow(["class", "label", "images", ...evaluation.scores.map((s) => `${s.model} top-1`)])];
  for (const [c, [, total]] of evaluation.scores[0].perClass) {
    lines.push(csvRow([c, evaluation.labels[c], total, ...evaluation.scores.map((s) => fixed(/** @type {[number, number]} */ (s.perClass.get(c))[0] / total, 4))]));
  }
  return lines.join("");
}
