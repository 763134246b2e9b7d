// The shared page lifecycle: a left page's signal aborts, the latest choice aborts the one before, and
// a parent's abort reaches every choice under it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Pages, child, clicked, latest } from "../src/lifecycle.js";

test("drawing a page aborts the last page's signal, with an AbortError", () => {
  const pages = new Pages();
  /** @type {AbortSignal[]} */
  const signals = [];
  const render = (/** @type {any[]} */ ...args) => { signals.push(args[4]); };
  pages.show(render, /** @type {any} */ (null), /** @type {any} */ (null), new URLSearchParams(), []);
  assert.equal(signals[0].aborted, false);
  pages.show(render, /** @type {any} */ (null), /** @type {any} */ (null), new URLSearchParams(), []);
  assert.equal(signals[0].aborted, true);
  assert.equal(signals[0].reason.name, "AbortError");
  assert.equal(signals[1].aborted, false);
});

test("the latest choice aborts the one before; leaving the page aborts the latest", () => {
  const page = new AbortController();
  const next = latest(page.signal);
  const first = next();
  const second = next();
  assert.equal(first.aborted, true);
  assert.equal(second.aborted, false);
  page.abort(new DOMException("left", "AbortError"));
  assert.equal(second.aborted, true);
  assert.equal(second.reason.message, "left");
  assert.equal(next().aborted, true); // a choice made on a left page never starts
});

test("a child of an aborted signal is born aborted, and a child's abort leaves its parent alone", () => {
  const parent = new AbortController();
  const own = child(parent.signal);
  own.abort();
  assert.equal(parent.signal.aborted, false);
  parent.abort("gone");
  assert.equal(child(parent.signal).signal.reason, "gone");
});

test("waiting for a click resolves on the click and rejects when the signal aborts first", async () => {
  const button = new EventTarget();
  const run = new AbortController();
  const waiting = clicked(/** @type {any} */ (button), run.signal);
  button.dispatchEvent(new Event("click"));
  await waiting;
  const again = clicked(/** @type {any} */ (button), run.signal);
  run.abort(new DOMException("newer", "AbortError"));
  await assert.rejects(again, { name: "AbortError", message: "newer" });
});
