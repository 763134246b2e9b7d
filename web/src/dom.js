// @ts-check
/**
 * Building the page: one helper for elements, one for the sentences the page says.
 * @module dom
 */

/**
 * An element with attributes (``on…`` attributes become listeners) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attributes]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "text") element.textContent = String(value);
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/**
 * Say one sentence in a message slot, as information, a warning or an error (or clear it).
 * @param {HTMLElement} slot
 * @param {string} text
 * @param {"info" | "warning" | "error"} [kind]
 */
export function say(slot, text, kind = "info") {
  slot.textContent = text;
  slot.className = text ? `message ${kind}` : "message";
  slot.hidden = !text;
}
