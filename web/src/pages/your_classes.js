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
import { FeatureCache, setting } from "../transfer/cache.js";
import { Sha256 } from "../sha256.js";
import { featuresOf } from "../transfer/features.js";
import { Studies } from "../transfer/studies.js";
import { DRAWS } from "../transfer/study.js";
import { DUPLICATE_SIMILARITY, NEIGHBOURS } from "../transfer/neighbours.js";
import { FEATURES, MAX_CLASSES, readHead } from "../transfer/head.js";
import { labelled, picker, skippedList } from "../files/index.js";
import { runtimeLine, unavailable } from "./shared.js";

/** The Python page's defaults and choices. */
export const DEFAULTS = ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "tv2_resnext50_32x4d"];
export const MOST = 4;
export const FOLDS = [2, 3, 4, 5, 10];
export const DEFAULT_FOLDS = 5;
const SAMPLE = "Sample: textures (brick, grass, gravel)";
const OWN = "Your folder or zip of class folders";
/** Suspects shown with their thumbnails (the Python page's 12). */
const SUSPECTS_SHOWN = 12;
/** Studies remembered for the visit. */
const REMEMBERED = 8;
/** A head file holds at most (classes + 3) rows of features as float32, and its header: anything larger is not one. */
const HEAD_MB = Math.ceil((MAX_CLASSES + 3) * FEATURES * 4 / 1e6) + 1;
const LEAD = "A folder per class of your own photos: which backbone transfers best to them (a linear probe on frozen "
  + "features, k-fold), and a classifier of your classes to use on the other pages.";

/** @typedef {import("../context.js").Context} Context */
/** @typedef {import("../transfer/studies.js").Comparison} Comparison */
/**
 * @typedef {object} Labelled The visitor's photos with their classes.
 * @property {import("../many.js").Item[]} items
 * @property {Int32Array} labels
 * @property {string[]} classes
 * @property {string[]} digests Each photo's SHA-256, the feature cache's key.
 * @property {{name: string, why: string}[]} skipped What was left out, and why (its header said it cannot be used).
 * @property {string} source
 * @property {number} id This set's, for the visit (a study is remembered under it and the settings).
 */
/**
 * @typedef {object} Done A study as the page keeps it for the visit.
 * @property {string} key
 * @property {Comparison} comparison
 * @property {import("../many.js").Item[]} items The photos used (those that could not be read removed).
 * @property {Int32Array} labels
 * @property {Map<string, Float32Array>} features Each backbone's (n, FEATURES), where this visit has them.
 * @property {{name: string, why: string}[]} skipped
 * @property {string[]} digests The photos' SHA-256.
 * @property {number} computed
 * @property {number} cached
 * @property {string[]} notes
 * @property {boolean} remembered Kept from an earlier run on this device: nothing was computed.
 * @property {Map<string, {id: string, name: string, url: string}>} made The classifiers made of it, by backbone, with their file.
 */
/**
 * @typedef {object} Kept A comparison as the device keeps it (the photos themselves are the visitor's, not kept).
 * @property {Comparison} comparison
 * @property {number[]} used The photos compared, by their index in the set.
 * @property {{index: number, why: string}[]} unread Photos that could not be decoded.
 */
