// @ts-check
/**
 * The library's linear probe (``resnext.transfer.probe``): features standardised on the training
 * images (scikit-learn's ``StandardScaler``), moved to coordinates in the span of the training rows
 * (the library's ``RowSpace``: an L2 probe's weights lie in that span, so at most n columns instead
 * of D), then L2 logistic regression whose C is chosen from the library's grid by inner stratified
 * cross-validation on the training images only (``LogisticRegressionCV``: the mean log loss over
 * the inner folds, warm-started along the grid, then a refit on all the training images). The
 * probe is scored out of fold on folds drawn once for every backbone.
 * @module transfer/probe
 */

import { gram, symmetricEigen, takeRows, timesTransposed } from "./linalg.js";
import { argmaxRows, fitLogistic, logitsOf, softmaxRows } from "./logistic.js";
import { complement, stratifiedFolds } from "./random.js";

/** @typedef {import("./linalg.js").Floats} Floats */
/** @typedef {import("./logistic.js").Logistic} Logistic */

/** The library's inverse regularisation strengths, ``numpy.logspace(-4, 1, 6)``. */
export const C_GRID = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
export const INNER_FOLDS = 3;

/**
 * A fitted probe.
 * @typedef {object} Probe
 * @property {Float64Array} mean (D) the training images' mean.
 * @property {Float64Array} scale (D) their standard deviation (1 where a feature is constant).
 * @property {RowSpace} space The span of the standardised training rows.
 * @property {Logistic} model On the r coordinates.
 * @property {number[]} classes The class each of the model's outputs stands for.
 * @property {number} c The C chosen.
 * @property {boolean} float32 Whether standardised values are rounded to float32, as scikit-learn
 *   keeps float32 features float32.
 */

/**
 * Mean and scale as ``StandardScaler`` computes them (a feature constant within rounding gets 1).
 * @param {Float64Array} x (n, d).
 * @param {number} n
 * @param {number} d
 * @returns {{mean: Float64Array, scale: Float64Array}}
 */
export function standardisation(x, n, d) {
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const eps = 2 ** -52;
  for (let j = 0; j < d; j++) {
    let squares = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const t = x[i * d + j] - mean[j];
      squares += t * t;
      sum += t;
    }
    const variance = (squares - (sum * sum) / n) / n;
    const constant = variance <= n * eps * variance + (n * mean[j] * eps) ** 2;
    scale[j] = constant ? 1 : Math.sqrt(variance);
  }
  return { mean, scale };
}

/**
 * Standardised rows, rounded to float32 when the features were float32 (as scikit-learn does).
 * @param {Float64Array} x (n, d), changed in place.
 * @param {number} d
 * @param {Float64Array} mean
 * @param {Float64Array} scale
 * @param {boolean} float32
 * @returns {Float64Array} ``x``.
 */
function standardise(x, d, mean, scale, float32) {
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    x[i] = float32 ? Math.fround(Math.fround(x[i] - mean[j]) / scale[j]) : (x[i] - mean[j]) / scale[j];
  }
  return x;
}

/**
 * The span of the training rows (the library's ``RowSpace``), kept as the rows and their Gram
 * matrix's eigenvectors: with ``Z Z' = U L U'`` the basis is ``V = Z' U L^-1/2``, so the training
 * rows' coordinates are ``Z V = U L^1/2`` and another row's are ``(x Z') U L^-1/2``, without the
 * (D, r) basis ever being formed. With no fewer rows than features the span is everything.
 * @typedef {object} RowSpace
 * @property {Float64Array | null} rows (n, D) the standardised training rows; null: the identity.
 * @property {Float64Array | null} projection (n, r) ``U L^-1/2``.
 * @property {number} rank r.
 * @property {Float64Array} train (n, r) the training rows' coordinates.
 */

/**
 * The span of the rows (eigenvalues below 1e-10 of the largest dropped, as the library does).
 * @param {Float64Array} z (n, d).
 * @param {number} n
 * @param {number} d
 * @returns {RowSpace}
 */
export function rowSpace(z, n, d) {
  if (n >= d) return { rows: null, projection: null, rank: d, train: z };
  const { values, vectors } = symmetricEigen(gram(z, n, d), n);
  let rank = 0;
  while (rank < n && values[rank] > values[0] * 1e-10) rank++;
  const projection = new Float64Array(n * rank);
  const train = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < rank; k++) {
      const root = Math.sqrt(values[k]);
      projection[i * rank + k] = vectors[i * n + k] / root;
      train[i * rank + k] = vectors[i * n + k] * root;
    }
  }
  return { rows: z, projection, rank, train };
}

