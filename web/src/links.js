// @ts-check
/**
 * The page's state in its URL, with the Streamlit app's query parameters (``model``, ``models``,
 * ``photo``, ``class``), so that a link opens what its sender saw, here or in the Python app.
 * A value the page does not know is dropped with one sentence.
 * @module links
 */

export const PAGES = /** @type {const} */ ({ classify: "Classify", side_by_side: "Side by side", compare: "Model comparison" });
export const UPLOAD = "upload"; // the ``photo`` of a link made on the sender's own photo

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
  const params = new URLSearchParams();
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
