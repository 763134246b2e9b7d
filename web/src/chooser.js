// @ts-check
/**
 * Where a photo comes from, as in the Streamlit app: a file (chosen or dropped), the camera, or a
 * sample photo; and the line that says which photo is in use.
 * @module chooser
 */

import { h } from "./dom.js";

/**
 * A photo as chosen: a sample's file is still on its way, so that the choice counts from the click.
 * @typedef {{file: Blob | Promise<Blob>, name: string, source: "Upload" | "Camera" | "Samples"}} Chosen
 */

/**
 * The photo controls.
 * @param {string[]} samples The sample photos' file names (under ``samples/``).
 * @param {(chosen: Chosen) => void} choose Called with each new photo.
 * @returns {HTMLElement}
 */
export function chooser(samples, choose) {
  const pick = (/** @type {"Upload" | "Camera"} */ source) => (/** @type {Event} */ event) => {
    const input = /** @type {HTMLInputElement} */ (event.target);
    const file = input.files?.[0];
    if (file) choose({ file, name: source === "Camera" ? "webcam.jpg" : file.name, source });
    input.value = ""; // the same file chosen again is a new choice
  };
  const sample = (/** @type {string} */ name) => choose({ file: fetch(`samples/${name}`).then((r) => r.blob()), name, source: "Samples" });
  const section = h("section", { class: "chooser", "aria-label": "Photo" },
    h("div", { class: "inputs" },
      h("label", { class: "button" }, "Choose or drop a photo", h("input", { type: "file", accept: "image/*", class: "visually-hidden", id: "upload", onchange: pick("Upload") })),
      h("label", { class: "button" }, "Take a photo", h("input", { type: "file", accept: "image/*", capture: "environment", class: "visually-hidden", id: "camera", onchange: pick("Camera") }))),
    h("div", { class: "gallery", role: "group", "aria-label": "Sample photos" },
      ...samples.map((name) => h("button", { type: "button", class: "sample", "data-sample": name, onclick: () => sample(name) },
        h("img", { src: `samples/${name}`, alt: "", width: 64, height: 64, loading: "lazy" }), h("span", { text: name })))));
  section.addEventListener("dragover", (event) => event.preventDefault());
  section.addEventListener("drop", (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (file) choose({ file, name: file.name, source: "Upload" });
  });
  return section;
}
