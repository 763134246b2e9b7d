// @ts-check
/**
 * Batch: many photos (files, a folder, zips) through one to four models on this device, as the Python
 * app's Batch page: each file's top-1 in a table and every top-5 as the CSV ``resnext predict --out``
 * writes, the files that could not be used with why, and, when every image sits in a class folder,
 * each model's accuracy with its 95% Wilson interval, per class and as a confusion, as ``resnext eval``
 * scores it. The run shows its progress and the time it has left, and stops at once when cancelled.
 * A classifier of the visitor's own classes (``ctx.heads``, kept there by the page Your classes) is
 * offered beside the catalog's variants under "Your classes", as the Python app offers it. Nothing leaves the device.
 * @module pages/batch
 */

import { h, say } from "../dom.js";
import { abandoned, child, latest } from "../lifecycle.js";
import { BATCH, runMany } from "../many.js";
import { progress as downloading } from "../answer.js";
import { picker } from "../files/index.js";
import { scoreRows } from "../folder/evaluate.js";
import { perClassCsv } from "../folder/report.js";
import { rowsCsv } from "../folder/results.js";
import { fixed } from "../pyformat.js";
import {
  PUBLISHED_COLUMN, batchRows, confusion, headColumn, imagenetColumn, leftText, resultsTable, scoresTable, secondsLeft, truthOf,
} from "../folder/batch.js";
import { runtimeLine, unavailable } from "./shared.js";
import { FAMILY_LABEL, headLabel } from "../heads.js";

/** @typedef {import("../folder/batch.js").Column} Column */

/** The Python page's first choice (``pickers.DEFAULT_VARIANT``) and most models at once. */
export const DEFAULTS = ["swsl_resnext50_32x4d"];
export const MOST = 4;
const TOPK = 5;
const CANCELLED = "Cancelled.";

/**
 * Draw the page.
 * @param {HTMLElement} root
 * @param {import("../context.js").Context} ctx
 * @param {URLSearchParams} params
 * @param {string[]} dropped
 * @param {AbortSignal} signal Aborted when the page is left.
 */
