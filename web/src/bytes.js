// @ts-check
/**
 * A byte count for people, the one way the page writes it: decimal units (kB, MB, GB), as the
 * library's ``format_bytes`` writes sizes (and as file managers and the model cards do).
 * @module bytes
 */

import { fixed } from "./pyformat.js";

/**
 * ``resnext.catalog.variant.format_bytes``: "999 B", "100.4 MB", "1.7 GB".
 * @param {number | null | undefined} n
 * @returns {string}
 */
export function formatBytes(n) {
  if (n === null || n === undefined) return "unknown size";
  let value = n;
  for (const unit of ["B", "kB", "MB"]) {
    if (Math.abs(value) < 1000) return unit === "B" ? `${fixed(value, 0)} B` : `${fixed(value, 1)} ${unit}`;
    value /= 1000; // divided as the library divides, so halves round alike
  }
  return `${fixed(value, 1)} GB`;
}
