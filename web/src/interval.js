// @ts-check
/**
 * The 95% Wilson score interval of a proportion, as the library's ``wilson`` computes it (the folder
 * report's accuracies and the transfer study's both use it).
 * @module interval
 */

/** The normal quantile of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of a proportion; (0, 1) with no trials.
 * @param {number} successes
 * @param {number} n
 * @param {number} [z]
 * @returns {[number, number]}
 */
export function wilson(successes, n, z = Z95) {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
