// @ts-check
/**
 * Your classes: a folder per class of the visitor's own photos, on their device. Which backbone's
 * features separate them best (the library's study: a linear probe on frozen features, k-fold, k-NN,
 * LogME, McNemar's test between the two best and its verdict, the few-shot curve, the map, suspect
 * labels and near-duplicates), and a classifier of their classes, saved as the library's head file and
 * offered on Classify and Side by side. Features come from the device's cache where they are kept
 * (``transfer/cache.js``) and otherwise through the network's worker in batches; the hashes, the
 * comparison and the head's fit run in the study's worker; nothing runs long on the page's thread.
 * @module pages/your_classes
 */

import { h, say } from "../dom.js";
import { runMany } from "../many.js";
import { PAGES, publish } from "../links.js";
import { abandoned, child, latest } from "../lifecycle.js";
import { fixed, percent } from "../pyformat.js";
import { COLOURS, SHAPES, plot } from "../chart.js";
import { headLabel } from "../heads.js";
import { FeatureCache } from "../transfer/cache.js";
import { featuresOf } from "../transfer/features.js";
import { Studies } from "../transfer/studies.js";
import { DRAWS } from "../transfer/study.js";
import { DUPLICATE_SIMILARITY, NEIGHBOURS } from "../transfer/neighbours.js";
import { FEATURES, MAX_CLASSES, readHead } from "../transfer/head.js";
import { runtimeLine, unavailable } from "./shared.js";

/** The Python page's defaults and choices. */
export const DEFAULTS = ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "tv2_resnext50_32x4d"];
export const MOST = 4;
export const FOLDS = [2, 3, 4, 5, 10];
export const DEFAULT_FOLDS = 5;
const SAMPLE = "Sample: textures (brick, grass, gravel)";
const OWN = "Your folder or zip of class folders";
/** Studies remembered for the visit. */
const REMEMBERED = 8;
/** A head file holds at most (classes + 3) rows of features as float32, and its header: anything larger is not one. */
const HEAD_MB = Math.ceil((MAX_CLASSES + 3) * FEATURES * 4 / 1e6) + 1;
const LEAD = "A folder per class of your own photos: which backbone transfers best to them (a linear probe on frozen "
  + "features, k-fold), and a classifier of your classes to use on the other pages.";

/** @typedef {import("../context.js").Context} Context */
/** @typedef {import("../transfer/study.js").Comparison} Comparison */
/**
 * @typedef {object} Labelled The visitor's photos with their classes.
 * @property {import("../many.js").Item[]} items
 * @property {Int32Array} labels
 * @property {string[]} classes
 * @property {{name: string, why: string}[]} skipped What was left out before any was read.
 * @property {string} source
 * @property {number} id This set's, for the visit (a study is remembered under it and the settings).
 */
/**
 * @typedef {object} Done A study as the page keeps it for the visit.
 * @property {string} key
 * @property {Comparison} comparison
 * @property {import("../many.js").Item[]} items The photos used (those that could not be read removed).
 * @property {Int32Array} labels
 * @property {Map<string, Float32Array>} features Each backbone's (n, FEATURES).
 * @property {{name: string, why: string}[]} skipped
 * @property {number} computed
 * @property {number} cached
 * @property {string[]} notes
 */
/**
 * @typedef {object} Visit What the page keeps while the visitor is on other pages.
 * @property {string[]} chosen
 * @property {number} folds
 * @property {string} source
 * @property {Labelled | null} sample
 * @property {Labelled | null} own
 * @property {Map<string, Done>} done By the set and the settings, the last ``REMEMBERED``.
 * @property {WeakMap<Blob, string>} digests Each file's SHA-256, computed once.
 * @property {Promise<FeatureCache> | null} cache
 * @property {Studies} studies
 */

/** @type {WeakMap<Context, Visit>} */
const visits = new WeakMap();

/**
 * The page's state for the visit.
 * @param {Context} ctx
 * @returns {Visit}
 */
function visitOf(ctx) {
  let visit = visits.get(ctx);
  if (!visit) {
    const runnable = new Set(ctx.runnable.map((v) => v.id));
    visit = { chosen: DEFAULTS.filter((id) => runnable.has(id)), folds: DEFAULT_FOLDS, source: SAMPLE, sample: null,
      own: null, done: new Map(), digests: new WeakMap(), cache: null, studies: new Studies() };
    visits.set(ctx, visit);
  }
  return visit;
}

