// @ts-check
/**
 * The page's state in its URL, with the Streamlit app's query parameters (``model``, ``models``,
 * ``photo``, ``class``), so that a link opens what its sender saw, here or in the Python app.
 * A value the page does not know is dropped with one sentence. ``backend=webgpu`` (the page's own)
 * runs the network on a software WebGPU adapter too, and is kept in the URL whatever page writes it.
 * @module links
 */

export const PAGES = /** @type {const} */ ({ classify: "Classify", side_by_side: "Side by side", batch: "Batch", your_classes: "Your classes",
  compare: "Model comparison", robustness: "What the extra data buys" });
export const UPLOAD = "upload"; // the ``photo`` of a link made on the sender's own photo
/** Parameters of the visit rather than of a page, each with the values it may take: every page keeps them. */
export const KEPT = /** @type {Record<string, string[]>} */ ({ backend: ["webgpu"] });

/**
 * The visit's parameters (``KEPT``) of a query, those with a known value.
 * @param {string} search ``location.search``.
 * @returns {URLSearchParams}
 */
export function carried(search) {
  const from = new URLSearchParams(search);
  const out = new URLSearchParams();
  for (const [key, values] of Object.entries(KEPT)) {
    const value = from.get(key);
    if (value !== null && values.includes(value)) out.set(key, value);
  }
  return out;
}

/**
 * The query of a page, keeping the visit's parameters.
 * @param {string} page
 * @param {string} search ``location.search``.
 * @returns {string} ``?…``, or ``""`` for Classify with nothing to keep.
 */
export function pageQuery(page, search) {
  const params = carried(search);
  if (page !== "classify") params.set("page", page);
  params.sort();
  const query = params.toString();
  return query ? `?${query}` : "";
}

/**
 * The visit's parameters a query holds with a value the page does not know, as ``param=value``.
 * @param {URLSearchParams} params
 * @returns {string[]}
 */
export function unknownKept(params) {
  return Object.entries(KEPT).flatMap(([key, values]) => {
    const value = params.get(key);
    return value !== null && !values.includes(value) ? [`${key}=${value}`] : [];
  });
}

/**
 * The page a URL asks for.
 * @param {URLSearchParams} params
 * @returns {keyof typeof PAGES}
 */
export function pageOf(params) {
  const page = params.get("page") ?? "classify";
  return page in PAGES ? /** @type {keyof typeof PAGES} */ (page) : "classify";
}

/**
 * Write the state into the address bar (replacing, so Back leaves the page, not a click).
 * @param {Record<string, string | string[] | number | null | undefined>} state
 */
export function publish(state) {
  const params = carried(location.search);
  for (const [key, value] of Object.entries(state)) {
    if (value === null || value === undefined || value === "" || (key === "page" && value === "classify")) continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

/**
 * Sentences for what a link asked that this page cannot give.
 * @param {string[]} dropped ``param=value`` pairs.
 * @param {string | null} photo The link's ``photo``.
 * @returns {string}
 */
export function notice(dropped, photo) {
  const parts = [];
  if (photo === UPLOAD) {
    parts.push("The link was made on a photo of the sender's own, which cannot travel in a link: pick a sample below or drop your own photo.");
  }
  if (dropped.length) parts.push(`This app does not know ${dropped.join(", ")} from the link; it shows its default instead.`);
  return parts.join(" ");
}