/**
 * Coordinates of other standardised rows in the span.
 * @param {RowSpace} space
 * @param {Float64Array} z (m, d).
 * @param {number} d
 * @returns {Float64Array} (m, r).
 */
function coordinates(space, z, d) {
  const { rows, projection, rank } = space;
  if (!rows || !projection) return z;
  const n = rows.length / d;
  const m = z.length / d;
  const dots = timesTransposed(z, m, rows, n, d);
  const out = new Float64Array(m * rank);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const v = dots[i * n + j];
      for (let k = 0; k < rank; k++) out[i * rank + k] += v * projection[j * rank + k];
    }
  }
  return out;
}

/**
 * Fit the probe on some images: standardise, row space, then logistic regression at ``c``, or with
 * C chosen by inner cross-validation when ``c`` is not given.
 * @param {Floats} x (N, d) every image's features.
 * @param {number} d
 * @param {ArrayLike<number>} labels (N) every image's class.
 * @param {ArrayLike<number>} rows The training images.
 * @param {{seed?: number, c?: number, inner?: number}} [options] ``seed`` of the inner folds (the
 *   library's default 0); ``inner`` folds (3; fewer when a class has fewer images, and none below
 *   2, then C = 1).
 * @returns {Probe}
 */
export function fitProbe(x, d, labels, rows, options = {}) {
  const { seed = 0, inner = INNER_FOLDS } = options;
  const n = rows.length;
  const float32 = x instanceof Float32Array;
  const raw = takeRows(x, d, rows);
  const { mean, scale } = standardisation(raw, n, d);
  const z = standardise(raw, d, mean, scale, float32);
  const space = rowSpace(z, n, d);
  const { rank, train: a } = space;
  const y = Array.from(rows, (r) => labels[r]);
  const classes = [...new Set(y)].sort((p, q) => p - q);
  const encoded = Int32Array.from(y, (v) => classes.indexOf(v));
  const counts = classes.map((_, k) => encoded.filter((v) => v === k).length);
  const smallest = Math.min(...counts);
  let c = options.c ?? 1;
  if (options.c === undefined && smallest >= 2) c = chooseC(a, rank, encoded, classes.length, Math.min(inner, smallest), seed);
  const model = fitLogistic(a, rank, encoded, classes.length, c);
  return { mean, scale, space, model, classes, c, float32 };
}

/**
 * The C of the grid with the best summed log loss over inner stratified folds, as
 * ``LogisticRegressionCV(scoring="neg_log_loss")`` chooses it (the first best).
 * @param {Float64Array} a (n, r) coordinates. @param {number} rank @param {Int32Array} y
 * @param {number} classes @param {number} splits @param {number} seed
 * @returns {number}
 */
function chooseC(a, rank, y, classes, splits, seed) {
  const totals = new Float64Array(C_GRID.length);
  for (const test of stratifiedFolds(y, splits, seed)) {
    const train = complement(y.length, test);
    const xTrain = takeRows(a, rank, train);
    const yTrain = Int32Array.from(train, (i) => y[i]);
    const xTest = takeRows(a, rank, test);
    /** @type {Logistic | undefined} */
    let start;
    C_GRID.forEach((c, i) => {
      start = fitLogistic(xTrain, rank, yTrain, classes, c, { start });
      totals[i] -= logLoss(softmaxRows(logitsOf(start, xTest), classes), Array.from(test, (t) => y[t]), classes);
    });
  }
  let best = 0;
  for (let i = 1; i < totals.length; i++) if (totals[i] > totals[best]) best = i;
  return C_GRID[best];
}

/**
 * scikit-learn's ``log_loss``: probabilities clipped to [eps, 1 - eps], the mean of -log p(true).
 * @param {Float64Array} p (n, classes). @param {number[]} y @param {number} classes
 */
function logLoss(p, y, classes) {
  const eps = 2 ** -52;
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum -= Math.log(Math.min(Math.max(p[i * classes + y[i]], eps), 1 - eps));
  return sum / y.length;
}

/**
 * The probe's logits of some images.
 * @param {Probe} probe
 * @param {Floats} x (N, d).
 * @param {number} d
 * @param {ArrayLike<number>} rows
 * @returns {Float64Array} (rows, classes), one column per ``probe.classes``.
 */
export function probeLogits(probe, x, d, rows) {
  const z = standardise(takeRows(x, d, rows), d, probe.mean, probe.scale, probe.float32);
  return logitsOf(probe.model, coordinates(probe.space, z, d));
}

