// @ts-check
/**
 * Classify's "Where the model looked": the library's methods in a picker, as the Python app's, with
 * what each costs here; the map of a class (optionally rather than another) over the crop; and how
 * faithful that map is. The CAM is drawn at once from the answer's features; occlusion and the
 * faithfulness score run in their own worker (``explain/run.js``), their images batched through the
 * network's, with progress, what is left and a Cancel button (changing any control cancels too). A
 * method this browser does not run says why in one sentence (``explain/methods.js``).
 * @module pages/explain
 */

import { h, say } from "../dom.js";
import { blend, paint } from "../overlay.js";
import { camOf } from "../answer.js";
import { median } from "../models.js";
import { headLogits, labelsOf } from "../heads.js";
import { abandoned, child, latest } from "../lifecycle.js";
import { fixed } from "../pyformat.js";
import { npy } from "../npy.js";
import { contrastCam } from "../explain/contrast.js";
import { RUNS, WHY_NOT } from "../explain/methods.js";
import { costLabel, images, remaining } from "../explain/cost.js";
import { runExplanation } from "../explain/run.js";

/** @typedef {{name: string, label: string, summary: string, layered: boolean}} Method The catalog's ``methods``. */
/** @typedef {{classIndex: number, method: string}} Chosen */

/**
 * The section, for one answer; its runs stop when ``signal`` aborts (a newer answer, or the page left).
 * @param {import("../context.js").Context} ctx
 * @param {import("../answer.js").Result} r
 * @param {Chosen} chosen The class and method to start with (a class not in the top-5 is the top class).
 * @param {(chosen: Chosen) => void} changed Told of the visitor's choices (for the link).
 * @param {AbortSignal} signal
 * @returns {HTMLElement}
 */
