// @ts-check
/**
 * L2-regularised multinomial logistic regression, the objective scikit-learn's
 * ``LogisticRegression(C)`` minimises with lbfgs: the mean cross-entropy of the softmax plus
 * ``||W||^2 / (2 C n)`` (the intercepts are not penalised). The optimum is unique (in its
 * predictions: the intercepts may all move by one constant, which starting from zero never does),
 * so L-BFGS run to a much tighter tolerance than scikit-learn's default reaches the same answer.
 *
 * Two classes: scikit-learn fits one row ``w`` (the binomial loss) with the same C. The
 * multinomial model with rows ``-w/2`` and ``w/2`` has the same logits and half the penalty, so the
 * binomial fit at C is the multinomial fit at C / 2; :func:`fitLogistic` does that for two classes.
 * @module transfer/logistic
 */

/**
 * @typedef {object} Logistic
 * @property {Float64Array} weight (classes, features) row-major.
 * @property {Float64Array} bias (classes).
 * @property {number} classes
 * @property {number} features
 * @property {number} iterations L-BFGS iterations taken.
 */

const MEMORY = 20;
const MAX_ITERATIONS = 5000;
const TOLERANCE = 1e-10; // on the largest gradient component of the (mean) objective

/**
 * Fit the model on rows of ``x``.
 * @param {Float64Array} x (n, features) row-major.
 * @param {number} features
 * @param {ArrayLike<number>} y Class of each row, in [0, classes).
 * @param {number} classes At least two (a class absent from ``y`` only gets low logits).
 * @param {number} c Inverse regularisation strength, as scikit-learn's ``C``.
 * @param {{start?: Logistic}} [options] A solution to start from (a nearby C's).
 * @returns {Logistic}
 */
export function fitLogistic(x, features, y, classes, c, options = {}) {
  const n = y.length;
  const cEffective = classes === 2 ? c / 2 : c;
  const width = features + 1; // each class's weights, then its intercept
  const size = classes * width;
  const lambda = 1 / (cEffective * n);
  const params = new Float64Array(size);
  if (options.start) {
    for (let k = 0; k < classes; k++) {
      params.set(options.start.weight.subarray(k * features, (k + 1) * features), k * width);
      params[k * width + features] = options.start.bias[k];
    }
  }
  const logits = new Float64Array(n * classes);

  /** @param {Float64Array} w @param {Float64Array} grad @returns {number} */
  function objective(w, grad) {
    grad.fill(0);
    let loss = 0;
    const p = new Float64Array(classes);
    for (let i = 0; i < n; i++) {
      const row = i * features;
      let top = -Infinity;
      for (let k = 0; k < classes; k++) {
        let z = w[k * width + features];
        for (let j = 0, at = k * width; j < features; j++) z += w[at + j] * x[row + j];
        logits[i * classes + k] = z;
        if (z > top) top = z;
      }
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += (p[k] = Math.exp(logits[i * classes + k] - top));
      loss += Math.log(sum) + top - logits[i * classes + y[i]];
      for (let k = 0; k < classes; k++) {
        const r = (p[k] / sum - (k === y[i] ? 1 : 0)) / n;
        if (r === 0) continue;
        for (let j = 0, at = k * width; j < features; j++) grad[at + j] += r * x[row + j];
        grad[k * width + features] += r;
      }
    }
    loss /= n;
    let penalty = 0;
    for (let k = 0; k < classes; k++) {
      for (let j = 0, at = k * width; j < features; j++) {
        penalty += w[at + j] * w[at + j];
        grad[at + j] += lambda * w[at + j];
      }
    }
    return loss + (lambda / 2) * penalty;
  }

  const iterations = minimise(objective, params);
  const weight = new Float64Array(classes * features);
  const bias = new Float64Array(classes);
  for (let k = 0; k < classes; k++) {
    weight.set(params.subarray(k * width, k * width + features), k * features);
    bias[k] = params[k * width + features];
  }
  return { weight, bias, classes, features, iterations };
}

/**
 * Logits of rows of ``x``.
 * @param {Logistic} model
 * @param {Float64Array} x (n, features).
 * @returns {Float64Array} (n, classes).
 */
export function logitsOf(model, x) {
  const { classes, features } = model;
  const n = x.length / features;
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < classes; k++) {
      let z = model.bias[k];
      for (let j = 0; j < features; j++) z += model.weight[k * features + j] * x[i * features + j];
      out[i * classes + k] = z;
    }
  }
  return out;
}

