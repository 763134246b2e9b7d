// @ts-check
/**
 * The transfer study in one call, as ``resnext.transfer.study`` makes it from features already
 * computed: every backbone's probe on the same folds, k-NN and LogME, the paired test and its
 * verdict, the few-shot curve on draws shared by every backbone, and each backbone's map, suspect
 * labels and near-duplicates. Pure: typed arrays in, plain objects out (a Web Worker posts them),
 * with a progress callback and an ``AbortSignal`` checked between fits.
 * @module transfer/study
 */

import { logme } from "./logme.js";
import { featureMap } from "./map.js";
import { cosine, duplicates, knnLoo, suspects } from "./neighbours.js";
import { fewShot, foldsFor, probeCV } from "./probe.js";
import { fewShotDraws } from "./random.js";
import { wilson } from "../interval.js";
import { verdict } from "./verdict.js";

/** @typedef {import("./linalg.js").Floats} Floats */
/** @typedef {{model: string, features: Floats, dims: number}} Backbone One backbone's (n, dims) features. */
/** @typedef {import("./neighbours.js").Suspect} Suspect */
/** @typedef {import("./neighbours.js").Duplicate} Duplicate */

/** Images per class for the few-shot curve, and draws per number (the library's ``SHOTS``, ``DRAWS``). */
export const SHOTS = [1, 2, 5, 10, 20];
export const DRAWS = 5;

/**
 * @typedef {object} Score One backbone on the user's images.
 * @property {string} model
 * @property {number} accuracy The probe's, out of fold.
 * @property {[number, number]} interval Wilson 95% of ``accuracy``.
 * @property {number[]} foldAccuracies
 * @property {number[]} c The C each fold chose.
 * @property {number} knnAccuracy
 * @property {number} logme
 * @property {number[]} perClass The probe's accuracy on each class.
 * @property {number[][]} confusion (classes, classes): rows true, columns predicted.
 * @property {Int32Array} predictions Out-of-fold class of every image.
 * @property {Int32Array} knn k-NN's class of every image.
 * @property {Map<number, [number, number]>} fewShot shots → (mean accuracy, standard deviation).
 * @property {{coords: Float64Array, share: [number, number]}} map
 * @property {Suspect[]} suspects
 * @property {Duplicate[]} duplicates
 */

/**
 * @typedef {object} Comparison
 * @property {string[]} classes
 * @property {number} images
 * @property {number} folds
 * @property {number} knnK
 * @property {Score[]} scores Best probe first.
 * @property {string | null} winner Named only when the paired test separates it from the runner-up.
 * @property {number | null} p McNemar's exact p, best against runner-up.
 * @property {string} verdict
 */

/**
 * Score every backbone on the same folds and say whether the data can tell the best from the next.
 * @param {Backbone[]} backbones The same images, in the same order, through each backbone.
 * @param {ArrayLike<number>} labels Class index of every image.
 * @param {string[]} classes Class names.
 * @param {object} [options]
 * @param {number} [options.folds] Outer folds (5; fewer when the smallest class is smaller).
 * @param {number[]} [options.shots] Images per class for the few-shot curve.
 * @param {number} [options.seed] Seeds the folds and inner folds (as the library's) and the draws.
 * @param {number[][]} [options.testFolds] Each fold's test images, instead of drawing them.
 * @param {Map<number, number[][]>} [options.draws] The few-shot draws, instead of drawing them.
 * @param {(stage: string, fraction: number) => void} [options.progress]
 * @param {AbortSignal} [options.signal]
 * @returns {Comparison}
 * @throws {Error} One sentence: fewer than two classes, or a class with fewer than two images.
 */
export function compareBackbones(backbones, labels, classes, options = {}) {
  const { seed = 0, signal, progress } = options;
  if (new Set(Array.from(labels)).size < 2) throw new Error("A comparison needs at least two classes.");
  const testFolds = options.testFolds ?? foldsFor(labels, options.folds ?? 5, seed);
  const draws = options.draws ?? fewShotDraws(labels, options.shots ?? SHOTS, DRAWS, seed);
  const counts = classes.map((_, k) => Array.from(labels).filter((y) => y === k).length);
  const knnK = Math.max(1, Math.min(5, Math.min(...counts.filter((c) => c > 0)) - 1));
  const n = labels.length;
  const steps = backbones.length * (testFolds.length + 2);
  let done = 0;
  const step = (/** @type {string} */ stage) => progress?.(stage, ++done / steps);
  const scores = backbones.map(({ model, features, dims }) => {
    const probed = probeCV(features, dims, labels, testFolds, {
      seed, signal, progress: () => step(`probing ${model}`),
    });
    const similarity = cosine(features, dims);
    const knn = knnLoo(features, dims, labels, knnK, similarity);
    const confusion = classes.map(() => new Array(classes.length).fill(0));
    let right = 0;
    for (let i = 0; i < n; i++) {
      confusion[labels[i]][probed.predicted[i]]++;
      if (probed.predicted[i] === labels[i]) right++;
    }
    const curve = fewShot(features, dims, labels, draws, { signal });
    step(`few-shot curve of ${model}`);
    signal?.throwIfAborted();
    const map = featureMap(features, dims);
    step(`map of ${model}`);
    return {
      model, accuracy: right / n, interval: wilson(right, n), foldAccuracies: probed.accuracies, c: probed.c,
      knnAccuracy: knn.filter((k, i) => k === labels[i]).length / n, logme: logme(features, dims, labels),
      perClass: confusion.map((row, k) => row[k] / counts[k]), confusion, predictions: probed.predicted, knn,
      fewShot: curve, map,
      suspects: suspects(features, dims, labels, { similarity }),
      duplicates: duplicates(features, dims, labels, { similarity }),
    };
  });
  scores.sort((a, b) => b.accuracy - a.accuracy);
  const { winner, p, verdict: words } = verdict(scores, labels);
  return { classes, images: n, folds: testFolds.length, knnK, scores, winner, p, verdict: words };
}