export function whereLooked(ctx, r, chosen, changed, signal) {
  const own = ctx.heads.get(r.id); // a head of the visitor's classes: its backbone runs, the head follows
  const backbone = own ? own.head.backbone : r.id;
  const labels = labelsOf(ctx, r.id);
  /** @type {Method[]} */
  const methods = /** @type {any} */ (ctx.catalog).methods;
  const photo = /** @type {import("../context.js").Photo} */ (ctx.photo);
  const v = /** @type {import("../models.js").Variant} */ (ctx.variants.get(backbone));
  const percent = (/** @type {number} */ index) => `${labels[index]} (${(100 * (r.top.find((t) => t.index === index)?.probability ?? 0)).toFixed(1)}%)`;
  /** What a long run takes here: the network's median time per image on this device, this visit, past
   * the first run when there are others (it is cold, and slower; Model comparison drops it too). */
  const estimate = (/** @type {string} */ method) => {
    const times = ctx.times.get(backbone);
    return times?.length ? costLabel((median(times.length > 1 ? times.slice(1) : times) / 1000) * images(method, r.size)) : "time unknown";
  };
  const optionText = (/** @type {Method} */ m) => `${m.label} · ${!RUNS.includes(m.name) ? "Python app only" : m.name === "gradcam" ? "at once" : estimate(m.name)}`;

  const explained = r.top.some((t) => t.index === chosen.classIndex) ? chosen.classIndex : r.top[0].index;
  const methodPick = h("select", { id: "cam-method" }, ...methods.map((m) => h("option", { value: m.name, selected: m.name === chosen.method, text: optionText(m) })));
  const classPick = h("select", { id: "cam-class" }, ...r.top.map((t) => h("option", { value: t.index, selected: t.index === explained, text: percent(t.index) })));
  const contrastPick = h("select", { id: "cam-contrast" });
  const opacity = h("input", { type: "range", id: "cam-alpha", min: 0, max: 1, step: 0.05, value: 0.5 });
  const summary = h("p", { class: "caption" });
  const message = h("p", { class: "message", role: "status", hidden: true });
  const again = h("button", { type: "button", hidden: true, text: "Run again" });
  const overlay = h("canvas", { class: "picture", role: "img" });
  const caption = h("figcaption");
  const figure = h("figure", {}, overlay, caption);
  const crop = h("canvas", { class: "picture", role: "img", "aria-label": `The centre crop of ${photo.name} that the model saw` });
  paint(crop, blend(r.crop, null, 0, ctx.catalog.colormap.rgb), r.size);
  const download = h("a", { class: "button", hidden: true, text: "Map (.npy)", title: "The map as float32 in [0, 1], the crop's size: numpy.load." });
  const scoring = h("input", { type: "checkbox", id: "cam-faithfulness" });
  const scoringLabel = h("label", { for: "cam-faithfulness" });
  const scoreLine = h("p", { class: "faithfulness", hidden: true });
  const scoreCaption = h("p", { class: "caption", hidden: true, text: "Deletion: the class's probability as the map's most important pixels are greyed out first, 16 steps; insertion: as they are put back into a blurred copy. Areas under those curves; the random map has the same power spectrum as this one, so the same blob sizes in random places." });
  const bar = progressBar();

  /** @type {Map<string, Float32Array>} maps made for this answer, by method, class and contrast */
  const maps = new Map();
  /** @type {Map<string, import("../explain/faithfulness.js").Faithfulness>} */
  const scores = new Map();
  /** @type {{key: string, map: Float32Array} | null} */
  let shown = null;
  const runs = latest(signal), scorings = latest(signal);

  const contrastOptions = () => {
    const keep = contrastPick.value, index = Number(classPick.value);
    contrastPick.replaceChildren(h("option", { value: "", text: "— (no contrast)" }),
      ...r.top.filter((t) => t.index !== index).map((t) => h("option", { value: t.index, selected: String(t.index) === keep, text: percent(t.index) })));
  };
  const choice = () => {
    const method = methodPick.value, classIndex = Number(classPick.value);
    const contrast = contrastPick.value === "" ? null : Number(contrastPick.value);
    return { method, classIndex, contrast, key: `${method}/${classIndex}/${contrast}` };
  };
  const relabel = () => {
    for (const option of methodPick.options) option.text = optionText(/** @type {Method} */ (methods.find((m) => m.name === option.value)));
    scoringLabel.textContent = `Score how faithful this map is (${estimate("faithfulness")})`;
  };
  const label = (/** @type {string} */ name) => /** @type {Method} */ (methods.find((m) => m.name === name)).label;

  const draw = () => {
    if (!shown) return;
    const { method, classIndex, contrast } = choice();
    const question = `“${percent(classIndex)}”` + (contrast === null ? "" : ` rather than “${percent(contrast)}”`);
    const what = label(method) + (method === "gradcam" ? " on layer4" : "");
    paint(overlay, blend(r.crop, shown.map, Number(opacity.value), ctx.catalog.colormap.rgb), r.size);
    overlay.setAttribute("aria-label", `${label(method)} of ${photo.name} for ${question}`);
    overlay.dataset.classIndex = String(classIndex);
    overlay.dataset.method = method;
    caption.textContent = `${what} for ${question}`;
  };

  const show = (/** @type {string} */ key, /** @type {Float32Array} */ map) => {
    shown = { key, map };
    figure.hidden = false;
    const old = download.getAttribute("href");
    if (old) URL.revokeObjectURL(old);
    const { method } = choice();
    download.setAttribute("href", URL.createObjectURL(new Blob([npy(map, [r.size, r.size])], { type: "application/octet-stream" })));
    download.setAttribute("download", `${photo.name.replace(/\.[^.]*$/, "")}-${r.id}-${method}-map.npy`);
    download.hidden = false;
    draw();
  };

  /**
   * A long run in the bar, with its Cancel button. Cancelled, it says so and offers "Run again"; failed,
   * it says the sentence; either way (or given up by a newer choice) it gives null.
   * @template T
   * @param {string} name What runs, as the bar says it: "Occlusion of ssl_resnext50_32x4d".
   * @param {string} noun What a cancel sentence calls it.
   * @param {string} method What the estimate is of.
   * @param {AbortSignal} parent
   * @param {(signal: AbortSignal, progress: (fraction: number) => void) => Promise<T>} work
   * @returns {Promise<T | null>}
   */
  const long = async (name, noun, method, parent, work) => {
    const controller = child(parent);
    const cancelled = abandoned("Cancelled.");
    const token = {};
    try {
      return await work(controller.signal, bar.start(name, `${estimate(method)} on this device`, () => controller.abort(cancelled), token));
    } catch (error) {
      if (parent.aborted) return null;
      if (controller.signal.reason === cancelled) {
        const focused = bar.element.contains(document.activeElement); // the Cancel button, about to be hidden
        say(message, `${noun} was cancelled; Run again makes it.`);
        again.hidden = false;
        if (focused) again.focus(); // a keyboard's place is kept
      } else {
        say(message, /** @type {Error} */ (error).message, "error");
      }
      return null;
    } finally {
      bar.stop(token);
      relabel(); // its batches timed the network again: the picker's and the toggle's costs follow
    }
  };

  const network = (/** @type {Float32Array} */ batch, /** @type {number} */ count, /** @type {AbortSignal} */ s) =>
    ctx.models().then((models) => models.batch(backbone, batch, count, { signal: s }))
      .then((b) => (own ? headLogits(own, b.pooled, count) : b.logits));
  const shape = [3, r.size, r.size];

  /**
   * The map of the current choice: made (or taken from those made), drawn, then scored if asked.
   * @param {boolean} [chosen] The visitor chose it (the link says it then).
   */
  async function update(chosen = false) {
    const mine = runs();
    scorings();
    const { method, classIndex, contrast, key } = choice();
    if (chosen) changed({ classIndex, method });
    const m = /** @type {Method} */ (methods.find((x) => x.name === method));
    summary.textContent = `${m.label}: ${m.summary}` // the CAM needs no backward pass only on the last stage
      + (m.layered && RUNS.includes(method) ? " Here on layer4 only: the earlier stages need a backward pass, which the Python app runs." : "");
    say(message, "");
    again.hidden = true;
    hideScore();
    scoring.disabled = !RUNS.includes(method); // no map here to score
    if (!RUNS.includes(method)) {
      say(message, `${m.label} runs only in the Python app: ${WHY_NOT[method]}.`);
      shown = null;
      figure.hidden = true;
      download.hidden = true;
      return;
    }
    let map = maps.get(key) ?? null;
    if (!map) {
      if (method === "gradcam") {
        map = contrast === null ? camOf(r, classIndex) : contrastCam(r.features, r.featureShape, r.fcWeight, classIndex, contrast, r.size, r.size);
      } else {
        shown = null;
        figure.hidden = true;
        download.hidden = true;
        const { input } = await ctx.crop(v);
        if (mine.aborted) return;
        map = await long(`${m.label} of ${r.id}`, `${m.label} of ${r.id}`, method, mine, (s, progress) =>
          runExplanation({ type: "occlusion", input: input.slice(), shape, classIndex, contrast }, network, { signal: s, progress }));
        if (!map) return;
      }
      maps.set(key, /** @type {Float32Array} */ (map));
    }
    if (mine.aborted) return;
    show(key, /** @type {Float32Array} */ (map));
    score();
  }

  function hideScore() {
    scoreLine.hidden = true;
    scoreCaption.hidden = true;
  }

  /** The shown map's faithfulness, if asked; a score once made is kept. */
  async function score() {
    const mine = scorings();
    hideScore();
    if (!scoring.checked || !shown) return;
    const { key, map } = shown, { classIndex } = choice();
    let s = scores.get(key) ?? null;
    if (!s) {
      const { input } = await ctx.crop(v);
      if (mine.aborted) return;
      s = await long(`Measuring how faithful the map of ${r.id} is`, `The faithfulness score of the map of ${r.id}`, "faithfulness", mine, (signal, progress) =>
        runExplanation({ type: "faithfulness", input: input.slice(), shape, saliency: map.slice(), classIndex }, network, { signal, progress }));
      if (!s) return;
      scores.set(key, s);
    }
    if (mine.aborted || shown?.key !== key) return;
    scoreLine.replaceChildren(...faithfulnessLine(s, percent(classIndex)));
    for (const [name, value] of Object.entries(s)) if (typeof value === "number") scoreLine.dataset[name] = String(value);
    scoreLine.hidden = false;
    scoreCaption.hidden = false;
  }

  methodPick.addEventListener("change", () => update(true));
  classPick.addEventListener("change", () => { contrastOptions(); update(true); });
  contrastPick.addEventListener("change", () => update(true));
  opacity.addEventListener("input", draw);
  scoring.addEventListener("change", () => { again.hidden = true; say(message, ""); score(); });
  again.addEventListener("click", () => { again.hidden = true; say(message, ""); if (scoring.checked && shown) score(); else update(); });
  contrastOptions();
  relabel(); // the toggle's words are there before any map (a link to a method the browser does not run makes none)
  update();

  return h("section", { "aria-labelledby": "looked" }, h("h2", { id: "looked", text: "Where the model looked" }),
    h("div", { class: "controls" },
      h("label", { for: "cam-method" }, "Method"), methodPick,
      h("label", { for: "cam-class" }, "Explain class"), classPick,
      h("label", { for: "cam-contrast" }, "Rather than"), contrastPick,
      h("label", { for: "cam-alpha" }, "Heatmap opacity"), opacity),
    summary, bar.element, message, again,
    h("div", { class: "pictures" },
      figure,
      h("figure", {}, crop, h("figcaption", { text: `What the model saw (${r.size}×${r.size} centre crop)` }))),
    h("p", {}, download),
    h("p", { class: "toggle" }, scoring, " ", scoringLabel),
    scoreLine, scoreCaption);
}

