// @ts-check
/**
 * The page's entry: read the site's settings (``config.json``: the Hub's address), the catalog and
 * the samples, see what this device offers, then draw the page the URL asks for. Pages switch
 * without a reload, so the photo and the models' sessions stay for the visit.
 * @module app
 */

import { Context } from "./context.js";
import { Models } from "./models.js";
import { checkedBy, hubEndpoint, hubProblem, openCache } from "./hub.js";
import { h, say } from "./dom.js";
import { PAGES, UPLOAD, notice, pageOf, pageQuery, unknownKept } from "./links.js";
import { detect } from "./runtime.js";
import { Pages } from "./lifecycle.js";
import * as classify from "./pages/classify.js";
import * as sideBySide from "./pages/side_by_side.js";
import * as batch from "./pages/batch.js";
import * as compare from "./pages/compare.js";
import * as yourClasses from "./pages/your_classes.js";
import * as robustness from "./pages/robustness.js";
import { showWhere } from "./where.js";

/** @type {Record<keyof typeof PAGES, import("./lifecycle.js").Render>} */
const RENDER = { classify: classify.render, side_by_side: sideBySide.render, batch: batch.render, your_classes: yourClasses.render,
  compare: compare.render, robustness: robustness.render };

/**
 * Start the page.
 * @param {HTMLElement} root Where pages are drawn.
 * @param {HTMLElement} nav The pages' links.
 * @param {HTMLElement} banner Where a link's notice goes.
 */
export async function start(root, nav, banner) {
  const params = new URLSearchParams(location.search);
  const [hub, catalog, samples, features] = await Promise.all([
    hubEndpoint(fetch),
    fetch("models/catalog.json").then((r) => r.json()),
    fetch("samples/samples.json").then((r) => (r.ok ? r.json() : [])),
    openCache(globalThis.caches).then((cache) => detect(/** @type {any} */ (navigator), globalThis.crossOriginIsolated === true,
      cache !== undefined, globalThis.top !== globalThis.self, params.get("backend"))),
  ]);
  /** @type {Context} */
  const ctx = new Context(catalog, samples, features, async () => new Models(ctx.variants, { hub, features,
    runtime: new URL("ort/", document.baseURI).href, graphs: new URL("models/", document.baseURI).href }, ctx.times),
  features.keeps ? globalThis.caches : undefined);
  licences(catalog.variants);
  showWhere(/** @type {HTMLElement} */ (document.getElementById("where")), catalog);
  const checks = document.getElementById("checks"); // once, for every download: whose hashes, or why there are none
  if (checks) checks.textContent = ` ${hubProblem(hub) || checkedBy(catalog.variants)}`;
  Object.assign(globalThis, { resnextExplorer: ctx }); // for the browser tests and the benchmark

  const dropped = unknownKept(params);
  const photo = params.get("photo");
  if (photo && photo !== UPLOAD) {
    if (samples.includes(photo)) {
      const file = await (await fetch(`samples/${photo}`)).blob();
      await ctx.use({ file, name: photo, source: "Samples" });
    } else {
      dropped.push(`photo=${photo}`);
    }
  }
  const pages = new Pages();
  const show = (/** @type {URLSearchParams} */ p, /** @type {string[]} */ d) => {
    const page = pageOf(p);
    for (const link of nav.querySelectorAll("a")) {
      if (link.dataset.page === page) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${PAGES[page]} · ResNeXt Explorer`;
    pages.show(RENDER[page], root, ctx, p, d);
    const quoted = d.map((x) => `“${x.slice(0, 40)}”`);
    say(banner, notice(quoted, p.get("photo")), "warning");
  };
  nav.replaceChildren(...Object.entries(PAGES).map(([page, label]) =>
    h("a", { href: pageQuery(page, location.search) || "./", "data-page": page, text: label, onclick: (/** @type {MouseEvent} */ event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      history.pushState(null, "", pageQuery(page, location.search) || location.pathname);
      show(new URLSearchParams(location.search), []);
      root.focus();
    } })),
  h("button", { type: "button", class: "copy", onclick: async (/** @type {Event} */ event) => {
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    try { await navigator.clipboard.writeText(location.href); button.textContent = "Link copied"; } catch { button.textContent = "Copy the address bar"; }
  } }, "Copy link"));
  addEventListener("popstate", () => show(new URLSearchParams(location.search), []));
  show(params, dropped);
}

/**
 * Name each licence and the families under it, from the catalog, in the footer.
 * @param {import("./models.js").Variant[]} variants
 */
function licences(variants) {
  /** @type {Map<string, Set<string>>} */
  const by = new Map();
  for (const v of variants) by.set(v.license, (by.get(v.license) ?? new Set()).add(v.family));
  const slot = document.getElementById("licences");
  if (slot) slot.textContent = ` (${[...by].map(([licence, families]) => `${[...families].join(", ")}: ${licence}`).join("; ")})`;
}
