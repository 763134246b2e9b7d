// @ts-check
/**
 * Whether the data can tell the best backbone from the next, in the Python page's words:
 * McNemar's exact test on the two probes' out-of-fold answers for the same images (scipy's
 * two-sided ``binomtest`` on the discordant pairs), the Wilson interval of an accuracy, and the
 * verdict sentence of ``resnext.transfer.probe``.
 * @module transfer/verdict
 */

import { fixed, percent } from "../pyformat.js";

/** The paired test's level (the library's ``ALPHA``). */
export const ALPHA = 0.05;

/**
 * McNemar's exact two-sided p-value for two classifiers' answers on the same images.
 * @param {ArrayLike<boolean | number>} correctA Whether A got each image right.
 * @param {ArrayLike<boolean | number>} correctB
 * @returns {number}
 */
export function mcnemar(correctA, correctB) {
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < correctA.length; i++) {
    if (correctA[i] && !correctB[i]) onlyA++;
    if (!correctA[i] && correctB[i]) onlyB++;
  }
  const n = onlyA + onlyB;
  if (n === 0 || 2 * onlyA === n) return 1;
  // With p = 1/2 the two tails are mirror images: twice the smaller one (scipy sums the same terms).
  const k = Math.min(onlyA, onlyB);
  let logTerm = -n * Math.LN2; // log of C(n, 0) / 2^n
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    tail += Math.exp(logTerm);
    logTerm += Math.log(n - i) - Math.log(i + 1);
  }
  return Math.min(1, 2 * tail);
}

/**
 * A p-value as the library writes it: ``f"{p:.2g}"``, or a power of ten below 1e-4.
 * @param {number} p
 * @returns {string}
 */
export function pText(p) {
  if (p < 1e-4) return `10^${Math.floor(Math.log10(Math.max(p, 1e-300)))}`;
  const exponent = Number(p.toExponential().split("e")[1]);
  const text = fixed(p, Math.max(1 - exponent, 0));
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * @typedef {object} Ranked A backbone's probe, for the verdict.
 * @property {string} model
 * @property {number} accuracy Out of fold.
 * @property {ArrayLike<number>} predictions Out-of-fold class of every image.
 */

/**
 * The verdict on backbones sorted best probe first.
 * @param {Ranked[]} scores Best first.
 * @param {ArrayLike<number>} labels
 * @returns {{winner: string | null, p: number | null, verdict: string}}
 */
export function verdict(scores, labels) {
  const [best, runner] = scores;
  if (!runner) {
    return { winner: null, p: null, verdict: `${best.model}: ${percent(best.accuracy)} (one backbone, nothing to compare).` };
  }
  const right = (/** @type {Ranked} */ s) => Array.from(labels, (y, i) => s.predictions[i] === y);
  const p = mcnemar(right(best), right(runner));
  if (best.accuracy > runner.accuracy && p < ALPHA) {
    return {
      winner: best.model, p,
      verdict: `${best.model} transfers best to these classes: ${percent(best.accuracy)} against `
        + `${percent(runner.accuracy)} for ${runner.model} (McNemar's exact test on the same images, p = ${pText(p)}).`,
    };
  }
  return {
    winner: null, p,
    verdict: `The data cannot tell ${best.model} (${percent(best.accuracy)}) from ${runner.model} `
      + `(${percent(runner.accuracy)}): McNemar's exact test on the same images gives p = ${pText(p)}, `
      + `not below ${ALPHA}. More images per class would.`,
  };
}
