// @ts-check
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { CACHE_NAME, DEFAULT_HUB, hubEndpoint, sha256, weights, weightsUrl } from "../src/hub.js";

const file = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const etag = createHash("sha256").update(file).digest("hex");

/** A Hub on a Map: counts its requests. */
function hub(body = file, headers = { "x-linked-etag": `"${etag}"`, "content-length": String(file.byteLength) }, status = 200) {
  const calls = [];
  /** @type {typeof fetch} */
  const fetcher = async (url) => { calls.push(String(url)); return new Response(status === 200 ? body : null, { status, headers }); };
  return { fetcher, calls };
}

/** Cache Storage on a Map. */
function storage() {
  const stores = new Map();
  return {
    stores,
    open: async (/** @type {string} */ name) => {
      if (!stores.has(name)) stores.set(name, new Map());
      const store = stores.get(name);
      return { match: async (/** @type {string} */ url) => store.get(url)?.clone(), put: async (/** @type {string} */ url, /** @type {Response} */ r) => { store.set(url, r); } };
    },
  };
}

test("the Hub's address comes from config.json, else the default", async () => {
  const config = async () => new Response(JSON.stringify({ hub: "http://127.0.0.1:9/" }));
  assert.equal(await hubEndpoint(/** @type {any} */ (config)), "http://127.0.0.1:9");
  assert.equal(await hubEndpoint(async () => new Response("", { status: 404 })), DEFAULT_HUB);
  assert.equal(weightsUrl("http://h", { repo: "timm/x", file: "model.safetensors" }), "http://h/timm/x/resolve/main/model.safetensors");
});

test("a second visit reads the weights from Cache Storage: no request", async () => {
  const { fetcher, calls } = hub();
  const caches = storage();
  const io = { fetcher, caches, digest: sha256 };
  const seen = [];
  assert.deepEqual([...await weights(io, "u", "timm/x", (d, t) => seen.push([d, t]))], [...file]);
  assert.deepEqual(seen.at(-1), [9, 9]);
  assert.deepEqual([...await weights(io, "u", "timm/x")], [...file]);
  assert.equal(calls.length, 1);
  assert.ok(caches.stores.has(CACHE_NAME));
});

test("a damaged, cut, missing or unreachable file is one sentence and is not kept", async () => {
  const caches = storage();
  const damaged = hub(new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9, 9]));
  await assert.rejects(weights({ fetcher: damaged.fetcher, caches, digest: sha256 }, "u", "timm/x"), /arrived damaged/);
  const cut = hub(file.subarray(0, 4));
  await assert.rejects(weights({ fetcher: cut.fetcher, caches, digest: sha256 }, "u", "timm/x"), /cut off \(4 of 9 bytes\)/);
  await assert.rejects(weights({ fetcher: hub(file, {}, 404).fetcher, caches, digest: sha256 }, "u", "timm/x"), /has no weights file in timm\/x/);
  const offline = async () => { throw new TypeError("Failed to fetch"); };
  await assert.rejects(weights({ fetcher: /** @type {any} */ (offline), caches, digest: sha256 }, "u", "timm/x"), /cannot be reached/);
  assert.equal(caches.stores.get(CACHE_NAME).size, 0);
});
