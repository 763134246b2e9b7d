// @ts-check
/**
 * "What the extra data buys", from the figures the library exports into ``catalog.json``
 * (``published``: timm's measurements on ImageNet-1k, ReaL, ImageNetV2, Sketch, -A and -R, and the
 * papers' claims against them), as the Python app's robustness page draws them
 * (``resnext_app.published``, ``resnext_app.charts``): its table, its two charts' series and its
 * claims. DOM-free: a page hands the series to whatever draws them.
 * @module published/robustness
 */

import { fixed } from "../pyformat.js";

/** The app's family colours (``resnext_app.charts.FAMILY_COLORS``). */
export const FAMILY_COLORS = Object.freeze({ SSL: "#4C78A8", SWSL: "#F58518", IG: "#54A24B", "Supervised V1": "#9D9D9D", "Supervised V2": "#5E5E5E" });
/** The supervised baselines' trend line. */
export const TREND = Object.freeze({ name: "Supervised trend", color: "grey", dash: "dash" });

/**
 * @typedef {{key: string, title: string, short: string, tests: string, control: string | null}} Dataset
 * @typedef {{model: string, family: string, architecture: string, dataset: string, top1: number, top5: number}} Measurement
 * @typedef {{model: string, claimed_top1: number, claimed_top5: number, source: string, measured_top1: number | null,
 *   measured_top5: number | null, explanation: string | null, explanation_source: string | null, gap: number | null,
 *   flagged: boolean}} Claim
 * @typedef {{datasets: Dataset[], measurements: Measurement[], claims: Claim[], gap_points: number}} Published
 * @typedef {{id: string, family: string, architecture: string, depth: number, cardinality: number, width_per_group: number}} Variant
 * @typedef {{published: Published, variants: Variant[]}} Catalog The parts of ``catalog.json`` used here.
 * @typedef {"top1" | "top5"} Metric
 * @typedef {{name: string, color: string, x: (number | string)[], y: number[], models?: string[]}} Series
 */

/** @param {string} family */
const supervised = (family) => family.startsWith("Supervised");

/**
 * Every model on every data set: Family, Model, then a column per data set (its short name), in the
 * library's order; the supervised baselines first. ``null`` where nothing was measured.
 * @param {Catalog} catalog
 * @param {Metric} metric
 * @returns {{columns: string[], rows: (string | number | null)[][]}}
 */
export function robustnessTable(catalog, metric) {
  const { datasets, measurements } = catalog.published;
  const value = new Map(measurements.map((m) => [`${m.model} ${m.dataset}`, m[metric]]));
  const variants = [...catalog.variants].sort((a, b) => Number(!supervised(a.family)) - Number(!supervised(b.family)));
  return {
    columns: ["Family", "Model", ...datasets.map((d) => d.short)],
    rows: variants.map((v) => [v.family, v.id, ...datasets.map((d) => value.get(`${v.id} ${d.key}`) ?? null)]),
  };
}

/**
 * Accuracy on one data set against ImageNet-1k's, a series per family (in the order the families first
 * appear), with the least-squares line of the supervised models (null when fewer than two).
 * @param {Catalog} catalog
 * @param {string} dataset A data set's key, e.g. "imagenet-r".
 * @param {Metric} metric
 * @returns {{series: Series[], trend: Series & {dash: string} | null, xTitle: string, yTitle: string}}
 */
export function beyondImagenet(catalog, dataset, metric) {
  const { datasets, measurements } = catalog.published;
  const other = new Map(measurements.filter((m) => m.dataset === dataset).map((m) => [m.model, m[metric]]));
  const points = measurements.filter((m) => m.dataset === "imagenet" && other.has(m.model))
    .map((m) => ({ model: m.model, family: m.family, x: m[metric], y: /** @type {number} */ (other.get(m.model)) }));
  /** @type {Map<string, Series & {models: string[]}>} */
  const series = new Map();
  for (const p of points) {
    if (!series.has(p.family)) series.set(p.family, { name: p.family, color: colour(p.family), x: [], y: [], models: [] });
    const s = /** @type {Series & {models: string[]}} */ (series.get(p.family));
    s.x.push(p.x);
    s.y.push(p.y);
    s.models.push(p.model);
  }
  const base = points.filter((p) => supervised(p.family));
  let trend = null;
  if (base.length >= 2) {
    const [slope, intercept] = lineFit(base.map((p) => p.x), base.map((p) => p.y));
    const xs = [Math.min(...points.map((p) => p.x)) - 0.5, Math.max(...points.map((p) => p.x)) + 0.5];
    trend = { ...TREND, x: xs, y: xs.map((x) => slope * x + intercept) };
  }
  const title = datasets.find((d) => d.key === dataset)?.title ?? dataset, label = metric.replace("top", "top-");
  return { series: [...series.values()], trend, xTitle: `ImageNet-1k ${label} (%)`, yTitle: `${title} ${label} (%)` };
}

