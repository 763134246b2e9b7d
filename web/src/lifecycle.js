// @ts-check
/**
 * The life of a page and of what it starts, shared by every page: a page's render gets a signal that
 * aborts when the page is left, and each photo choice and model run gets its own, which also aborts
 * when a newer one starts. So the latest choice wins, and nothing a left page started writes to the
 * page, the URL or the status, or keeps the network busy.
 * @module lifecycle
 */

/**
 * A page's render.
 * @typedef {(root: HTMLElement, ctx: import("./context.js").Context, params: URLSearchParams, dropped: string[],
 *   signal: AbortSignal) => void} Render
 */

/**
 * Why a signal aborts: an ``AbortError``, as ``fetch`` rejects with.
 * @param {string} why
 * @returns {DOMException}
 */
export const abandoned = (why) => new DOMException(why, "AbortError");

/**
 * A controller aborted with ``parent`` (for the same reason), or on its own.
 * @param {AbortSignal} parent
 * @returns {AbortController}
 */
export function child(parent) {
  const controller = new AbortController();
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", () => controller.abort(parent.reason), { once: true, signal: controller.signal });
  return controller;
}

/**
 * Choices where the latest wins: each call aborts the signal it gave last and gives a new one, under
 * ``parent`` (the page's), so that leaving the page aborts it too.
 * @param {AbortSignal} parent
 * @returns {() => AbortSignal}
 */
export function latest(parent) {
  /** @type {AbortController | null} */
  let current = null;
  return () => {
    current?.abort(abandoned("A newer choice replaced this one."));
    current = child(parent);
    return current.signal;
  };
}

/**
 * The pages of one document: drawing one leaves the last (its signal aborts) first.
 */
export class Pages {
  /** @type {AbortController | null} */
  #shown = null;

  /**
   * Draw a page in ``root`` with a signal of its own.
   * @param {Render} render
   * @param {HTMLElement} root
   * @param {import("./context.js").Context} ctx
   * @param {URLSearchParams} params
   * @param {string[]} dropped
   */
  show(render, root, ctx, params, dropped) {
    this.#shown?.abort(abandoned("The page was left."));
    this.#shown = new AbortController();
    render(root, ctx, params, dropped, this.#shown.signal);
  }
}

/**
 * Resolves when ``target`` is clicked; rejects with the signal's reason if it aborts first.
 * @param {HTMLElement} target
 * @param {AbortSignal} signal
 * @returns {Promise<void>}
 */
export function clicked(target, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const done = new AbortController();
    target.addEventListener("click", () => { done.abort(); resolve(); }, { signal: done.signal });
    signal.addEventListener("abort", () => { done.abort(); reject(signal.reason); }, { signal: done.signal });
  });
}
