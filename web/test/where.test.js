// @ts-check
// "What runs where": the rows the footer and the manual draw, from the Python app's pages
// (public/python-app.json, written by python -m resnext_app.layout), the library's methods (the catalog)
// and the browser's registries; and the rows follow a page or a method added on either side.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { PAGES } from "../src/links.js";
import { RUNS, WHY_NOT } from "../src/explain/methods.js";
import { BROWSER, COLUMNS, HERE, PAGE_WHY_NOT, PYTHON, problems, whatRunsWhere } from "../src/where.js";

const read = (/** @type {string} */ path) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8"));
/** @type {import("../src/where.js").AppPage[]} */
const appPages = read("../public/python-app.json").pages;
/** @type {import("../src/where.js").Method[]} */
const methods = read("../public/models/catalog.json").methods;

test("the committed registries agree: every page and method has its row, and every one the browser lacks its reason", () => {
  assert.deepEqual(problems(appPages, methods), []);
  const rows = whatRunsWhere(appPages, methods);
  assert.deepEqual(rows.map((r) => r.what), [...appPages.map((p) => p.label), ...methods.map((m) => `Explanation: ${m.label}`)]);
  for (const r of rows) {
    assert.ok(r.where === BROWSER || r.where === PYTHON, r.what);
    assert.equal(r.why === "", r.where === BROWSER, r.what); // a reason exactly where the browser does not run it
  }
  const by = Object.fromEntries(rows.map((r) => [r.what, r]));
  assert.equal(by["Stress test"].where, PYTHON);
  assert.equal(by["Stress test"].why, PAGE_WHY_NOT["Stress test"]);
  for (const label of Object.values(PAGES)) assert.equal(by[label].where, BROWSER, label);
  assert.equal(by["What the extra data buys"].id, "robustness");
  assert.equal(by["Explanation: Grad-CAM"].where, BROWSER);
  assert.deepEqual(rows.filter((r) => r.kind === "method" && r.where === BROWSER).map((r) => r.id), [...RUNS]);
});

test("a page the browser adds becomes 'browser' by itself, and its stale reason is named", () => {
  const { classify, side_by_side, ...rest } = PAGES;
  const browser = { ...HERE, pages: { classify, side_by_side, stress: "Stress test", ...rest } }; // where the Python app has it
  const stress = whatRunsWhere(appPages, methods, browser).find((r) => r.what === "Stress test");
  assert.deepEqual(stress, { kind: "page", id: "stress", what: "Stress test", where: BROWSER, why: "" });
  assert.deepEqual(problems(appPages, methods, browser), ['The browser draws "Stress test" now: remove its reason from PAGE_WHY_NOT (web/src/where.js).']);
  const renamed = { ...HERE, pages: { ...PAGES, extra: "What the extra data buys" } };
  assert.ok(problems(appPages, methods, renamed).some((p) => p.includes("name it robustness")));
  const { batch, your_classes: yours, ...others } = PAGES; // Your classes before Batch: not the Python app's order
  const order = Object.values(PAGES).join(", ");
  const swapped = Object.fromEntries(Object.entries(others).flatMap(([k, v]) => (k === "side_by_side" ? [[k, v], ["your_classes", yours], ["batch", batch]] : [[k, v]])));
  assert.deepEqual(problems(appPages, methods, { ...HERE, pages: swapped }), [
    `The browser's pages are not in the Python app's order (${order}); order PAGES (web/src/links.js) so.`]);
  const typo = { ...HERE, pages: { ...PAGES, robustness: "What extra data buys" } };
  assert.ok(problems(appPages, methods, typo).some((p) => p.includes("none of the Python app's pages")));
});

test("a page or a method the Python app adds is a row by itself, and the missing reason is named", () => {
  const pages = [...appPages, { page: "atlas", label: "Atlas" }];
  const more = [...methods, { name: "saliency", label: "Saliency" }];
  const rows = whatRunsWhere(pages, more);
  assert.deepEqual(rows.find((r) => r.what === "Atlas"), { kind: "page", id: "atlas", what: "Atlas", where: PYTHON, why: "" });
  assert.deepEqual(rows.at(-1), { kind: "method", id: "saliency", what: "Explanation: Saliency", where: PYTHON, why: "" });
  assert.deepEqual(problems(pages, more), ['"Atlas" runs only in the Python app: say why in PAGE_WHY_NOT (web/src/where.js).',
    "The browser does not run saliency: add it to RUNS or say why in WHY_NOT (web/src/explain/methods.js)."]);
});

test("a method the browser starts running becomes 'browser', and a name the library lacks is caught", () => {
  const browser = { ...HERE, runs: [...RUNS, "deeplift"] };
  assert.equal(whatRunsWhere(appPages, methods, browser).find((r) => r.id === "deeplift")?.where, BROWSER);
  assert.deepEqual(problems(appPages, methods, browser), ["The browser runs deeplift: remove its reason from WHY_NOT (web/src/explain/methods.js)."]);
  const typo = { ...HERE, whyNot: { ...WHY_NOT, oclusion: "typo" } };
  assert.deepEqual(problems(appPages, methods, typo), ["web/src/explain/methods.js names oclusion, which is none of the library's methods."]);
});

test("the manual's tool prints the same rows, with the footer's columns", () => {
  const printed = JSON.parse(execFileSync(process.execPath, [new URL("../tools/where.mjs", import.meta.url).pathname], { encoding: "utf8" }));
  assert.deepEqual(printed, { columns: [...COLUMNS], rows: whatRunsWhere(appPages, methods) });
});