/**
 * The Python app's faithfulness line: both areas with their direction, and the random baseline.
 * @param {import("../explain/faithfulness.js").Faithfulness} s
 * @param {string} label The class, as the picker says it.
 * @returns {(Node | string)[]}
 */
export function faithfulnessLine(s, label) {
  const beats = s.deletion < s.randomDeletion && s.insertion > s.randomInsertion;
  const verdict = beats ? "more faithful than a random map of the same smoothness on both curves"
    : "not more faithful than a random map of the same smoothness on both curves";
  const b = (/** @type {string} */ text) => h("strong", { text });
  return [b("Faithfulness"), ` to “${label}”: deletion AUC `, b(fixed(s.deletion, 3)),
    ` (lower is better; random map ${fixed(s.randomDeletion, 3)}) · insertion AUC `, b(fixed(s.insertion, 3)),
    ` (higher is better; random map ${fixed(s.randomInsertion, 3)}): ${verdict}.`];
}

/**
 * A progress bar with its text, what is left and a Cancel button, shown while a run lasts.
 * @returns {{element: HTMLElement, start: (text: string, guess: string, cancel: () => void, token: object) => (fraction: number) => void, stop: (token: object) => void}}
 */
function progressBar() {
  const text = h("span", { id: "explain-progress-text" });
  const bar = h("progress", { max: 1, value: 0, "aria-labelledby": "explain-progress-text" });
  const cancel = h("button", { type: "button", text: "Cancel" });
  const element = h("div", { class: "explain-progress", hidden: true }, text, bar, cancel);
  /** @type {object | null} the run the bar shows */
  let current = null;
  /** @type {(() => void) | null} */
  let onCancel = null;
  cancel.addEventListener("click", () => onCancel?.());
  return {
    element,
    start(said, guess, stop, token) {
      const begun = performance.now();
      current = token;
      onCancel = stop;
      element.hidden = false;
      bar.value = 0;
      text.textContent = `${said} (${guess}).`;
      return (fraction) => {
        if (current !== token) return;
        bar.value = fraction;
        // Once the run has a pace of its own, what is left comes from it, not beside the first guess.
        const left = remaining((performance.now() - begun) / 1000, fraction);
        text.textContent = left ? `${said}: ${Math.floor(fraction * 100)}% done, ${left}.` : `${said} (${guess}): ${Math.floor(fraction * 100)}% done.`;
      };
    },
    stop(token) {
      if (current !== token) return; // a newer run has the bar
      current = null;
      onCancel = null;
      element.hidden = true;
    },
  };
}