/**
 * Softmax of each row, in place.
 * @param {Float64Array} logits (n, classes).
 * @param {number} classes
 * @returns {Float64Array} The same array, now probabilities.
 */
export function softmaxRows(logits, classes) {
  for (let at = 0; at < logits.length; at += classes) {
    let top = -Infinity;
    for (let k = 0; k < classes; k++) top = Math.max(top, logits[at + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += (logits[at + k] = Math.exp(logits[at + k] - top));
    for (let k = 0; k < classes; k++) logits[at + k] /= sum;
  }
  return logits;
}

/**
 * The class of each row: the first of the largest logits (NumPy's argmax).
 * @param {Float64Array} logits (n, classes).
 * @param {number} classes
 * @returns {Int32Array}
 */
export function argmaxRows(logits, classes) {
  const out = new Int32Array(logits.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[i * classes + k] > logits[i * classes + best]) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * L-BFGS with a backtracking (Armijo) line search, in place; a convex objective needs no more.
 * @param {(w: Float64Array, grad: Float64Array) => number} f Value, and gradient into ``grad``.
 * @param {Float64Array} start Start, then the minimum.
 * @returns {number} Iterations taken.
 */
function minimise(f, start) {
  /** @type {Float64Array} */
  let w = start;
  const size = w.length;
  /** @type {Float64Array} */
  let grad = new Float64Array(size);
  let value = f(w, grad);
  /** @type {{s: Float64Array, y: Float64Array, rho: number}[]} */
  const history = [];
  const direction = new Float64Array(size);
  const alpha = new Float64Array(MEMORY);
  /** @type {Float64Array} */
  let trial = new Float64Array(size);
  /** @type {Float64Array} */
  let trialGrad = new Float64Array(size);
  let iteration = 0;
  for (; iteration < MAX_ITERATIONS; iteration++) {
    if (maxAbs(grad) <= TOLERANCE) break;
    // The two-loop recursion: direction = -H grad.
    for (let i = 0; i < size; i++) direction[i] = -grad[i];
    for (let h = history.length - 1; h >= 0; h--) {
      alpha[h] = history[h].rho * dot(history[h].s, direction);
      axpy(-alpha[h], history[h].y, direction);
    }
    if (history.length) {
      const last = history[history.length - 1];
      const gamma = dot(last.s, last.y) / dot(last.y, last.y);
      for (let i = 0; i < size; i++) direction[i] *= gamma;
    } else {
      const norm = Math.sqrt(dot(grad, grad));
      for (let i = 0; i < size; i++) direction[i] /= Math.max(norm, 1);
    }
    for (let h = 0; h < history.length; h++) {
      const beta = history[h].rho * dot(history[h].y, direction);
      axpy(alpha[h] - beta, history[h].s, direction);
    }
    let slope = dot(grad, direction);
    if (!(slope < 0)) { // not a descent direction (rounding): start the memory afresh
      history.length = 0;
      for (let i = 0; i < size; i++) direction[i] = -grad[i];
      slope = dot(grad, direction);
    }
    let step = 1;
    let trialValue = Infinity;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < size; i++) trial[i] = w[i] + step * direction[i];
      trialValue = f(trial, trialGrad);
      if (trialValue <= value + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(trialValue <= value)) break; // no decrease left at this precision
    const s = new Float64Array(size);
    const y = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      s[i] = trial[i] - w[i];
      y[i] = trialGrad[i] - grad[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-300) {
      history.push({ s, y, rho: 1 / sy });
      if (history.length > MEMORY) history.shift();
    }
    [w, trial] = [trial, w];
    [grad, trialGrad] = [trialGrad, grad];
    const change = value - trialValue;
    value = trialValue;
    if (change <= 1e-16 * Math.max(Math.abs(value), 1) && maxAbs(grad) <= 1e3 * TOLERANCE) break;
  }
  if (w !== start) start.set(w);
  return iteration;
}

/** @param {Float64Array} a @param {Float64Array} b */
function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** b += a x @param {number} a @param {Float64Array} x @param {Float64Array} b */
function axpy(a, x, b) {
  for (let i = 0; i < x.length; i++) b[i] += a * x[i];
}

/** @param {Float64Array} a */
function maxAbs(a) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
