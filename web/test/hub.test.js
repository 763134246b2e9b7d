// @ts-check
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { CACHE_NAME, DEFAULT_HUB, hubEndpoint, openCache, sha256, weights, weightsUrl } from "../src/hub.js";

const file = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const etag = createHash("sha256").update(file).digest("hex");

const where = { repo: "timm/x", file: "model.safetensors" };
const tree = [{ type: "file", path: "README.md", size: 10 },
  { type: "file", path: "model.safetensors", size: file.byteLength, lfs: { oid: etag, size: file.byteLength, pointerSize: 134 } }];

/**
 * A Hub on a function: its tree API and the file; counts its requests.
 * @param {Uint8Array} body What the file's address sends.
 * @param {number} status The file's status (the tree answers 200 unless ``treeStatus``).
 */
function hub(body = file, status = 200, treeStatus = 200) {
  /** @type {string[]} */
  const calls = [];
  /** @type {typeof fetch} */
  const fetcher = async (url) => {
    calls.push(String(url));
    if (String(url).includes("/api/models/")) return new Response(treeStatus === 200 ? JSON.stringify(tree) : null, { status: treeStatus });
    return new Response(status === 200 ? body : null, { status });
  };
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
  assert.deepEqual([...await weights(io, "http://h", where, (d, t) => seen.push([d, t]))], [...file]);
  assert.deepEqual(seen.at(-1), [9, 9]);
  assert.deepEqual(calls, ["http://h/api/models/timm/x/tree/main", "http://h/timm/x/resolve/main/model.safetensors"]);
  assert.deepEqual([...await weights(io, "http://h", where)], [...file]);
  assert.equal(calls.length, 2);
  assert.ok(caches.stores.has(CACHE_NAME));
});

test("a damaged, cut, missing or unreachable file is one sentence and is not kept", async () => {
  const caches = storage();
  const damaged = hub(new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9, 9]));
  const get = (/** @type {typeof fetch} */ fetcher) => weights({ fetcher, caches, digest: sha256 }, "http://h", where);
  await assert.rejects(get(damaged.fetcher), /^Error: The weights of timm\/x arrived damaged \(their SHA-256 is not the Hub's\); try again\.$/);
  await assert.rejects(get(hub(file.subarray(0, 4)).fetcher), /cut off \(4 of 9 bytes\)/);
  await assert.rejects(get(hub(file, 404).fetcher), /has no weights file in timm\/x/);
  await assert.rejects(get(hub(file, 200, 404).fetcher), /has no repo timm\/x/);
  await assert.rejects(get(hub(file, 500).fetcher), /answered 500/);
  await assert.rejects(weights({ fetcher: hub().fetcher, caches, digest: sha256 }, "http://h", { ...where, file: "other.bin" }), /has no weights file/);
  const offline = async () => { throw new TypeError("Failed to fetch"); };
  await assert.rejects(get(/** @type {any} */ (offline)), /cannot be reached/);
  assert.equal(caches.stores.get(CACHE_NAME).size, 0);
});

test("a page refused storage (a frame on another site) still downloads, and keeps nothing", async () => {
  const refused = { open: async () => { throw new DOMException("blocked", "SecurityError"); } };
  assert.equal(await openCache(refused), undefined);
  const { fetcher, calls } = hub();
  assert.deepEqual([...await weights({ fetcher, caches: refused, digest: sha256 }, "http://h", where)], [...file]);
  assert.equal(calls.length, 2);
});