export function render(root, ctx, params, dropped, signal) {
  const runs = latest(signal);
  const heads = ctx.heads.all(); // the visit's classifiers of the visitor's classes (the page Your classes)
  /** @type {string[]} */
  let chosen = DEFAULTS.filter((id) => ctx.runnable.some((v) => v.id === id));
  /** @type {import("../files/index.js").Read | null} */
  let read = null;
  /** What the last read gave each source variant, kept while the read is the same: a model added later runs alone. */
  /** @type {{outputs: Map<string, import("../many.js").Outputs>, skipped: {index: number, name: string, why: string}[] | null}} */
  let done = { outputs: new Map(), skipped: null };
  /** @type {string[]} */
  let thumbnails = [];
  signal.addEventListener("abort", () => thumbnails.forEach((url) => URL.revokeObjectURL(url)), { once: true });

  const status = h("p", { id: "batch-status", class: "message", role: "status", hidden: true });
  const download = h("p", { class: "status", role: "status" });
  const bar = h("progress", { id: "batch-progress", max: 1, value: 0 });
  const barText = h("p", { id: "batch-progress-text", class: "caption", "aria-live": "polite" });
  const cancel = h("button", { type: "button", id: "batch-cancel", text: "Cancel" });
  const running = h("div", { class: "running", hidden: true },
    h("label", { for: "batch-progress", class: "visually-hidden", text: "Progress of the batch" }), bar, barText, cancel);
  const notes = h("div", { class: "notes" });
  const results = h("section", { class: "batch-results", "aria-label": "Results" });
  const accuracy = h("section", { class: "batch-accuracy", "aria-label": "Accuracy on your classes" });

  const boxes = h("fieldset", { class: "models" }, h("legend", { text: `Models (1 to ${MOST})` }),
    ...Object.keys(ctx.catalog.families).map((family) => {
      const mine = ctx.runnable.filter((v) => v.family === family);
      return mine.length ? group(ctx.familyLabel(family), mine.map((v) => [v.id, ctx.label(v)])) : null;
    }),
    heads.length ? group(FAMILY_LABEL, heads.map((own) => [own.id, headLabel(own.head)])) : null,
    unavailable(ctx));
  /** @param {string} label @param {[string, string][]} options */
  function group(label, options) {
    return h("div", { class: "family", role: "group", "aria-label": label }, h("p", { class: "family-name", text: label }),
      ...options.map(([id, text]) => h("label", {}, h("input", { type: "checkbox", value: id, checked: chosen.includes(id) }), ` ${text}`)));
  }
  const limit = () => {
    for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (boxes.querySelectorAll("input"))) box.disabled = !box.checked && chosen.length >= MOST;
  };
  // As the Python app's picker on a phone: one line naming the choice, the whole list a tap away (open on wider screens).
  const summary = h("summary", {});
  const picked = () => { summary.textContent = `Models: ${chosen.join(", ") || "none"}`; };
  const models = h("details", { class: "models-choice", open: globalThis.matchMedia?.("(min-width: 768px)").matches }, summary, boxes);
  boxes.addEventListener("change", () => {
    chosen = [...boxes.querySelectorAll("input:checked")].map((b) => /** @type {HTMLInputElement} */ (b).value);
    limit();
    picked();
    run();
  });
  limit();
  picked();

  /**
   * The columns of the chosen models, in the order chosen.
   * @returns {Column[]}
   */
  const columnsOf = () => chosen.map((id) => {
    const own = ctx.heads.get(id);
    return own ? headColumn(id, own.head, own.linear) : imagenetColumn(id, ctx.catalog.labels);
  });

  async function run() {
    const mine = runs();
    results.replaceChildren();
    accuracy.replaceChildren();
    notes.replaceChildren();
    say(download, "");
    running.hidden = true;
    if (!chosen.length) { say(status, "Pick at least one model.", "warning"); return; }
    if (!read) { say(status, "Drop photos or a zip above.", "info"); return; }
    say(status, "");
    const batch = read;
    const columns = columnsOf();
    const sources = [...new Set(columns.map((c) => c.source))];
    const missing = sources.filter((id) => !done.outputs.has(id));
    const items = batch.images.map((image) => ({ name: image.path, blob: image.blob }));
    if (missing.length && items.length) {
      const stop = child(mine); // the Cancel button's, under this run's
      cancel.onclick = () => stop.abort(abandoned(CANCELLED));
      const text = `Classifying ${items.length} images with ${missing.length} model${missing.length > 1 ? "s" : ""}`;
      /** @type {{at: number, done: number} | null} */
      let first = null;
      let heard = 0;
      const onProgress = (/** @type {number} */ count, /** @type {number} */ total) => {
        if (stop.signal.aborted) return;
        const now = { at: performance.now(), done: count };
        if (count > heard) say(download, ""); // a batch answered: the download is over
        heard = count;
        if (!first && count >= Math.min(items.length, BATCH) * missing.length) first = now; // every model's first batch is behind
        const left = first ? secondsLeft(first, now, total) : null;
        bar.max = total;
        bar.value = count;
        bar.dataset.done = String(count);
        barText.textContent = `${text}: ${Math.floor(count / missing.length)} done${left === null ? "" : `, ${leftText(left)}`}`;
      };
      bar.value = 0;
      bar.dataset.done = "0";
      barText.textContent = `${text}…`;
      running.hidden = false;
      try {
        const many = await runMany(ctx, items, missing, { signal: stop.signal, progress: onProgress,
          download: (id) => downloading(download, id, stop.signal) });
        if (mine.aborted) return; // given up as it ended: its answers may be of files no longer chosen
        for (const [id, out] of many.outputs) done.outputs.set(id, out);
        done.skipped = many.skipped;
        for (const note of many.notes) notes.append(h("p", { class: "message warning", text: note }));
      } catch (error) {
        if (mine.aborted) return; // a newer choice, or the page left: it says nothing
        running.hidden = true;
        say(download, "");
        if (stop.signal.aborted) {
          const answered = Number(bar.dataset.done ?? 0);
          say(status, `Cancelled after ${Math.floor(answered / missing.length)} of ${items.length} images; nothing is shown for an unfinished batch. Choose the files again to start over.`, "warning");
          return;
        }
        say(status, /** @type {Error} */ (error).message, "error");
        return;
      } finally {
        cancel.onclick = null;
      }
      running.hidden = true;
    }
    if (mine.aborted) return;
    const rows = batchRows(items.map((i) => i.name), done.outputs, done.skipped ?? [], columns, TOPK);
    show(batch, rows, columns);
  }

  /**
   * Draw the results, the files that could not be used and, for class folders, the accuracy.
   * @param {import("../files/index.js").Read} batch
   * @param {import("../folder/results.js").Row[]} rows
   * @param {Column[]} columns
   */
  function show(batch, rows, columns) {
    const ids = columns.map((c) => c.id);
    const ok = rows.filter((r) => r.status === "ok");
    const failed = [...rows.filter((r) => r.status !== "ok").map((r) => ({ name: r.path, why: r.status })), ...batch.skipped];
    const blobs = new Map(batch.images.map((image) => [image.path, image.blob]));
    thumbnails.forEach((url) => URL.revokeObjectURL(url));
    thumbnails = [];
    const table = resultsTable(rows, ids);
    const headings = ["image", ...Object.keys(table[0] ?? { file: 0, status: 0 })];
    results.replaceChildren(
      h("h2", { id: "batch-classified", text: `${ok.length} of ${rows.length + batch.skipped.length} files classified` }),
      rows.length ? h("div", { class: "table-wrap", role: "region", "aria-labelledby": "batch-classified", tabindex: 0 },
        h("table", { class: "batch" },
          h("thead", {}, h("tr", {}, ...headings.map((t) => h("th", { scope: "col", class: t.endsWith(" %") ? "number" : null, text: t })))),
          h("tbody", {}, ...table.map((record, i) => h("tr", { "data-path": rows[i].path }, h("td", {}, thumbnail(rows[i], blobs)),
            ...Object.entries(record).map(([key, value]) => h(key === "file" ? "th" : "td", {
              ...(key === "file" ? { scope: "row" } : {}), class: typeof value === "number" ? "number" : null,
              text: value === null ? "—" : key.endsWith(" %") ? fixed(/** @type {number} */ (value), 1) : value }))))))) : "",
      rows.length ? h("p", {}, h("button", { type: "button", id: "batch-csv", onclick: () => save(rowsCsv(rows, ids, TOPK), "batch-results.csv", "text/csv") },
        "Results (CSV)"), " ", h("span", { class: "caption", text: "Per file and model: the top-5 labels, class indices and probabilities." })) : "",
      failed.length ? h("details", { class: "failed", open: !ok.length },
        h("summary", { text: `${failed.length} file${failed.length === 1 ? "" : "s"} could not be used` }),
        h("div", { class: "table-wrap", role: "region", "aria-label": "Files that could not be used", tabindex: 0 },
          h("table", { class: "batch" }, h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "file" }), h("th", { scope: "col", text: "why" }))),
            h("tbody", {}, ...failed.map(({ name, why }) => h("tr", { "data-file": name }, h("th", { scope: "row", text: name }), h("td", { text: why }))))))) : "");
    if (ok.length && batch.classed) scores(batch, rows, columns);
  }

  /**
   * A row's thumbnail: the file itself, drawn small and only when scrolled to.
   * @param {import("../folder/results.js").Row} row
   * @param {Map<string, Blob>} blobs
   */
  function thumbnail(row, blobs) {
    const blob = blobs.get(row.path);
    if (row.status !== "ok" || !blob) return null;
    const url = URL.createObjectURL(blob);
    thumbnails.push(url);
    return h("img", { src: url, alt: "", width: 48, height: 48, loading: "lazy", decoding: "async", class: "thumb" });
  }

  /**
   * Each model's accuracy on the class folders, as ``resnext eval`` scores it.
   * @param {import("../files/index.js").Read} batch
   * @param {import("../folder/results.js").Row[]} rows
   * @param {Column[]} columns
   */
  function scores(batch, rows, columns) {
    const heading = h("h2", { id: "batch-accuracy", text: "Accuracy on your classes" });
    const labels = columns[0].labels;
    try {
      if (columns.some((c) => c.labels !== labels)) throw new Error("These models predict different classes; evaluate them separately.");
      const truth = truthOf(batch.images, labels, ctx.catalog.synsets);
      const models = columns.map((c) => {
        const v = ctx.variants.get(c.id);
        return { id: c.id, top1: v?.top1 ?? null, top5: v?.top5 ?? null };
      });
      const evaluation = scoreRows(models, rows, truth, labels);
      const table = scoresTable(evaluation);
      const [first] = evaluation.scores;
      accuracy.replaceChildren(heading,
        h("div", { class: "table-wrap", role: "region", "aria-labelledby": "batch-accuracy", tabindex: 0 },
          h("table", { class: "batch scores" },
            h("thead", {}, h("tr", {}, ...Object.entries(table[0]).map(([t, v]) => h("th", { scope: "col", class: typeof v === "number" ? "number" : null, text: t })))),
            h("tbody", {}, ...table.map((record, i) => {
              const s = evaluation.scores[i];
              return h("tr", { "data-model": s.model, "data-top1": s.top1, "data-top1-low": s.top1Interval[0], "data-top1-high": s.top1Interval[1],
                "data-top5": s.top5, "data-top5-low": s.top5Interval[0], "data-top5-high": s.top5Interval[1] },
              ...Object.entries(record).map(([key, value]) => h(key === "model" ? "th" : "td", {
                ...(key === "model" ? { scope: "row" } : {}), class: typeof value === "number" ? "number" : null,
                text: value === null ? "—" : key.endsWith(" %") && key !== PUBLISHED_COLUMN ? fixed(/** @type {number} */ (value), 1) : value })));
            })))),
        h("p", { class: "caption", text: `${first.images} images in ${first.perClass.size} classes, from the class folders' names. 95% Wilson intervals. The published figure is on ImageNet's validation set: a different data set, shown for scale, not for comparison.` }),
        evaluation.agreement.length ? h("div", {}, h("p", { text: "Same top-1 on the same image:" }),
          h("ul", {}, ...evaluation.agreement.map(({ a, b, share }) => h("li", { text: `${a} and ${b}: ${fixed(100 * share, 1)}%` })))) : "",
        h("h3", { id: "batch-per-class", text: "Per class" }),
        perClass(evaluation),
        h("p", {}, h("button", { type: "button", id: "batch-per-class-csv", onclick: () => save(perClassCsv(evaluation), "batch-per-class.csv", "text/csv") },
          "Per class (CSV)"), " ", h("span", { class: "caption", text: "Each class's images and every model's top-1 accuracy on it, as resnext eval --per-class writes them." })),
        h("h3", { id: "batch-confusion", text: "Confusion" }),
        h("p", { class: "caption", text: "For each class folder (rows), how many of its images each model answered with each class (columns); the diagonal is right." }),
        ...columns.map((c) => confusionTable(rows, truth, c, labels)),
        h("p", { class: "caption", text: "Calibration and accuracy under corruption on your classes: in the Python app." }));
    } catch (error) {
      accuracy.replaceChildren(heading, h("p", { class: "message error", role: "alert", text: /** @type {Error} */ (error).message }));
    }
  }

  /**
   * The ``--per-class`` table: each class's images and every model's top-1 accuracy on it.
   * @param {import("../folder/evaluate.js").Evaluation} evaluation
   */
  function perClass(evaluation) {
    const [first] = evaluation.scores;
    return h("div", { class: "table-wrap", role: "region", "aria-labelledby": "batch-per-class", tabindex: 0 },
      h("table", { class: "batch" },
        h("thead", {}, h("tr", {}, ...["class", "label", "images", ...evaluation.scores.map((s) => `${s.model} top-1`)].map((t) => h("th", { scope: "col", class: t === "label" ? null : "number", text: t })))),
        h("tbody", {}, ...[...first.perClass].map(([c, [, images]]) => h("tr", {}, h("td", { class: "number", text: c }), h("th", { scope: "row", text: evaluation.labels[c] }),
          h("td", { class: "number", text: images }),
          ...evaluation.scores.map((s) => h("td", { class: "number", text: `${fixed(100 * /** @type {[number, number]} */ (s.perClass.get(c))[0] / images, 1)}%` })))))));
  }

  /**
   * One model's confusion of the folder's classes.
   * @param {import("../folder/results.js").Row[]} rows
   * @param {Map<string, number>} truth
   * @param {Column} column
   * @param {string[]} labels
   */
  function confusionTable(rows, truth, column, labels) {
    const { classes, counts, other } = confusion(rows, truth, column.id);
    const id = `batch-confusion-${[...column.id].map((c) => (/[A-Za-z0-9_-]/.test(c) ? c : "-")).join("")}`;
    return h("div", { class: "table-wrap", role: "region", "aria-labelledby": id, tabindex: 0 },
      h("table", { class: "batch confusion", "data-model": column.id },
        h("caption", { id, text: `${column.id}: class folder (rows) against its top-1 (columns)` }),
        h("thead", {}, h("tr", {}, h("td", {}), ...classes.map((c) => h("th", { scope: "col", class: "number", text: labels[c] })), h("th", { scope: "col", class: "number", text: "another class" }))),
        h("tbody", {}, ...classes.map((c, i) => h("tr", { "data-class-index": c }, h("th", { scope: "row", text: labels[c] }),
          ...counts[i].map((n, j) => h("td", { class: i === j ? "number right" : "number", text: n })), h("td", { class: "number", text: other[i] }))))));
  }

  const zone = picker({ limits: ctx.catalog.limits, signal, label: "Drop photos, a folder or zips of them here", onRead: (got) => {
    read = got;
    done = { outputs: new Map(), skipped: null };
    run();
  } });
  root.replaceChildren(
    h("h1", { text: "Batch" }),
    h("p", { class: "lead", text: "Your own photos through one to four models: which one works on your images?" }),
    runtimeLine(ctx), models, zone,
    h("p", { class: "caption", text: "A folder or zip whose images sit in class folders (named by synset id like n01440764, class index or class name) also gets each model's accuracy. Files that cannot be read are listed, not fatal. The photos are read and classified on this device: none leaves it." }),
    status, running, download, notes, results, accuracy);
  run();
}

/**
 * Save a text as a file of the visitor's (made here: nothing is sent anywhere).
 * @param {string} text
 * @param {string} name
 * @param {string} type
 */
function save(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
