// @ts-check
/**
 * Paths as Python's ``PurePosixPath`` reads them, so that a zip member or a dropped file is named,
 * sorted, hidden and given its class folder exactly as the library and the Python app do: parts split
 * on "/" (empty and "." parts dropped, a leading "/" or "//" kept as the root), ``suffix``,
 * ``parent.name``, and the order of ``sorted(paths)`` (part by part, by code point).
 * @module files/paths
 */

/**
 * ``PurePosixPath(text).parts``.
 * @param {string} text
 * @returns {string[]}
 */
export function parts(text) {
  const root = text.startsWith("/") ? (text.startsWith("//") && !text.startsWith("///") ? "//" : "/") : "";
  const rest = text.split("/").filter((p) => p !== "" && p !== ".");
  return root ? [root, ...rest] : rest;
}

/**
 * ``PurePosixPath(...).name`` of a path's parts ("" for a bare root or nothing).
 * @param {string[]} split
 */
export function nameOf(split) {
  const last = split.at(-1);
  return last === undefined || last === "/" || last === "//" ? "" : last;
}

/**
 * ``PurePosixPath(...).suffix``: from the last dot of the name, unless the name starts or ends with it.
 * @param {string} name
 */
export function suffixOf(name) {
  const i = name.lastIndexOf(".");
  return i > 0 && i < name.length - 1 ? name.slice(i) : "";
}

/**
 * Whether a file's name has one of the suffixes a folder is searched for (``IMAGE_SUFFIXES``, any case).
 * @param {string} name
 * @param {readonly string[]} suffixes
 */
export function isImageName(name, suffixes) {
  return suffixes.includes(suffixOf(name).toLowerCase());
}

/**
 * Python's ``<`` on two strings: by code point (JavaScript's compares UTF-16 units).
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
export function byCodePoint(a, b) {
  if (a === b) return 0;
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return /** @type {number} */ (x[i].codePointAt(0)) - /** @type {number} */ (y[i].codePointAt(0));
  }
  return x.length - y.length;
}

/**
 * The order of ``sorted()`` on ``Path`` objects: part by part.
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
export function byParts(a, b) {
  const x = parts(a), y = parts(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = byCodePoint(x[i], y[i]);
    if (c) return c;
  }
  return x.length - y.length;
}
