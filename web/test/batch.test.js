// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { batchRows, confusion, headColumn, imagenetColumn, leftText, resultsTable, scoresTable, secondsLeft, topOf, truthOf }
  from "../src/folder/batch.js";
import { scoreRows } from "../src/folder/evaluate.js";
import { rowsCsv } from "../src/folder/results.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/batch.json", import.meta.url), "utf8"));
const catalog = JSON.parse(readFileSync(new URL("../public/models/catalog.json", import.meta.url), "utf8"));
const floats = (/** @type {string} */ text) => {
  const bytes = Buffer.from(text, "base64"); // a view of Node's shared pool when small: copy its own bytes
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
};
const [MODEL, HEAD] = fixture.ids;
const head = { ...fixture.head, weight: floats(fixture.head.weight), bias: floats(fixture.head.bias), mean: floats(fixture.head.mean),
  scale: floats(fixture.head.scale), preprocessing: { image_size: 224, resize_to: 256, interpolation: "bilinear", mean: [], std: [], fast: false, precision: "fp32" } };
const columns = [imagenetColumn(MODEL, catalog.labels), headColumn(HEAD, head)];

/** many.js's outputs for the fixture's run: each readable file's logits and pooled features, null where skipped. */
function outputs() {
  const logits = floats(fixture.logits), pooled = floats(fixture.pooled);
  const n = fixture.paths.length, skipped = new Set(fixture.unreadable.map((/** @type {{index: number}} */ u) => u.index));
  const each = (/** @type {Float32Array} */ all, /** @type {number} */ d) => fixture.paths.map((/** @type {string} */ _, /** @type {number} */ i) =>
    (skipped.has(i) ? null : all.subarray(i * d, (i + 1) * d)));
  assert.equal(logits.length, n * 1000);
  return new Map([[MODEL, { logits: each(logits, 1000), pooled: each(pooled, 2048) }]]);
}

test("a run's rows are the library's, and their CSV is resnext predict --out's, a head's column too", () => {
  const rows = batchRows(fixture.paths, outputs(), fixture.unreadable, columns);
  const got = JSON.parse(JSON.stringify(rows));
  /** The probabilities apart: the library's softmax and head are float32 sums in another order. */
  const bare = (/** @type {any[]} */ rs) => rs.map((r) => ({ ...r, predictions: Object.fromEntries(Object.entries(r.predictions)
    .map(([id, top]) => [id, /** @type {any[]} */ (top).map(({ index, label }) => ({ index, label }))])) }));
  assert.deepEqual(bare(got), bare(fixture.rows));
  const probabilities = (/** @type {any[]} */ rs) => rs.flatMap((r) => Object.values(r.predictions).flat().map((p) => p.probability));
  const error = probabilities(got).map((p, i) => Math.abs(p - probabilities(fixture.rows)[i]) / Math.max(p, 1e-3));
  assert.ok(Math.max(...error) < 1e-5, String(Math.max(...error))); // measured: 4e-6, the head's float32 sum of 2048 terms
  // The CSV: every cell the library's; a probability's sixth decimal may differ where the two float32 sums round apart.
  const cells = (/** @type {string} */ text) => text.split("\r\n").map((line) => line.split(","));
  const [mine, theirs] = [cells(rowsCsv(rows, fixture.ids, 5)), cells(fixture.csv)];
  assert.equal(rowsCsv(rows, fixture.ids, 5).split("\r\n")[0] + "\r\n", fixture.csv.split("\r\n")[0] + "\r\n");
  assert.equal(mine.length, theirs.length);
  const header = theirs[0];
  mine.forEach((line, i) => line.forEach((cell, j) => {
    if (i > 0 && header[j].endsWith("probability") && cell) assert.ok(Math.abs(Number(cell) - Number(theirs[i][j])) <= 1.01e-6, `${cell} ${theirs[i][j]}`);
    else assert.equal(cell, theirs[i][j]);
  }));
});

test("the results and scores tables are the Python page's", () => {
  const rows = batchRows(fixture.paths, outputs(), fixture.unreadable, columns);
  assert.deepEqual(resultsTable(rows, fixture.ids), fixture.results);
  for (const [name, labels, model] of /** @type {const} */ ([["imagenet", catalog.labels, { id: MODEL, top1: 79.25, top5: 95.07 }],
    ["head", head.classes, { id: HEAD, top1: null, top5: null }]])) {
    const expected = fixture.scored[name];
    const truth = truthOf(fixture.images, labels, catalog.synsets);
    assert.deepEqual(Object.fromEntries(truth), expected.truth, name);
    assert.deepEqual(scoresTable(scoreRows([model], rows, truth, labels)), expected.scores, name);
    const { classes, counts, other } = confusion(rows, truth, model.id);
    const cells = classes.flatMap((t, i) => classes.map((p, j) => [t, p, counts[i][j]]));
    const outside = expected.confusion.filter((/** @type {number[]} */ [, p]) => !classes.includes(p));
    assert.deepEqual(cells.filter(([, , n]) => n), expected.confusion.filter((/** @type {number[]} */ [, p]) => classes.includes(p)), name);
    assert.deepEqual(other, classes.map((t) => outside.filter((/** @type {number[]} */ [c]) => c === t).reduce((s, /** @type {number[]} */ [, , n]) => s + n, 0)), name);
  }
});

test("a folder that names no class is the library's sentence", () => {
  assert.throws(() => truthOf([{ path: "a/x.jpg", folder: "x" }, { path: "a/tench/y.jpg", folder: "tench" }], catalog.labels, catalog.synsets),
    { message: "The class folders 'x' are not ImageNet synset ids, class indices or class names; rename them (e.g. n01440764, 0 or tench)." });
});

test("the top-k keeps the most likely first, the lower index first on a tie, probabilities as float32", () => {
  const p = Float64Array.from([0.1, 0.3, 0.1, 0.3, 0.2]);
  assert.deepEqual(topOf(p, ["a", "b", "c", "d", "e"], 3).map((x) => x.index), [1, 3, 4]);
  assert.deepEqual(topOf(p, ["a", "b", "c", "d", "e"], 9).map((x) => x.index), [1, 3, 4, 0, 2]);
  assert.equal(topOf(p, ["a", "b", "c", "d", "e"], 1)[0].probability, Math.fround(0.3));
});

test("the time left comes from the pace since the first answer", () => {
  assert.equal(secondsLeft({ at: 1000, done: 8 }, { at: 1000, done: 8 }, 40), null);
  assert.equal(secondsLeft({ at: 1000, done: 8 }, { at: 5000, done: 16 }, 40), 12);
  assert.deepEqual([0.4, 12.4, 89, 150, 7200].map(leftText),
    ["less than a second left", "about 12 s left", "about 89 s left", "about 3 min left", "about 2.0 h left"]);
});