/**
 * Draw the page.
 * @param {HTMLElement} root
 * @param {Context} ctx
 * @param {URLSearchParams} params
 * @param {string[]} dropped
 * @param {AbortSignal} signal Aborted when the page is left.
 */
export function render(root, ctx, params, dropped, signal) {
  const visit = visitOf(ctx);
  const runs = latest(signal);
  const loads = latest(signal);
  publish({ page: "your_classes" });

  const headLine = h("p", { class: "message", role: "status", hidden: true });
  const headInput = h("input", { type: "file", id: "head-file", accept: ".safetensors", onchange: () => loadHead() });
  const loader = h("details", { class: "load-head" }, h("summary", { text: "Load a classifier file you saved" }),
    h("div", { class: "field" }, h("label", { for: "head-file", text: "A .safetensors head from this page or `resnext probe --save-head`" }), headInput),
    headLine);

  const boxes = h("fieldset", { class: "models" }, h("legend", { text: `Backbones (2 to ${MOST})` }),
    ...Object.keys(ctx.catalog.families).map((family) => {
      const mine = ctx.runnable.filter((v) => v.family === family);
      return mine.length ? h("div", { class: "family", role: "group", "aria-label": ctx.familyLabel(family) },
        h("p", { class: "family-name", text: ctx.familyLabel(family) }),
        ...mine.map((v) => h("label", {}, h("input", { type: "checkbox", value: v.id, checked: visit.chosen.includes(v.id) }), ` ${ctx.label(v)}`))) : null;
    }), unavailable(ctx));
  const limit = () => {
    for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (boxes.querySelectorAll("input"))) box.disabled = !box.checked && visit.chosen.length >= MOST;
  };
  boxes.addEventListener("change", () => {
    visit.chosen = [...boxes.querySelectorAll("input:checked")].map((b) => /** @type {HTMLInputElement} */ (b).value);
    limit();
    update();
  });
  limit();
  const folds = h("select", { id: "yc-folds", onchange: () => { visit.folds = Number(folds.value); update(); } },
    ...FOLDS.map((k) => h("option", { value: k, selected: k === visit.folds, text: String(k) })));

  const sources = h("fieldset", { class: "sources" }, h("legend", { text: "Images" }),
    ...[SAMPLE, OWN].map((label, i) => h("label", {}, h("input", { type: "radio", name: "yc-source", value: label, id: `yc-source-${i}`,
      checked: visit.source === label, onchange: () => { visit.source = label; showSource(); } }), ` ${label}`)));
  const sourceSlot = h("div", { class: "source" });
  const setLine = h("div", { class: "set" });
  const runSlot = h("div", { class: "run" });
  const status = h("p", { class: "status", role: "status" });
  const error = h("p", { class: "message", role: "alert", hidden: true });
  const results = h("div", { class: "study" });

  /** @returns {Labelled | null} */
  const current = () => (visit.source === SAMPLE ? visit.sample : visit.own);

  /** Draw where the photos come from, then what they are. */
  async function showSource() {
    const mine = loads();
    say(error, "");
    if (visit.source === SAMPLE) {
      sourceSlot.replaceChildren();
      if (!visit.sample) {
        say(status, "Reading the sample set…");
        try {
          visit.sample = await sampleSet(mine);
        } catch (e) {
          if (mine.aborted) return;
          say(status, "");
          say(error, `The sample set could not be read (${/** @type {Error} */ (e).message}); reload the page.`, "error");
          return;
        }
        if (mine.aborted) return;
        say(status, "");
      }
      const perClass = [...new Set(counts(visit.sample))].sort((a, b) => a - b);
      sourceSlot.replaceChildren(h("p", { class: "caption", text: `${visit.sample.items.length} patches of scikit-image's CC0 texture photos, `
        + `${perClass.join("–")} per class (assets/your-classes/textures).` }));
    } else {
      const input = h("input", { type: "file", id: "yc-folder", class: "visually-hidden", multiple: true, webkitdirectory: true, onchange: () => {
        const files = [...(input.files ?? [])];
        input.value = "";
        if (!files.length) return;
        try {
          visit.own = fromFolder(files);
          say(error, "");
        } catch (e) {
          visit.own = null;
          say(error, /** @type {Error} */ (e).message, "error");
        }
        update();
      } });
      sourceSlot.replaceChildren(h("div", { class: "inputs" }, h("label", { class: "button", for: "yc-folder" }, "Choose a folder of class folders"), input),
        h("p", { class: "caption", text: "One folder per class (any names). At least two classes of at least two images each. Nothing leaves this device." }));
    }
    update();
  }

  /** The data's digest and the settings: a study already made for them is shown at once. */
  function update() {
    results.replaceChildren();
    runSlot.replaceChildren();
    const data = current();
    if (!data) {
      setLine.replaceChildren(visit.source === OWN ? h("p", { class: "message info", text: "Choose a folder above, or try the sample." }) : "");
      return;
    }
    setLine.replaceChildren(...leftOut(data.skipped),
      h("p", { "data-images": data.items.length }, h("strong", { text: `${data.items.length} images in ${data.classes.length} classes:` }),
        ` ${data.classes.map((c, k) => `${c} (${counts(data)[k]})`).join(", ")}`));
    if (visit.chosen.length < 2 || visit.chosen.length > MOST) {
      runSlot.replaceChildren(h("p", { class: "message warning", text: "Pick two to four backbones to compare." }));
      return;
    }
    const found = visit.done.get(settingsKey(data));
    if (found) { show(found); return; }
    const go = h("button", { type: "button", id: "yc-run", text: "Compare the backbones", onclick: () => compare(data) });
    runSlot.replaceChildren(h("p", { class: "caption estimate", text: estimate(data) }), go);
  }

  /**
   * The settings' part of a study's key (the data's digest is added once the files are hashed).
   * @param {Labelled} data
   */
  const settingsKey = (data) => `${data.id}|${visit.chosen.join(",")}|${visit.folds}`;

  /**
   * What the first run costs here, from this visit's measured network times where there are some.
   * @param {Labelled} data
   */
  function estimate(data) {
    const measured = visit.chosen.map((id) => ctx.times.get(id) ?? []);
    if (measured.every((t) => t.length)) {
      const ms = measured.reduce((sum, t) => sum + t.reduce((a, b) => a + b, 0) / t.length, 0);
      return `About ${fixed(data.items.length * ms / 1000, 0)} s on this device for the features the first time (images seen `
        + "before come from the feature cache).";
    }
    return "The first run downloads each backbone's weights once and measures this device's speed as it goes; images seen "
      + "before come from the feature cache.";
  }

  /**
   * Features (cached or computed), then the comparison in the study's worker, with progress, an
   * estimate from the measured speed, and a cancel button.
   * @param {Labelled} data
   */
  async function compare(data) {
    const mine = runs();
    const stop = child(mine);
    const ids = [...visit.chosen];
    const key = settingsKey(data);
    const bar = h("progress", { max: 1, value: 0, "aria-label": "Progress of the comparison" });
    const stage = h("p", { class: "stage", role: "status" });
    const left = h("p", { class: "caption eta" });
    const cancel = h("button", { type: "button", id: "yc-cancel", text: "Cancel", onclick: () => stop.abort(abandoned("Cancelled.")) });
    runSlot.replaceChildren(h("div", { class: "progress" }, bar, stage, left, cancel));
    results.replaceChildren();
    say(error, "");
    /** Where a phase starts on the bar, its share, and when it started (for the estimate). */
    let phase = { from: 0, share: 0.05, start: performance.now(), at: 0 };
    const report = (/** @type {number} */ fraction, /** @type {string} */ words) => {
      const f = Math.min(Math.max(fraction, 0), 1);
      bar.value = phase.from + phase.share * f;
      stage.textContent = words;
      const elapsed = (performance.now() - phase.start) / 1000;
      const rate = f > phase.at ? elapsed / (f - phase.at) : 0; // seconds per unit of this phase, as measured
      left.textContent = f > phase.at && elapsed > 0.5 ? `About ${fixed(Math.max(rate * (1 - f), 0), 0)} s left for this step, at the speed measured so far.` : "";
    };
    try {
      const blobs = data.items.map((i) => i.blob);
      const known = blobs.map((b) => visit.digests.get(b));
      const need = blobs.filter((_, i) => !known[i]);
      const hashed = need.length ? await visit.studies.hash(need, { signal: stop.signal,
        progress: (d, t) => report(d / (t ?? 1), `reading the photos (${d}/${t})`) }) : [];
      need.forEach((b, i) => visit.digests.set(b, hashed[i]));
      const digests = blobs.map((b) => /** @type {string} */ (visit.digests.get(b)));
      const cache = await (visit.cache ??= FeatureCache.open());
      stop.signal.throwIfAborted();
      const variants = ids.map((id) => /** @type {import("../models.js").Variant} */ (ctx.variants.get(id)));
      phase = { from: 0.05, share: 0.75, start: performance.now(), at: -1 };
      const feats = await featuresOf(data.items, digests, variants, cache, (items, which, o) => runMany(ctx, items, which, o), {
        signal: stop.signal,
        progress: (d, t) => {
          if (phase.at < 0) phase.at = d / (t || 1); // what the cache gave costs no time: the estimate starts after it
          report(d / (t || 1), `features through ${ids.join(", ")} (${d}/${t})`);
        },
      });
      const keep = data.items.map((_, i) => !feats.skipped.some((s) => s.index === i));
      const labels = Int32Array.from(Array.from(data.labels).filter((_, i) => keep[i]));
      const perClass = data.classes.map((_, k) => labels.filter((y) => y === k).length);
      if (perClass.filter((n) => n > 0).length < 2 || Math.min(...perClass) < 2) {
        throw new Error("Too few images could be read to keep two of each class; check the files listed.");
      }
      /** @type {Map<string, Float32Array>} */
      const features = new Map();
      for (const id of ids) {
        const rows = /** @type {(Float32Array | null)[]} */ (feats.vectors.get(id)).filter((_, i) => keep[i]);
        const x = new Float32Array(rows.length * FEATURES);
        rows.forEach((r, i) => x.set(/** @type {Float32Array} */ (r), i * FEATURES));
        features.set(id, x);
      }
      phase = { from: 0.8, share: 0.2, start: performance.now(), at: 0 };
      report(0, "comparing the backbones");
      const comparison = await visit.studies.compare(ids.map((id) => ({ model: id, features: /** @type {Float32Array} */ (features.get(id)), dims: FEATURES })),
        labels, data.classes, { folds: visit.folds, seed: 0 }, { signal: stop.signal, progress: (d, _t, words) => report(d, words ?? "") });
      if (mine.aborted) return;
      /** @type {Done} */
      const done = { key, comparison, items: data.items.filter((_, i) => keep[i]), labels, features,
        skipped: [...data.skipped, ...feats.skipped.map((s) => ({ name: s.name, why: s.why }))], computed: feats.computed,
        cached: feats.cached, notes: feats.notes };
      visit.done.set(key, done);
      for (const old of visit.done.keys()) if (visit.done.size > REMEMBERED) visit.done.delete(old);
      show(done);
    } catch (e) {
      if (mine.aborted) return; // the page was left, or a newer run started
      runSlot.replaceChildren(h("button", { type: "button", id: "yc-run", text: "Compare the backbones", onclick: () => compare(data) }));
      if (stop.signal.aborted) say(error, "Cancelled: nothing was compared. The features computed so far are kept for the next run.", "warning");
      else say(error, /** @type {Error} */ (e).message, "error");
    }
  }

  /**
   * A study's results, as the Python page shows them.
   * @param {Done} done
   */
  function show(done) {
    const c = done.comparison;
    runSlot.replaceChildren(...leftOut(done.skipped.filter((s) => !current()?.skipped.includes(s))),
      h("p", { class: "caption from-cache", "data-computed": done.computed, "data-cached": done.cached,
        text: `Features: ${done.computed} computed on this device now, ${done.cached} from its cache (photos × backbones).` }),
      ...done.notes.map((note) => h("p", { class: "message warning", text: note })));
    const knn = `${c.knnK}-NN accuracy`;
    const table = h("table", { class: "scores" },
      h("caption", { class: "visually-hidden", text: "Each backbone's scores on your classes" }),
      h("thead", {}, h("tr", {}, ...["Model", "Probe accuracy", "95% interval", knn, "LogME", "Fold accuracies"].map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, ...c.scores.map((s) => h("tr", { "data-model": s.model, "data-accuracy": s.accuracy, "data-knn": s.knnAccuracy, "data-logme": s.logme },
        h("th", { scope: "row", text: s.model }), h("td", { text: `${fixed(100 * s.accuracy, 1)}%` }),
        h("td", { text: `${fixed(100 * s.interval[0], 1)}–${fixed(100 * s.interval[1], 1)}` }),
        h("td", { text: `${fixed(100 * s.knnAccuracy, 1)}%` }), h("td", { text: fixed(s.logme, 3) }),
        h("td", { text: s.foldAccuracies.map((a) => fixed(100 * a, 0)).join(", ") })))));
    const look = h("select", { id: "yc-model", onchange: () => lookThrough(look.value) }, ...c.scores.map((s) => h("option", { value: s.model, text: s.model })));
    const through = h("div", { class: "through" });
    const use = h("select", { id: "yc-head-model" }, ...c.scores.map((s) => h("option", { value: s.model, text: s.model })));
    const made = h("div", { class: "made" });
    const make = h("button", { type: "button", id: "yc-make", text: "Make it a classifier", onclick: () => makeHead(done, use.value, made, make) });
    results.replaceChildren(
      h("h2", { text: "Which backbone transfers best" }),
      h("p", { class: "message info verdict", "data-winner": c.winner ?? "", "data-p": c.p ?? "", text: c.verdict }),
      h("div", { class: "table-wrap" }, table),
      h("p", { class: "caption", text: `Probe: logistic regression (L2, C chosen by inner cross-validation on the training folds) on `
        + `standardised penultimate features, ${c.folds}-fold, out-of-fold accuracy with a 95% Wilson interval. k-NN: cosine, `
        + "leave-one-out. LogME (You et al., 2021) needs no training but follows fine-tuned accuracy only loosely: read it beside the probe." }),
      h("h2", { text: "Accuracy with fewer labels" }), fewShotChart(done),
      h("p", { class: "caption", text: `Each point averages ${DRAWS} draws of that many images per class (the same draws for every `
        + "backbone), tested on the rest; the last point is the k-fold probe on all of them." }),
      h("div", { class: "field" }, h("label", { for: "yc-model", text: "Look through" }), look), through,
      h("h2", { text: "Use this classifier" }),
      h("div", { class: "field" }, h("label", { for: "yc-head-model", text: "Backbone" }), use,
        h("p", { class: "caption", text: "The probe refitted on every image; it replaces the backbone's ImageNet classifier." })),
      make, made);

    /** @param {string} model */
    function lookThrough(model) {
      const s = /** @type {Comparison["scores"][number]} */ (c.scores.find((x) => x.model === model));
      const name = (/** @type {number} */ i) => done.items[i].name;
      const base = (/** @type {number} */ i) => name(i).split("/").at(-1) ?? name(i);
      const thumb = (/** @type {number} */ i, /** @type {string} */ alt, size = 96) => h("img", { src: urlOf(done.items[i].blob), alt, width: size, height: size, decoding: "async" });
      const shown = s.suspects.slice(0, 12);
      const pairs = s.duplicates.slice(0, 50);
      through.replaceChildren(
        h("div", { class: "pair" },
          h("section", { "aria-labelledby": "yc-confusion" }, h("h3", { id: "yc-confusion" }, h("strong", { text: "Confusion matrix" }), " (out of fold)"),
            confusionTable(c.classes, s.confusion)),
          h("section", { "aria-labelledby": "yc-map" }, h("h3", { id: "yc-map" }, h("strong", { text: "Map of the features" }), " (point at a dot for its image)"),
            mapChart(done, s))),
        h("p", {}, h("strong", { text: `Suspect labels (${s.suspects.length})` }), `: images whose ${NEIGHBOURS} nearest neighbours mostly carry another class.`),
        ...(shown.length ? [h("ul", { class: "thumbs suspects" }, ...shown.map((x) => {
          const caption = `${base(x.index)}: filed ${c.classes[x.label]}, looks ${c.classes[x.likely]}`;
          return h("li", { "data-index": x.index }, h("figure", {}, thumb(x.index, caption), h("figcaption", { text: caption })));
        }))] : []),
        h("p", {}, h("strong", { text: `Near-duplicates (${s.duplicates.length})` }), `: feature similarity above ${DUPLICATE_SIMILARITY}, `
          + "across classes first (they inflate every score above)."),
        ...(pairs.length ? [h("div", { class: "table-wrap" }, h("table", { class: "duplicates" },
          h("thead", {}, h("tr", {}, ...["first", "second", "similarity", "across classes"].map((t) => h("th", { scope: "col", text: t })))),
          h("tbody", {}, ...pairs.map((d) => h("tr", {},
            h("td", {}, thumb(d.first, "", 48), h("span", { text: name(d.first) })),
            h("td", {}, thumb(d.second, "", 48), h("span", { text: name(d.second) })),
            h("td", { text: fixed(d.similarity, 4) }), h("td", { text: d.acrossClasses ? "yes" : "no" }))))))] : []));
    }
    lookThrough(look.value);
  }

  /**
   * The chosen backbone's probe refitted on every photo (in the study's worker), kept for the visit
   * as a classifier of the other pages, and its file to download.
   * @param {Done} done
   * @param {string} model
   * @param {HTMLElement} slot
   * @param {HTMLButtonElement} button
   */
  async function makeHead(done, model, slot, button) {
    const c = done.comparison;
    const name = `${c.classes.slice(0, 3).join(", ")}${c.classes.length > 3 ? ", …" : ""} on ${model}`;
    button.disabled = true;
    slot.replaceChildren(h("p", { class: "status", role: "status", text: `Fitting the classifier on ${model}…` }));
    try {
      const variant = /** @type {import("../transfer/head.js").Variant} */ (/** @type {unknown} */ (ctx.variants.get(model)));
      const { head, bytes } = await visit.studies.head(/** @type {Float32Array} */ (done.features.get(model)), FEATURES, done.labels,
        c.classes, variant, { signal });
      const own = ctx.heads.keep(name, head);
      const pages = ["classify", "side_by_side", "batch"].filter((p) => p in PAGES).map((p) => /** @type {Record<string, string>} */ (PAGES)[p]);
      const where = pages.length > 1 ? `${pages.slice(0, -1).join(", ")} and ${pages.at(-1)}` : pages.join("");
      const link = h("a", { class: "button", id: "yc-head-file", href: URL.createObjectURL(new Blob([/** @type {BlobPart} */ (bytes)], { type: "application/octet-stream" })),
        download: fileName(name), text: "Classifier file (.safetensors)" });
      slot.replaceChildren(h("p", { class: "message info", role: "status", "data-head": own.id, text: `“${name}” is now among the models of ${where}, under Your classes.` }),
        link, h("p", { class: "caption", text: "Use it with `resnext predict --head FILE` or load it here again later." }));
    } catch (e) {
      if (signal.aborted) return;
      slot.replaceChildren(h("p", { class: "message error", role: "alert", text: /** @type {Error} */ (e).message }));
    } finally {
      button.disabled = false;
    }
  }

  /** A head file the visitor chose: checked as the library checks it, then offered on the other pages. */
  async function loadHead() {
    const file = headInput.files?.[0];
    headInput.value = "";
    if (!file) return;
    say(headLine, "");
    try {
      if (file.size > HEAD_MB * 1e6) throw new Error(`${file.name} is larger than any classifier head (${HEAD_MB} MB at most); give a file that \`resnext probe --save-head\` or the Your classes page wrote.`);
      const head = readHead(new Uint8Array(await file.arrayBuffer()), file.name, ctx.catalog.variants);
      const backbone = /** @type {import("../models.js").Variant} */ (ctx.variants.get(head.backbone));
      if (backbone.browser || !backbone.hub) throw new Error(`${file.name} is a classifier on ${head.backbone}, which runs only in the Python app here (${backbone.browser ?? "no weights on the Hub"}).`);
      const own = ctx.heads.keep(file.name.replace(/\.[^.]*$/, ""), head);
      headLine.dataset.head = own.id;
      say(headLine, `${file.name}: ${head.classes.length} classes on ${head.backbone}, now under Your classes (${headLabel(head)}).`);
    } catch (e) {
      say(headLine, /** @type {Error} */ (e).message, "error");
    }
  }

  root.replaceChildren(
    h("h1", { text: "Your classes" }), h("p", { class: "lead", text: LEAD }), runtimeLine(ctx),
    boxes, h("div", { class: "field" }, h("label", { for: "yc-folds", text: "Folds" }), folds,
      h("p", { class: "caption", text: "Stratified k-fold cross-validation of the probe; the same folds for every backbone." })),
    loader, sources, sourceSlot, status, error, setLine, runSlot, results);
  showSource();
}

