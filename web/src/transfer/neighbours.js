// @ts-check
/**
 * Nearest neighbours by cosine similarity, as the library finds them: k-NN leave-one-out
 * (``knn_loo``), suspect labels and near-duplicates (``resnext.transfer.explore``). Neighbours are
 * ranked most similar first, an equal similarity by the lower index (NumPy's stable sort).
 * @module transfer/neighbours
 */

/** @typedef {import("./linalg.js").Floats} Floats */

/** Cosine similarity above which two images are near-duplicates (the library's ``DUPLICATE_SIMILARITY``). */
export const DUPLICATE_SIMILARITY = 0.98;
/** Neighbours a suspect's label is checked against (the library's ``NEIGHBOURS``). */
export const NEIGHBOURS = 5;

/**
 * @typedef {{index: number, label: number, likely: number, agreement: number}} Suspect An image
 *   whose nearest neighbours mostly carry another class (``likely``, the share ``agreement``).
 * @typedef {{first: number, second: number, similarity: number, acrossClasses: boolean}} Duplicate
 */

/**
 * Every image's cosine similarity to every other.
 * @param {Floats} x (n, d).
 * @param {number} d
 * @returns {Float64Array} (n, n).
 */
export function cosine(x, d) {
  const n = x.length / d;
  const unit = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += x[i * d + j] * x[i * d + j];
    norm = Math.max(Math.sqrt(norm), 1e-12);
    for (let j = 0; j < d; j++) unit[i * d + j] = x[i * d + j] / norm;
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += unit[i * d + k] * unit[j * d + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * The k most similar other images of each image, most similar first.
 * @param {Float64Array} similarity (n, n).
 * @param {number} n
 * @param {number} k
 * @returns {number[][]}
 */
export function nearest(similarity, n, k) {
  return Array.from({ length: n }, (_, i) => {
    const others = [];
    for (let j = 0; j < n; j++) if (j !== i) others.push(j);
    others.sort((a, b) => similarity[i * n + b] - similarity[i * n + a] || a - b);
    return others.slice(0, k);
  });
}

/**
 * Leave-one-out k-NN answers: each image votes with its k most similar others; a tie goes to the
 * tied class whose member is the most similar.
 * @param {Floats} x (n, d).
 * @param {number} d
 * @param {ArrayLike<number>} labels
 * @param {number} k
 * @param {Float64Array} [similarity] :func:`cosine` of ``x``, when already computed.
 * @returns {Int32Array} Every image's answer.
 */
export function knnLoo(x, d, labels, k, similarity = cosine(x, d)) {
  const n = labels.length;
  return Int32Array.from(nearest(similarity, n, k), (row) => {
    const votes = new Map();
    for (const j of row) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    const top = Math.max(...votes.values());
    return /** @type {number} */ (row.map((j) => labels[j]).find((y) => votes.get(y) === top));
  });
}

/**
 * Images whose nearest neighbours, more than half of them, carry one other class.
 * @param {Floats} x (n, d).
 * @param {number} d
 * @param {ArrayLike<number>} labels
 * @param {{neighbours?: number, similarity?: Float64Array}} [options]
 * @returns {Suspect[]} The most confidently contradicted first.
 */
export function suspects(x, d, labels, options = {}) {
  const n = labels.length;
  const k = Math.min(options.neighbours ?? NEIGHBOURS, n - 1);
  const classes = Math.max(...Array.from(labels)) + 1;
  /** @type {Suspect[]} */
  const found = [];
  nearest(options.similarity ?? cosine(x, d), n, k).forEach((row, i) => {
    const votes = new Array(classes).fill(0);
    for (const j of row) votes[labels[j]]++;
    votes[labels[i]] = 0;
    const other = votes.indexOf(Math.max(...votes));
    if (votes[other] > k / 2) found.push({ index: i, label: labels[i], likely: other, agreement: votes[other] / k });
  });
  return found.sort((a, b) => b.agreement - a.agreement || a.index - b.index);
}

/**
 * Pairs of images whose cosine similarity exceeds ``threshold``.
 * @param {Floats} x (n, d).
 * @param {number} d
 * @param {ArrayLike<number>} labels
 * @param {{threshold?: number, similarity?: Float64Array}} [options]
 * @returns {Duplicate[]} Those across classes first (they inflate every score), then by similarity.
 */
export function duplicates(x, d, labels, options = {}) {
  const n = labels.length;
  const threshold = options.threshold ?? DUPLICATE_SIMILARITY;
  const similarity = options.similarity ?? cosine(x, d);
  /** @type {Duplicate[]} */
  const pairs = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = similarity[i * n + j];
      if (s > threshold) pairs.push({ first: i, second: j, similarity: s, acrossClasses: labels[i] !== labels[j] });
    }
  }
  // Array.prototype.sort is stable, as Python's sorted is.
  return pairs.sort((a, b) => Number(b.acrossClasses) - Number(a.acrossClasses) || b.similarity - a.similarity);
}
