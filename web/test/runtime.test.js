// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";
import { describe as said, detect } from "../src/runtime.js";
import { carried, pageQuery, publish, unknownKept } from "../src/links.js";

const gpu = (/** @type {boolean} */ fallback) => ({ hardwareConcurrency: 4, gpu: { requestAdapter: async () => ({ info: { isFallbackAdapter: fallback } }) } });

test("a software WebGPU adapter is not used unless the link asks, and the page says why", async () => {
  const soft = await detect(gpu(true), true, true, false);
  assert.equal(soft.webgpu, true);
  assert.equal(soft.gpu, false);
  assert.match(said(soft), /WebGPU here is a software adapter, slower than WebAssembly, so this page uses WebAssembly\.$/);
  const asked = await detect(gpu(true), true, true, false, "webgpu");
  assert.equal(asked.gpu, true);
  assert.match(said(asked), /^Runs on this device: WebGPU on a software adapter \(this browser has no GPU for it\), else WebAssembly/);
  const hard = await detect(gpu(false), true, true, false);
  assert.equal(hard.gpu, true);
  assert.match(said(hard), /^Runs on this device: WebGPU, else WebAssembly with SIMD on 4 threads\.$/);
  const none = await detect({ hardwareConcurrency: 4 }, true, true, false, "webgpu");
  assert.equal(none.gpu, false);
  assert.match(said(none), /no WebGPU here\.$/);
});

test("backend=webgpu is kept in the URL by every page, and an unknown value is dropped", () => {
  assert.equal(carried("?model=a&backend=webgpu").toString(), "backend=webgpu");
  assert.equal(carried("?backend=cuda").toString(), "");
  assert.deepEqual(unknownKept(new URLSearchParams("?backend=cuda")), ["backend=cuda"]);
  assert.deepEqual(unknownKept(new URLSearchParams("?backend=webgpu")), []);
  assert.equal(pageQuery("compare", "?backend=webgpu&model=a"), "?backend=webgpu&page=compare");
  assert.equal(pageQuery("classify", "?model=a"), "");
  /** @type {string[]} */
  const written = [];
  Object.assign(globalThis, { location: { search: "?backend=webgpu&model=a", pathname: "/" },
    history: { replaceState: (/** @type {any} */ _s, /** @type {string} */ _t, /** @type {string} */ url) => written.push(url) } });
  publish({ model: "b", photo: null });
  assert.deepEqual(written, ["?backend=webgpu&model=b"]);
});