/**
 * The files listed as left out, with why.
 * @param {{name: string, why: string}[]} skipped
 * @returns {HTMLElement[]}
 */
function leftOut(skipped) {
  if (!skipped.length) return [];
  return [h("details", { class: "left-out" }, h("summary", { text: `${skipped.length} files left out` }),
    h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "file" }), h("th", { scope: "col", text: "why" }))),
      h("tbody", {}, ...skipped.map((s) => h("tr", {}, h("td", { text: s.name }), h("td", { text: s.why })))))))];
}

/**
 * Images per class.
 * @param {Labelled} data
 * @returns {number[]}
 */
function counts(data) {
  return data.classes.map((_, k) => data.labels.filter((y) => y === k).length);
}

/** Sets read so far, for their ids. */
let sets = 0;

/** @type {WeakMap<Blob, string>} one object URL per photo shown, for the visit */
const urls = new WeakMap();

/**
 * An object URL of a photo, made once.
 * @param {Blob} blob
 * @returns {string}
 */
function urlOf(blob) {
  let url = urls.get(blob);
  if (!url) urls.set(blob, url = URL.createObjectURL(blob));
  return url;
}

/**
 * The sample set the build ships (``samples/textures/CLASS/FILE``, listed in the library's order).
 * @param {AbortSignal} signal
 * @returns {Promise<Labelled>}
 */
