// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { classIndices, labelledFiles, scoreRows } from "../src/folder/evaluate.js";
import { wilson } from "../src/interval.js";
import { csvRow, fixed } from "../src/pyformat.js";
import { evaluationJson, evaluationText, perClassCsv } from "../src/folder/report.js";
import { failureSummary, rowsCsv } from "../src/folder/results.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/folder.json", import.meta.url), "utf8"));
const catalog = JSON.parse(readFileSync(new URL("../public/models/catalog.json", import.meta.url), "utf8"));
/** @type {{id: string, top1: number | null, top5: number | null}[]} */
const models = fixture.models.map((/** @type {string} */ id) => catalog.variants.find((/** @type {{id: string}} */ v) => v.id === id));

test("the CSV equals resnext predict --out's, byte for byte, for 5 and 2 classes per model", () => {
  for (const [topk, text] of Object.entries(fixture.csv)) assert.equal(rowsCsv(fixture.rows, fixture.models, Number(topk)), text);
  assert.equal(failureSummary(2, 14, "they are not counted"), fixture.failure_summary);
  assert.equal(failureSummary(1, 1), "1 of 1 file could not be read; see the status column.");
});

test("numbers are printed as Python prints them, halves to the even digit", () => {
  assert.deepEqual([2 ** -7, 3 * 2 ** -7, 0.5, 1, 0, 1e-7, 0.9999996].map((x) => fixed(x, 6)),
    ["0.007812", "0.023438", "0.500000", "1.000000", "0.000000", "0.000000", "1.000000"]);
  assert.deepEqual([0.125, 0.375, 12.25, 99.95, -0.04].map((x) => fixed(x, 2)), ["0.12", "0.38", "12.25", "99.95", "-0.04"]);
  assert.equal(fixed(2.5, 0), "2");
  assert.equal(csvRow(["a", 'b "c"', "d,e", 3]), 'a,"b ""c""","d,e",3\r\n');
});

test("accuracy, its Wilson interval, the per-class counts and the agreement equal resnext eval's", () => {
  const evaluation = scoreRows(models, fixture.rows, fixture.truth, catalog.labels);
  assert.deepEqual(JSON.parse(JSON.stringify(evaluationJson(evaluation))), fixture.evaluation_json);
  assert.equal(evaluationText(evaluation), fixture.printed);
  assert.equal(perClassCsv(evaluation), fixture.per_class_csv.replaceAll(/\r?\n/g, "\r\n"));
  assert.deepEqual(wilson(0, 0), [0, 1]);
  assert.throws(() => scoreRows(models, fixture.rows.filter((/** @type {{status: string}} */ r) => r.status !== "ok"), {}, catalog.labels),
    /None of the 2 images could be read/);
});

test("class folders are named by synset id, index or name, with the library's sentences when one is not", () => {
  for (const [name, want] of Object.entries(fixture.class_names)) {
    const names = name === "a b c d" ? ["a", "n01440764", "b", "c", "d"] : [name];
    if (typeof want === "number") assert.equal(classIndices(names, catalog.labels, catalog.synsets).get(name), want, name);
    else assert.throws(() => classIndices(names, catalog.labels, catalog.synsets), { message: want }, name);
  }
  assert.deepEqual(catalog.synsets.slice(0, 10), fixture.synsets);
});

test("a dropped folder's images are found under their class folders, in the library's order", () => {
  const paths = ["root/tench/b.jpg", "root/tench/a.JPG", "root/tench/notes.txt", "root/1/x/y.png", "root/1/x-y.png",
    "root/.hidden/z.jpg", "root/tench/.z.jpg", "root/top.jpg"];
  assert.deepEqual(labelledFiles(paths, catalog.labels, catalog.synsets), [
    { path: "root/1/x/y.png", classIndex: 1 }, { path: "root/1/x-y.png", classIndex: 1 },
    { path: "root/tench/a.JPG", classIndex: 0 }, { path: "root/tench/b.jpg", classIndex: 0 }]);
  assert.throws(() => labelledFiles(["root/a.jpg"], catalog.labels, catalog.synsets), /has no class sub-folders/);
});
