// @ts-check
/**
 * A top-k answer as bars, the most likely first, as the Streamlit app draws them; each row carries
 * its class index and full-precision probability, so a test reads the answer off the page.
 * @module bars
 */

import { h } from "./dom.js";

/**
 * The bars.
 * @param {{index: number, probability: number}[]} top
 * @param {string[]} labels The class names.
 * @param {string} image The photo's name (``data-image``: a test tells this answer from the last).
 * @param {string} model The variant's id.
 * @returns {HTMLElement}
 */
export function topBars(top, labels, image, model) {
  return h("ol", { class: "top-k", "aria-label": `Top-${top.length} classes`, "data-image": image, "data-model": model },
    ...top.map(({ index, probability }) => {
      const pct = 100 * probability;
      return h("li", { "data-class-index": index, "data-probability": probability, title: `${labels[index]}: ${pct.toFixed(2)}%` },
        h("span", { class: "label", text: labels[index] }),
        h("span", { class: "bar", "aria-hidden": "true" }, h("span", { style: `width:${pct.toFixed(2)}%` })),
        h("span", { class: "pct", text: `${pct.toFixed(1)}%` }));
    }));
}
