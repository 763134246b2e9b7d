// @ts-check
/**
 * What runs where: each of the Python app's pages and each explanation method, and whether this
 * browser runs it or only the Python app does (with one short reason). Derived, never typed: the
 * Python app's pages from ``python-app.json`` (``resnext_app.layout.PAGES``, in its order), the
 * methods from the catalog (``resnext.explain.METHODS``), the browser's side from its own registries
 * (``links.js``'s ``PAGES``, ``explain/methods.js``) and the reasons below. So a page or a method
 * added on either side appears here by itself. Every page's footer draws the rows, and the manual's
 * table is the same rows (``tools/where.mjs`` prints them for ``docs/hooks.py``).
 * @module where
 */

import { h } from "./dom.js";
import { PAGES } from "./links.js";
import { RUNS, WHY_NOT } from "./explain/methods.js";

export const BROWSER = "browser";
export const PYTHON = "Python app";
export const COLUMNS = Object.freeze(["Page or explanation", "Runs in", "Why only in the Python app"]);

/**
 * Why each of the Python app's pages that no page here draws runs only there: one short reason, by
 * the page's label. A page drawn here needs none.
 * @type {Readonly<Record<string, string>>}
 */
export const PAGE_WHY_NOT = Object.freeze({
  "Stress test": "ImageNet-C's corruptions are the library's own, on OpenCV and SciPy, which a browser does not have",
});

/**
 * @typedef {{page: string, label: string}} AppPage One of the Python app's pages (``python-app.json``).
 * @typedef {{name: string, label: string}} Method One of the library's methods (``catalog.json``'s ``methods``).
 * @typedef {{pages: Readonly<Record<string, string>>, runs: readonly string[], whyNot: Readonly<Record<string, string>>,
 *   pageWhyNot: Readonly<Record<string, string>>}} Browser What this browser draws and runs, and the reasons.
 * @typedef {{kind: "page" | "method", id: string, what: string, where: string, why: string}} Row ``id``: the
 *   Python app's address of the page ("" for its first) or the method's name.
 */

/** This browser's registries. @type {Browser} */
export const HERE = Object.freeze({ pages: PAGES, runs: RUNS, whyNot: WHY_NOT, pageWhyNot: PAGE_WHY_NOT });

/**
 * The rows: the Python app's pages in its order, then the methods in the library's.
 * @param {AppPage[]} appPages
 * @param {Method[]} methods
 * @param {Browser} [browser]
 * @returns {Row[]}
 */
export function whatRunsWhere(appPages, methods, browser = HERE) {
  const drawn = new Set(Object.values(browser.pages));
  return [
    ...appPages.map((p) => /** @type {Row} */ ({ kind: "page", id: p.page, what: p.label, ...(drawn.has(p.label)
      ? { where: BROWSER, why: "" } : { where: PYTHON, why: browser.pageWhyNot[p.label] ?? "" }) })),
    ...methods.map((m) => /** @type {Row} */ ({ kind: "method", id: m.name, what: `Explanation: ${m.label}`,
      ...(browser.runs.includes(m.name) ? { where: BROWSER, why: "" } : { where: PYTHON, why: browser.whyNot[m.name] ?? "" }) })),
  ];
}

/**
 * Where the two sides disagree: each is one sentence saying what to change, so a page or a method
 * added on one side without its counterpart fails the tests rather than showing a blank reason.
 * @param {AppPage[]} appPages
 * @param {Method[]} methods
 * @param {Browser} [browser]
 * @returns {string[]}
 */
export function problems(appPages, methods, browser = HERE) {
  const labels = new Map(appPages.map((p) => [p.label, p.page]));
  const drawn = Object.entries(browser.pages);
  const names = new Set(methods.map((m) => m.name));
  const out = [];
  drawn.forEach(([id, label], i) => {
    if (!labels.has(label)) out.push(`The browser's page ${id} is labelled "${label}", which is none of the Python app's pages; use its label.`);
    else if (i > 0 && labels.get(label) !== id) out.push(`The browser's page ${id} is the Python app's "${label}"; name it ${labels.get(label)}, as the Python app's address does.`);
  });
  if (drawn.length && appPages.length && drawn[0][1] !== appPages[0].label) out.push(`The browser's first page is not the Python app's first, ${appPages[0].label}.`);
  const here = new Set(drawn.map(([, label]) => label));
  const order = appPages.map((p) => p.label).filter((label) => here.has(label));
  if (drawn.map(([, label]) => label).filter((label) => labels.has(label)).join("\n") !== order.join("\n")) {
    out.push(`The browser's pages are not in the Python app's order (${order.join(", ")}); order PAGES (web/src/links.js) so.`);
  }
  for (const p of appPages) {
    if (!here.has(p.label) && !browser.pageWhyNot[p.label]) out.push(`"${p.label}" runs only in the Python app: say why in PAGE_WHY_NOT (web/src/where.js).`);
  }
  for (const label of Object.keys(browser.pageWhyNot)) {
    if (here.has(label)) out.push(`The browser draws "${label}" now: remove its reason from PAGE_WHY_NOT (web/src/where.js).`);
    else if (!labels.has(label)) out.push(`PAGE_WHY_NOT (web/src/where.js) gives a reason for "${label}", which is none of the Python app's pages.`);
  }
  for (const m of methods) {
    if (!browser.runs.includes(m.name) && !browser.whyNot[m.name]) out.push(`The browser does not run ${m.name}: add it to RUNS or say why in WHY_NOT (web/src/explain/methods.js).`);
  }
  for (const name of [...browser.runs, ...Object.keys(browser.whyNot)]) {
    if (!names.has(name)) out.push(`web/src/explain/methods.js names ${name}, which is none of the library's methods.`);
  }
  for (const name of browser.runs) if (browser.whyNot[name]) out.push(`The browser runs ${name}: remove its reason from WHY_NOT (web/src/explain/methods.js).`);
  return out;
}

/**
 * The rows as a table, for the footer.
 * @param {Row[]} rows
 * @returns {HTMLTableElement}
 */
export function whereTable(rows) {
  return h("table", { class: "where" },
    h("caption", { text: "What runs where" }),
    h("thead", {}, h("tr", {}, ...COLUMNS.map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, ...rows.map((r) => h("tr", { "data-kind": r.kind, "data-id": r.id },
      h("th", { scope: "row", text: r.what }), h("td", { text: r.where }), h("td", { text: r.why })))));
}

/**
 * Draw the table into the footer: the Python app's pages from ``python-app.json`` beside the page, the
 * methods from the catalog.
 * @param {HTMLElement} slot
 * @param {{methods: Method[]}} catalog
 * @param {typeof fetch} [get]
 */
export async function showWhere(slot, catalog, get = fetch) {
  try {
    const response = await get("python-app.json");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { pages } = await response.json();
    slot.replaceChildren(whereTable(whatRunsWhere(pages, catalog.methods)));
  } catch (error) {
    slot.textContent = `Which pages run here could not be read (${/** @type {Error} */ (error).message}); the Python app runs every page.`;
  }
}