async function sampleSet(signal) {
  /** @type {string[]} */
  const listing = await (await fetch("samples/textures.json", { signal })).json();
  const classes = [...new Set(listing.map((p) => p.split("/")[0]))];
  const items = await Promise.all(listing.map(async (path) => {
    const response = await fetch(`samples/textures/${path}`, { signal });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return { name: path, blob: await response.blob() };
  }));
  return { items, labels: Int32Array.from(listing, (/** @type {string} */ p) => classes.indexOf(p.split("/")[0])), classes, skipped: [], source: "sample", id: ++sets };
}

/**
 * A picked folder of class folders as the library labels one: each image by the folder under the top
 * one (hidden files and folders skipped), classes sorted, at least two classes of two images.
 * Stands in until ``files/`` reads folders and zips.
 * @param {File[]} files
 * @returns {Labelled}
 * @throws {Error} The library's sentence.
 */
function fromFolder(files) {
  const suffixes = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".avif", ".tif", ".tiff", ".heic", ".heif"];
  /** @type {{name: string, why: string}[]} */
  const skipped = [];
  const usable = files.map((f) => ({ file: f, path: /** @type {string} */ (f.webkitRelativePath || f.name) }))
    .filter(({ path }) => !path.split("/").slice(1).some((p) => p.startsWith(".")) && suffixes.some((s) => path.toLowerCase().endsWith(s)))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .filter(({ path }) => {
      if (path.split("/").length >= 3) return true;
      skipped.push({ name: path, why: `${path} is in no class folder; put it in the folder of its class.` });
      return false;
    });
  const classes = [...new Set(usable.map(({ path }) => path.split("/")[1]))].sort();
  if (classes.length < 2) {
    throw new Error(`the folder has ${classes.length ? `only the class '${classes[0]}'` : "no class folder with images"}; a comparison needs at least two class folders of images.`);
  }
  const labels = Int32Array.from(usable, ({ path }) => classes.indexOf(path.split("/")[1]));
  const small = classes.map((c, k) => [c, labels.filter((y) => y === k).length]).filter(([, n]) => Number(n) < 2);
  if (small.length) {
    throw new Error(`Each class needs at least two usable images; ${small.map(([c, n]) => `'${c}' (${n})`).join(", ")} `
      + `${small.length === 1 ? "has" : "have"} fewer. Add images or remove the folder.`);
  }
  return { items: usable.map(({ file, path }) => ({ name: path.split("/").slice(1).join("/"), blob: file })), labels, classes, skipped, source: "own", id: ++sets };
}