/**
 * @typedef {object} Visit What the page keeps while the visitor is on other pages.
 * @property {string[]} chosen
 * @property {number} folds
 * @property {string} source
 * @property {Labelled | null} sample
 * @property {Labelled | null} own
 * @property {Map<string, Done>} done By the set and the settings, the last ``REMEMBERED``.
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
      own: null, done: new Map(), cache: null, studies: new Studies() };
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
    h("div", { class: "field" }, h("label", { for: "head-file" }, "A .safetensors head from this page or ", h("code", { text: "resnext probe --save-head" })), headInput),
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

  let drawn = 0; // the results drawn last (drawn a frame at a time)
  let looked = 0; // the backbone looked through last
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
          const listing = await sampleSet(mine);
          const { digests } = await examine(listing, mine);
          const classes = [...new Set(listing.map((i) => i.folder))]; // listed sorted, as the library sorts them
          visit.sample = { items: listing.map(({ path, blob }) => ({ name: path, blob })), digests: listing.map(({ path }) => /** @type {string} */ (digests.get(path))),
            labels: Int32Array.from(listing, ({ folder }) => classes.indexOf(folder)), classes, skipped: [], source: "sample", id: ++sets };
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
      sourceSlot.replaceChildren(picker({ limits: ctx.catalog.limits, signal, loose: false,
        label: "Drop a folder with one folder per class (any names), or a zip of them, here",
        onRead: async (read, choice) => {
          say(error, "");
          try {
            const { digests, refused } = await examine(read.images, choice);
            if (choice.aborted) return;
            const set = labelled(read, { refused });
            visit.own = { items: set.items.map((i) => ({ name: i.path, blob: i.blob })), digests: set.items.map((i) => /** @type {string} */ (digests.get(i.path))),
              labels: Int32Array.from(set.labels), classes: set.classes, skipped: set.skipped, source: "own", id: ++sets };
          } catch (e) {
            if (choice.aborted) return;
            say(status, "");
            visit.own = null;
            say(error, /** @type {Error} */ (e).message, "error");
            setLine.replaceChildren(...[skippedList(read.skipped)].filter((x) => x !== null));
            runSlot.replaceChildren();
            results.replaceChildren();
            return;
          }
          update();
        } }),
      h("p", { class: "caption", text: "At least two classes of at least two images each. Nothing leaves this device." }));
    }
    update();
  }

  /**
   * Every photo's SHA-256 and whether its header says it can be used (the library's ``probe``), in the
   * study's worker, said in the status line while it lasts.
   * @param {{path: string, blob: Blob}[]} images
   * @param {AbortSignal} choice
   * @returns {Promise<{digests: Map<string, string>, refused: Map<string, string>}>}
   */
  async function examine(images, choice) {
    say(status, `Reading ${images.length} photos…`);
    const found = await visit.studies.files(images.map((i) => i.blob), images.map((i) => i.path), ctx.catalog.limits, {
      signal: choice, progress: (d, t) => { if (!choice.aborted) say(status, `Reading the photos: ${d} of ${t}…`); } });
    if (!choice.aborted) say(status, "");
    return { digests: new Map(images.map((i, k) => [i.path, found[k].digest])),
      refused: new Map(images.flatMap((i, k) => (found[k].refused === null ? [] : [[i.path, /** @type {string} */ (found[k].refused)]]))) };
  }

  /** The data's digest and the settings: a study already made for them is shown at once. */
  function update() {
    drawn++; // a drawing under way stops
    results.replaceChildren();
    runSlot.replaceChildren();
    const data = current();
    if (!data) {
      setLine.replaceChildren(visit.source === OWN ? h("p", { class: "message info", text: "Drop a folder or a zip above, or try the sample." }) : "");
      return;
    }
    setLine.replaceChildren(...[skippedList(data.skipped)].filter((x) => x !== null),
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
    recall(data, runs()); // a comparison this device made before on the same photos and settings shows at once
  }

  /**
   * Show the comparison kept for these photos and settings, if the device keeps one (a click on the
   * button, or a changed setting, aborts the look).
   * @param {Labelled} data
   * @param {AbortSignal} mine
   */
  async function recall(data, mine) {
    const ids = [...visit.chosen];
    const key = settingsKey(data);
    const cache = await (visit.cache ??= FeatureCache.open());
    /** @type {Kept | undefined} */
    const kept = await cache.getStudy(await studyKey(ctx, data, ids, visit.folds));
    if (!kept || mine.aborted) return;
    const items = kept.used.map((i) => data.items[i]);
    /** @type {Done} */
    const done = { key, comparison: kept.comparison, items, digests: kept.used.map((i) => data.digests[i]),
      labels: Int32Array.from(kept.used, (i) => data.labels[i]), features: new Map(),
      skipped: [...data.skipped, ...kept.unread.map(({ index, why }) => ({ name: data.items[index].name, why }))],
      computed: 0, cached: 0, notes: [], remembered: true, made: new Map() };
    remember(done);
    show(done);
  }

  /** @param {Done} done */
  function remember(done) {
    visit.done.set(done.key, done);
    for (const old of visit.done.keys()) if (visit.done.size > REMEMBERED) visit.done.delete(old);
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
    let phase = { from: 0, share: 0.8, start: performance.now(), at: -1 };
    const report = (/** @type {number} */ fraction, /** @type {string} */ words) => {
      const f = Math.min(Math.max(fraction, 0), 1);
      bar.value = phase.from + phase.share * f;
      stage.textContent = words;
      const elapsed = (performance.now() - phase.start) / 1000;
      const rate = f > phase.at ? elapsed / (f - phase.at) : 0; // seconds per unit of this phase, as measured
      left.textContent = f > phase.at && elapsed > 0.5 ? `About ${fixed(Math.max(rate * (1 - f), 0), 0)} s left for this step, at the speed measured so far.` : "";
    };
    try {
      const cache = await (visit.cache ??= FeatureCache.open());
      stop.signal.throwIfAborted();
      const variants = ids.map((id) => /** @type {import("../models.js").Variant} */ (ctx.variants.get(id)));
      phase.start = performance.now();
      const feats = await featuresOf(data.items, data.digests, variants, cache, (items, which, o) => runMany(ctx, items, which, o), {
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
      const used = data.items.flatMap((_, i) => (keep[i] ? [i] : []));
      /** @type {Done} */
      const done = { key, comparison, items: used.map((i) => data.items[i]), digests: used.map((i) => data.digests[i]), labels, features,
        skipped: [...data.skipped, ...feats.skipped.map((s) => ({ name: s.name, why: s.why }))], computed: feats.computed,
        cached: feats.cached, notes: feats.notes, remembered: false, made: new Map() };
      remember(done);
      /** @type {Kept} */
      const kept = { comparison, used, unread: feats.skipped.map(({ index, why }) => ({ index, why })) };
      await cache.putStudy(await studyKey(ctx, data, ids, visit.folds), kept);
      if (cache.note && !done.notes.includes(cache.note)) done.notes.push(cache.note);
      if (mine.aborted) return;
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
  async function show(done) {
    const mine = ++drawn;
    /** The next frame, after the browser has drawn what is there: whether this drawing is still the page's. */
    const still = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(mine === drawn && results.isConnected), 0)));
    const c = done.comparison;
    runSlot.replaceChildren(...[skippedList(done.skipped.filter((s) => !current()?.skipped.includes(s)))].filter((x) => x !== null),
      h("p", { class: "caption from-cache", "data-computed": done.computed, "data-cached": done.cached, "data-remembered": String(done.remembered),
        text: done.remembered ? "Nothing computed: this device made this comparison before, on the same photos and settings, and kept it."
          : `Features: ${done.computed} computed on this device now, ${done.cached} from its cache (photos × backbones).` }),
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
    const curve = h("div", { class: "few-shot" });
    const through = h("div", { class: "through" });
    const headSlot = h("div", { class: "made" });
    const use = h("select", { id: "yc-head-model", onchange: () => made(done, use.value, headSlot) },
      ...c.scores.map((s) => h("option", { value: s.model, text: s.model })));
    const make = h("button", { type: "button", id: "yc-make", text: "Make it a classifier", onclick: () => makeHead(done, use.value, headSlot, make) });
    made(done, use.value, headSlot);
    results.replaceChildren(
      h("h2", { text: "Which backbone transfers best" }),
      h("p", { class: "message info verdict", "data-winner": c.winner ?? "", "data-p": c.p ?? "", text: c.verdict }),
      scroller("Each backbone's scores", table),
      h("p", { class: "caption", text: `Probe: logistic regression (L2, C chosen by inner cross-validation on the training folds) on `
        + `standardised penultimate features, ${c.folds}-fold, out-of-fold accuracy with a 95% Wilson interval. k-NN: cosine, `
        + "leave-one-out. LogME (You et al., 2021) needs no training but follows fine-tuned accuracy only loosely: read it beside the probe." }),
      h("h2", { text: "Accuracy with fewer labels" }), curve,
      h("p", { class: "caption", text: `Each point averages ${DRAWS} draws of that many images per class (the same draws for every `
        + "backbone), tested on the rest; the last point is the k-fold probe on all of them." }),
      h("div", { class: "field" }, h("label", { for: "yc-model", text: "Look through" }), look), through,
      h("h2", { text: "Use this classifier" }),
      h("div", { class: "field" }, h("label", { for: "yc-head-model", text: "Backbone" }), use,
        h("p", { class: "caption", text: "The probe refitted on every image; it replaces the backbone's ImageNet classifier." })),
      make, headSlot);

    // The rest a frame at a time, so that no task on the page's thread draws all of it at once.
    if (!await still()) return;
    curve.replaceChildren(fewShotChart(done));
    await lookThrough(look.value);

    /** @param {string} model */
    async function lookThrough(model) {
      const looking = ++looked;
      const s = /** @type {Comparison["scores"][number]} */ (c.scores.find((x) => x.model === model));
      const name = (/** @type {number} */ i) => done.items[i].name;
      const base = (/** @type {number} */ i) => name(i).split("/").at(-1) ?? name(i);
      /** @type {[HTMLImageElement, Blob][]} thumbnails drawn, and the photos they stand for */
      const pending = [];
      const thumb = (/** @type {number} */ i, /** @type {string} */ alt, size = 96) => {
        const img = h("img", { alt, width: size, height: size, decoding: "async" });
        pending.push([img, done.items[i].blob]);
        return img;
      };
      const shown = s.suspects.slice(0, SUSPECTS_SHOWN);
      const pairs = s.duplicates; // the first 50, as the Python page shows them
      if (!await still() || looking !== looked) return;
      through.replaceChildren(
        h("div", { class: "pair" },
          h("section", { "aria-labelledby": "yc-confusion" }, h("h3", { id: "yc-confusion" }, h("strong", { text: "Confusion matrix" }), " (out of fold)"),
            confusionTable(c.classes, s.confusion)),
          h("section", { "aria-labelledby": "yc-map" }, h("h3", { id: "yc-map" }, h("strong", { text: "Map of the features" }), " (point at a dot for its image)"),
            mapChart(done, s))));
      if (!await still() || looking !== looked) return;
      through.append(
        h("p", {}, h("strong", { text: `Suspect labels (${s.suspects.length})` }), `: images whose ${NEIGHBOURS} nearest neighbours mostly carry another class.`),
        ...(shown.length ? [h("ul", { class: "thumbs suspects" }, ...shown.map((x) => {
          const caption = `${base(x.index)}: filed ${c.classes[x.label]}, looks ${c.classes[x.likely]}`;
          return h("li", { "data-index": x.index }, h("figure", {}, thumb(x.index, caption), h("figcaption", { text: caption })));
        }))] : []));
      if (!await still() || looking !== looked) return;
      through.append(
        h("p", {}, h("strong", { text: `Near-duplicates (${s.duplicateCount})` }), `: feature similarity above ${DUPLICATE_SIMILARITY}, `
          + "across classes first (they inflate every score above)."),
        ...(pairs.length ? [scroller("Near-duplicates", h("table", { class: "duplicates" },
          h("thead", {}, h("tr", {}, ...["first", "second", "similarity", "across classes"].map((t) => h("th", { scope: "col", text: t })))),
          h("tbody", {}, ...pairs.map((d, row) => h("tr", {}, // thumbnails for the first pairs, as many as the suspects'
            h("td", {}, row < SUSPECTS_SHOWN ? thumb(d.first, "", 48) : "", h("span", { text: name(d.first) })),
            h("td", {}, row < SUSPECTS_SHOWN ? thumb(d.second, "", 48) : "", h("span", { text: name(d.second) })),
            h("td", { text: fixed(d.similarity, 4) }), h("td", { text: d.acrossClasses ? "yes" : "no" }))))))] : []));
      const urls = await thumbnailsOf(pending.map(([, blob]) => blob));
      pending.forEach(([img], k) => { if (urls[k]) img.src = /** @type {string} */ (urls[k]); });
    }
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
      const v = /** @type {import("../models.js").Variant} */ (ctx.variants.get(model));
      const features = done.features.get(model) ?? await keptFeatures(v, done.digests);
      const { head, bytes } = await visit.studies.head(features, FEATURES, done.labels, c.classes,
        /** @type {import("../transfer/head.js").Variant} */ (/** @type {unknown} */ (v)), { signal });
      const own = ctx.heads.keep(name, head);
      done.made.set(model, { id: own.id, name, url: URL.createObjectURL(new Blob([/** @type {BlobPart} */ (bytes)], { type: "application/octet-stream" })) });
      made(done, model, slot);
    } catch (e) {
      if (signal.aborted) return;
      slot.replaceChildren(h("p", { class: "message error", role: "alert", text: /** @type {Error} */ (e).message }));
    } finally {
      button.disabled = false;
    }
  }

  /**
   * Thumbnails of photos: small copies made once in the study's worker (a 2 MP photo in an ``<img>``
   * would cost the page's thread its decode), as object URLs.
   * @param {Blob[]} blobs
   * @returns {Promise<(string | null)[]>} ``null`` where a photo cannot be shown.
   */
  function thumbnailsOf(blobs) {
    const missing = [...new Set(blobs.filter((b) => !thumbnails.has(b)))];
    if (missing.length) {
      const made = visit.studies.thumbs(missing, THUMB_WIDTH, { signal });
      missing.forEach((b, k) => thumbnails.set(b, made.then((small) => (small[k] ? URL.createObjectURL(/** @type {Blob} */ (small[k])) : null),
        () => { thumbnails.delete(b); return null; })));
    }
    return Promise.all(blobs.map((b) => /** @type {Promise<string | null>} */ (thumbnails.get(b))));
  }

  /**
   * Say that a backbone's classifier was made, with its file, as the Python page does while the
   * session holds it (or nothing, if none was made of this backbone).
   * @param {Done} done
   * @param {string} model
   * @param {HTMLElement} slot
   */
  function made(done, model, slot) {
    const head = done.made.get(model);
    if (!head || !ctx.heads.get(head.id)) { slot.replaceChildren(); return; }
    const pages = ["classify", "side_by_side", "batch"].filter((p) => p in PAGES).map((p) => /** @type {Record<string, string>} */ (PAGES)[p]);
    const where = pages.length > 1 ? `${pages.slice(0, -1).join(", ")} and ${pages.at(-1)}` : pages.join("");
    slot.replaceChildren(h("p", { class: "message info", role: "status", "data-head": head.id,
      text: `“${head.name}” is now among the models of ${where}, under Your classes.` }),
    h("a", { class: "button", id: "yc-head-file", href: head.url, download: fileName(head.name), text: "Classifier file (.safetensors)" }),
    h("p", { class: "caption" }, "Use it with ", h("code", { text: "resnext predict --head FILE" }), " or load it here again later."));
  }

  /**
   * A backbone's features of some photos from the device's cache (a comparison recalled from it has
   * none of its own).
   * @param {import("../models.js").Variant} v
   * @param {string[]} digests
   * @returns {Promise<Float32Array>} (photos, FEATURES).
   * @throws {Error} The cache no longer holds them all.
   */
  async function keptFeatures(v, digests) {
    const cache = await (visit.cache ??= FeatureCache.open());
    const rows = await cache.getMany(setting(v), digests);
    if (rows.some((r) => !r)) throw new Error(`This device no longer keeps ${v.id}'s features of these photos; compare the backbones again.`);
    const x = new Float32Array(rows.length * FEATURES);
    rows.forEach((r, i) => x.set(/** @type {Float32Array} */ (r), i * FEATURES));
    return x;
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
      say(headLine, `${file.name}: ${head.classes.length} classes on ${head.backbone}, now under Your classes.`);
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

/** What a kept comparison's key says it was made of; another value when the study's numerics change. */
const STUDY_FORMAT = "resnext-study/1";

/**
 * The key a comparison is kept under: the photos (their SHA-256, in order), their classes, the
 * backbones (each with its weights and preprocessing) and the folds.
 * @param {Context} ctx
 * @param {Labelled} data
 * @param {string[]} ids
 * @param {number} folds
 * @returns {Promise<string>}
 */
async function studyKey(ctx, data, ids, folds) {
  const made = [STUDY_FORMAT, data.digests, Array.from(data.labels), data.classes,
    ids.map((id) => setting(/** @type {import("../models.js").Variant} */ (ctx.variants.get(id)))), folds, 0];
  return new Sha256().update(new TextEncoder().encode(JSON.stringify(made))).hex();
}

/**
 * A table in a region that scrolls sideways where it is wider than the screen, reached by Tab so the
 * keyboard can scroll it too.
 * @param {string} label
 * @param {HTMLElement} table
 * @returns {HTMLElement}
 */
function scroller(label, table) {
  return h("div", { class: "table-wrap", role: "region", "aria-label": label, tabindex: 0 }, table);
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

/** @type {WeakMap<Blob, Promise<string | null>>} each photo's thumbnail (an object URL), made once for the visit */
const thumbnails = new WeakMap();
/** Thumbnails' width in pixels: 96 CSS pixels on a screen of two pixels to one. */
const THUMB_WIDTH = 192;

/**
 * The sample set the build ships (``samples/textures/CLASS/FILE``, listed in the library's order).
 * @param {AbortSignal} signal
 * @returns {Promise<{path: string, folder: string, blob: Blob}[]>}
 */
async function sampleSet(signal) {
  /** @type {string[]} */
  const listing = await (await fetch("samples/textures.json", { signal })).json();
  return Promise.all(listing.map(async (path) => {
    const response = await fetch(`samples/textures/${path}`, { signal });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return { path, folder: path.split("/")[0], blob: await response.blob() };
  }));
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
  return scroller("Confusion matrix", h("table", { class: "confusion" },
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