/**
 * For one architecture, each way of training it on every data set: a bar series per family (the
 * supervised baselines first, each group by name), the data sets in the order they are first measured.
 * @param {Catalog} catalog
 * @param {string} architecture
 * @param {Metric} metric
 * @returns {{series: Series[], categories: string[], yTitle: string}}
 */
export function trainingCompared(catalog, architecture, metric) {
  const { datasets, measurements } = catalog.published;
  const titleOf = new Map(datasets.map((d) => [d.key, d.title]));
  const categories = [...new Set(measurements.map((m) => /** @type {string} */ (titleOf.get(m.dataset))))];
  const rows = measurements.filter((m) => m.architecture === architecture);
  const families = [...new Set(rows.map((m) => m.family))];
  families.sort((a, b) => Number(!supervised(a)) - Number(!supervised(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const series = families.map((family) => {
    const own = rows.filter((m) => m.family === family)
      .sort((a, b) => categories.indexOf(/** @type {string} */ (titleOf.get(a.dataset))) - categories.indexOf(/** @type {string} */ (titleOf.get(b.dataset))));
    return { name: family, color: colour(family), x: own.map((m) => /** @type {string} */ (titleOf.get(m.dataset))), y: own.map((m) => m[metric]) };
  });
  return { series, categories, yTitle: `${metric.replace("top", "top-")} (%)` };
}

/**
 * Architectures measured after at least ``atLeast`` ways of training, smallest first.
 * @param {Catalog} catalog
 * @param {number} [atLeast]
 * @returns {string[]}
 */
export function architecturesTrainedWays(catalog, atLeast = 3) {
  /** @type {Map<string, Set<string>>} */
  const ways = new Map();
  for (const m of catalog.published.measurements) {
    if (!ways.has(m.architecture)) ways.set(m.architecture, new Set());
    ways.get(m.architecture)?.add(m.family);
  }
  const size = new Map(catalog.variants.map((v) => [v.architecture, [v.depth, v.cardinality, v.width_per_group]]));
  const key = (/** @type {string} */ a) => /** @type {number[]} */ (size.get(a));
  return [...ways].filter(([, families]) => families.size >= atLeast).map(([a]) => a)
    .sort((a, b) => key(a).map((v, i) => v - key(b)[i]).find((d) => d !== 0) ?? 0);
}

/**
 * The claims table: each variant's published top-1 beside timm's measurement, the gap in points and a
 * flag where it is more than ``gap_points``.
 * @param {Catalog} catalog
 * @returns {{model: string, claimed: number, measured: number | null, gap: number | null, flag: string}[]}
 */
export function claimRows(catalog) {
  const limit = catalog.published.gap_points;
  return catalog.published.claims.map((c) => ({
    model: c.model, claimed: c.claimed_top1, measured: c.measured_top1, gap: c.gap, flag: c.flagged ? `⚠ over ${limit}` : "",
  }));
}

/**
 * One sentence (Markdown) per flagged gap: what explains it and where that is said, or that nothing does.
 * @param {Catalog} catalog
 * @returns {string[]}
 */
export function claimNotes(catalog) {
  return catalog.published.claims.filter((c) => c.flagged).map((c) => {
    const gap = /** @type {number} */ (c.gap);
    return `**${c.model}** (${gap >= 0 ? "+" : ""}${fixed(gap, 2)}): ` +
      (c.explanation ? `${c.explanation} Source: ${c.explanation_source}.` : "no explanation is published.");
  });
}

/** @param {string} family */
function colour(family) {
  return /** @type {Record<string, string>} */ (FAMILY_COLORS)[family] ?? "#888888";
}

/**
 * The least-squares line through points (numpy's ``polyfit(x, y, 1)``).
 * @param {number[]} x
 * @param {number[]} y
 * @returns {[number, number]} Slope and intercept.
 */
export function lineFit(x, y) {
  const mx = x.reduce((a, b) => a + b) / x.length, my = y.reduce((a, b) => a + b) / y.length;
  let sxy = 0, sxx = 0;
  x.forEach((v, i) => { sxy += (v - mx) * (y[i] - my); sxx += (v - mx) ** 2; });
  const slope = sxy / sxx;
  return [slope, my - slope * mx];
}
