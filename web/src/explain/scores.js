// @ts-check
/**
 * What an explanation follows in a network's logits: the explained score (a class's logit, or its
 * difference from a contrast class's, as the library's ``_score``), a class's softmax probability,
 * and the top class.
 * @module explain/scores
 */

/**
 * The score an explanation explains, as the library's: a class's logit, or its difference from a
 * contrast class's.
 * @param {Float32Array} row One image's logits.
 * @param {number} classIndex
 * @param {number | null} [contrast]
 */
export function score(row, classIndex, contrast = null) {
  return contrast === null || contrast === undefined ? row[classIndex] : Math.fround(row[classIndex] - row[contrast]);
}

/**
 * The softmax probability of one class (in float64).
 * @param {Float32Array} row One image's logits.
 * @param {number} classIndex
 */
export function probability(row, classIndex) {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return Math.exp(row[classIndex] - max) / sum;
}

/**
 * The class with the highest logit (the first of equals).
 * @param {Float32Array} row
 */
export function argmax(row) {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