/**
 * A download's file name for a head called ``name`` (the Python app's ``file_name``): letters,
 * digits, dots, dashes and underscores.
 * @param {string} name
 * @returns {string}
 */
export function fileName(name) {
  const safe = [...name].map((ch) => (/[\p{L}\p{N}._-]/u.test(ch) ? ch : "_")).join("").replace(/^[._]+|[._]+$/g, "") || "classifier";
  return `${[...safe].slice(0, 80).join("")}.safetensors`;
}

/**
 * The out-of-fold confusion matrix as a table: rows true, columns predicted.
 * @param {string[]} classes
 * @param {number[][]} confusion
 * @returns {HTMLElement}
 */
function confusionTable(classes, confusion) {
  return h("div", { class: "table-wrap" }, h("table", { class: "confusion" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "true \\ predicted" }), ...classes.map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, ...confusion.map((row, k) => h("tr", {}, h("th", { scope: "row", text: classes[k] }),
      ...row.map((n, j) => h("td", { class: j === k ? "diagonal" : n ? "off" : "", text: String(n) })))))));
}

/**
 * The few-shot curve: accuracy against labelled images per class, one line per backbone, the last
 * point the k-fold probe on all of them.
 * @param {Done} done
 * @returns {HTMLElement}
 */
function fewShotChart(done) {
  const c = done.comparison;
  const perClass = Math.min(...c.classes.map((_, k) => done.labels.filter((y) => y === k).length));
  const series = c.scores.map((s, i) => {
    const shots = [...s.fewShot.keys()].sort((a, b) => a - b);
    return { name: s.model, color: COLOURS[i % COLOURS.length], shape: SHAPES[i % SHAPES.length],
      points: [...shots.map((n) => {
        const [mean, sd] = /** @type {[number, number]} */ (s.fewShot.get(n));
        return { x: n, y: 100 * mean, error: 100 * sd, name: `${s.model}: ${n} per class, ${fixed(100 * mean, 1)}% ± ${fixed(100 * sd, 1)}` };
      }), { x: perClass, y: 100 * s.accuracy, name: `${s.model}: all (${perClass} per class, k-fold), ${fixed(100 * s.accuracy, 1)}%` }] };
  });
  const ticks = [...new Set(series.flatMap((line) => line.points.map((p) => p.x)))].sort((a, b) => a - b);
  return plot(series, { id: "yc-few-shot", title: "Accuracy with fewer labels",
    description: "Accuracy against labelled images per class, on a log axis, one line per backbone; each point is named with its values.",
    lines: true, focusable: true,
    x: { label: "labelled images per class (last point: all, k-fold)", log: ticks.length > 1, ticks, format: String },
    y: { label: "accuracy %", format: (v) => String(v) } });
}

/**
 * The map of one backbone's features, a colour and marker per class.
 * @param {Done} done
 * @param {Comparison["scores"][number]} s
 * @returns {HTMLElement}
 */
function mapChart(done, s) {
  const c = done.comparison;
  const { coords, share } = s.map;
  const series = c.classes.map((name, k) => ({ name, color: COLOURS[k % COLOURS.length], shape: SHAPES[k % SHAPES.length],
    points: Array.from(done.labels).flatMap((y, i) => (y === k ? [{ x: coords[2 * i], y: coords[2 * i + 1], name: `${done.items[i].name} (${name})` }] : [])) }));
  return plot(series, { id: "yc-map-chart", title: `Map of ${s.model}'s features`,
    description: `The first two principal axes of the standardised features, ${done.items.length} images coloured by class.`,
    lines: false, focusable: done.items.length <= 200,
    x: { label: `first principal axis (${fixed(100 * share[0], 0)}% of the variance)`, format: (v) => String(v) },
    y: { label: `second (${fixed(100 * share[1], 0)}%)`, format: (v) => String(v) } });
}