/**
 * The probe's class for some images.
 * @param {Probe} probe @param {Floats} x @param {number} d @param {ArrayLike<number>} rows
 * @returns {number[]}
 */
export function probePredict(probe, x, d, rows) {
  return Array.from(argmaxRows(probeLogits(probe, x, d, rows), probe.classes.length), (k) => probe.classes[k]);
}

/**
 * The probe's weights and bias on the standardised features (the head file's ``weight`` and
 * ``bias``): the coordinates' weights taken back from the row space, ``W V' = (W L^-1/2 U') Z``.
 * @param {Probe} probe
 * @param {number} d
 * @returns {{weight: Float64Array, bias: Float64Array}} (classes, d) and (classes).
 */
export function probeWeights(probe, d) {
  const { model, space: { rows, projection, rank } } = probe;
  const bias = Float64Array.from(model.bias);
  if (!rows || !projection) return { weight: Float64Array.from(model.weight), bias };
  const n = rows.length / d;
  const weight = new Float64Array(model.classes * d);
  for (let k = 0; k < model.classes; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let r = 0; r < rank; r++) s += model.weight[k * rank + r] * projection[i * rank + r];
      for (let j = 0; j < d; j++) weight[k * d + j] += s * rows[i * d + j];
    }
  }
  return { weight, bias };
}

/**
 * Out-of-fold answers of the probe (``probe_cv``).
 * @param {Floats} x (N, d).
 * @param {number} d
 * @param {ArrayLike<number>} labels (N).
 * @param {number[][]} folds Each fold's test images (the others train).
 * @param {{seed?: number, signal?: AbortSignal, progress?: (done: number, total: number) => void}} [options]
 * @returns {{predicted: Int32Array, accuracies: number[], c: number[]}} Every image's class from the
 *   fold that held it out, each fold's accuracy, and the C each fold chose.
 */
export function probeCV(x, d, labels, folds, options = {}) {
  const predicted = new Int32Array(labels.length).fill(-1);
  const accuracies = [];
  const c = [];
  for (const [i, test] of folds.entries()) {
    options.signal?.throwIfAborted();
    const probe = fitProbe(x, d, labels, complement(labels.length, test), { seed: options.seed });
    const answer = probePredict(probe, x, d, test);
    let right = 0;
    test.forEach((t, j) => {
      predicted[t] = answer[j];
      if (answer[j] === labels[t]) right++;
    });
    accuracies.push(right / test.length);
    c.push(probe.c);
    options.progress?.(i + 1, folds.length);
  }
  return { predicted, accuracies, c };
}

/**
 * Stratified folds drawn once from the labels, as the library's ``folds_for`` draws them.
 * @param {ArrayLike<number>} labels
 * @param {number} [folds] How many (5; fewer when the smallest class is smaller).
 * @param {number} [seed]
 * @returns {number[][]} Each fold's test images.
 * @throws {Error} A class has fewer than two images.
 */
export function foldsFor(labels, folds = 5, seed = 0) {
  const counts = new Map();
  for (const y of Array.from(labels)) counts.set(y, (counts.get(y) ?? 0) + 1);
  const smallest = Math.min(...counts.values());
  if (smallest < 2) throw new Error("Each class needs at least two images for cross-validation.");
  return stratifiedFolds(labels, Math.min(folds, smallest), seed);
}

/**
 * The few-shot curve (``few_shot``): for each draw, the probe at C = 1 (too few images to choose
 * it) trained on the draw and scored on every other image; the mean and the standard deviation
 * over the draws.
 * @param {Floats} x (N, d).
 * @param {number} d
 * @param {ArrayLike<number>} labels
 * @param {Map<number, number[][]>} draws shots → each draw's training images.
 * @param {{signal?: AbortSignal}} [options]
 * @returns {Map<number, [number, number]>} shots → (mean accuracy, standard deviation).
 */
export function fewShot(x, d, labels, draws, options = {}) {
  /** @type {Map<number, [number, number]>} */
  const out = new Map();
  for (const [shots, trains] of draws) {
    const found = trains.map((train) => {
      options.signal?.throwIfAborted();
      const test = complement(labels.length, train);
      const answer = probePredict(fitProbe(x, d, labels, [...train].sort((p, q) => p - q), { c: 1 }), x, d, test);
      return answer.filter((k, j) => k === labels[test[j]]).length / test.length;
    });
    const mean = found.reduce((s, v) => s + v, 0) / found.length;
    out.set(shots, [mean, Math.sqrt(found.reduce((s, v) => s + (v - mean) ** 2, 0) / found.length)]);
  }
  return out;
}
