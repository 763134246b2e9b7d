// @ts-check
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { test } from "node:test";

import { CACHE_NAME, DEFAULT_HUB, askToPersist, checkedBy, forget, hubEndpoint, hubProblem, openCache, weights, weightsUrl } from "../src/hub.js";
import { Sha256, sha256 } from "../src/sha256.js";

const HUB = "https://h";
const file = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const other = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1]);
const hex = (/** @type {Uint8Array} */ bytes) => createHash("sha256").update(bytes).digest("hex");
const lock = { sha256: hex(file), size: file.byteLength, revision: "0123456789abcdef0123456789abcdef01234567" };

const where = { repo: "timm/x", file: "model.safetensors" };
/** The tree the Hub gives for a body (a self-consistent entry), or for no size and no hash. */
const treeOf = (/** @type {Uint8Array} */ body, sized = true) => [{ type: "file", path: "README.md", size: 10 },
  sized ? { type: "file", path: "model.safetensors", size: body.byteLength, lfs: { oid: hex(body), size: body.byteLength, pointerSize: 134 } }
    : { type: "file", path: "model.safetensors" }];

/**
 * A Hub on a function: its tree API and the file; counts its requests.
 * @param {Uint8Array} body What the file's address sends.
 * @param {{status?: number, treeStatus?: number, tree?: object[], chunks?: number, headers?: Record<string, string>}} [how]
 *   ``chunks``: the body arrives in pieces of this many bytes (a stream without a length).
 */
function hub(body = file, { status = 200, treeStatus = 200, tree = treeOf(body), chunks = 0, headers = {} } = {}) {
  /** @type {string[]} */
  const calls = [];
  /** @type {typeof fetch} */
  const fetcher = async (url) => {
    calls.push(String(url));
    if (String(url).includes("/api/models/")) return new Response(treeStatus === 200 ? JSON.stringify(tree) : null, { status: treeStatus });
    if (status !== 200) return new Response(null, { status });
    return new Response(chunks ? streamOf(body, chunks) : body, { headers });
  };
  return { fetcher, calls };
}

/**
 * A body that arrives in pieces; ``stall`` after that many pieces it waits forever.
 * @param {Uint8Array} body
 * @param {number} piece
 * @param {number} [stall]
 */
function streamOf(body, piece, stall = Infinity) {
  let at = 0;
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ >= stall) return new Promise(() => undefined);
      if (at >= body.byteLength) return controller.close();
      controller.enqueue(body.slice(at, at + piece));
      at += piece;
    },
  });
}

/**
 * Cache Storage on a Map; ``full`` makes every ``put`` fail as a full quota does.
 * @param {{full?: boolean}} [how]
 */
function storage({ full = false } = {}) {
  /** @type {Map<string, Map<string, Response>>} */
  const stores = new Map();
  return {
    stores,
    open: async (/** @type {string} */ name) => {
      if (!stores.has(name)) stores.set(name, new Map());
      const store = /** @type {Map<string, Response>} */ (stores.get(name));
      return {
        match: async (/** @type {string} */ url) => store.get(url)?.clone(),
        put: async (/** @type {string} */ url, /** @type {Response} */ r) => {
          const bytes = new Uint8Array(await r.arrayBuffer()); // as a browser does: the body is read whole
          if (full) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
          store.set(url, new Response(bytes, { headers: r.headers }));
        },
        delete: async (/** @type {string} */ url) => store.delete(url),
        keys: async () => [...store.keys()].map((url) => new Request(url)),
      };
    },
  };
}
const keptIn = (/** @type {ReturnType<typeof storage>} */ caches) => [...(caches.stores.get(CACHE_NAME)?.keys() ?? [])];

/** A storage manager that counts the requests to persist. */
function manager() {
  const asked = { count: 0 };
  return { asked, persist: async () => { asked.count++; return true; } };
}

test("the Hub's address comes from config.json as written, else the default", async () => {
  const config = (/** @type {unknown} */ body) => /** @type {any} */ (async () => new Response(JSON.stringify(body)));
  assert.equal(await hubEndpoint(config({ hub: "http://127.0.0.1:9/" })), "http://127.0.0.1:9");
  assert.equal(await hubEndpoint(config({ hub: "http://mirror.example" })), "http://mirror.example"); // refused where used, not replaced
  assert.equal(await hubEndpoint(config({ hub: 42 })), "");
  assert.equal(await hubEndpoint(config({})), DEFAULT_HUB);
  assert.equal(await hubEndpoint(async () => new Response("", { status: 404 })), DEFAULT_HUB);
  assert.equal(await hubEndpoint(async () => new Response("{not json")), "");
  assert.equal(weightsUrl("https://h", where), "https://h/timm/x/resolve/main/model.safetensors");
  assert.equal(weightsUrl("https://h", where, "abc"), "https://h/timm/x/resolve/abc/model.safetensors");
});

test("the Hub must be https:, or http: on the loopback; anything else is one sentence and nothing is asked", async () => {
  for (const ok of [DEFAULT_HUB, "https://mirror.example/hf", "http://127.0.0.1:8080", "http://127.3.2.1", "http://localhost:1", "http://[::1]:9"]) {
    assert.equal(hubProblem(ok), "", ok);
  }
  for (const bad of ["http://mirror.example", "http://10.0.0.1", "ftp://127.0.0.1", "http://127.0.0.1.evil.example", "file:///tmp"]) {
    assert.match(hubProblem(bad), /^This site's Hub address .* is not an https: URL, so the page downloads no weights from it, nor from huggingface\.co in its place; .*\.$/, bad);
  }
  assert.match(hubProblem(""), /^This site's config\.json gives no Hub address this page can read, so it downloads no weights/);
  const { fetcher, calls } = hub();
  await assert.rejects(weights({ fetcher, caches: storage() }, "http://mirror.example", where, {}), /not an https: URL/);
  assert.deepEqual(calls, []);
});

test("a second visit reads the weights from Cache Storage: no request", async () => {
  const { fetcher, calls } = hub();
  const caches = storage();
  const io = { fetcher, caches };
  /** @type {[number, number | null][]} */
  const seen = [];
  assert.deepEqual([...(await weights(io, HUB, where, { progress: (d, t) => seen.push([d, t]) })).bytes], [...file]);
  assert.deepEqual(seen.at(-1), [9, 9]);
  assert.deepEqual(calls, ["https://h/api/models/timm/x/tree/main", "https://h/timm/x/resolve/main/model.safetensors"]);
  const again = await weights(io, HUB, where, {});
  assert.deepEqual([...again.bytes], [...file]);
  assert.equal(again.note, "");
  assert.equal(again.kept, true);
  assert.equal(calls.length, 2);
  assert.deepEqual(keptIn(caches), ["https://h/timm/x/resolve/main/model.safetensors"]);
});

test("a damaged, cut, missing or unreachable file is one sentence and is not kept", async () => {
  const caches = storage();
  const get = (/** @type {typeof fetch} */ fetcher) => weights({ fetcher, caches }, HUB, where, {});
  await assert.rejects(get(hub(other, { tree: treeOf(file) }).fetcher), /^Error: The weights of timm\/x arrived damaged \(their SHA-256 is not the Hub's\); try again\.$/);
  await assert.rejects(get(hub(file.subarray(0, 4), { tree: treeOf(file) }).fetcher), /cut off \(4 of 9 bytes\)/);
  await assert.rejects(get(hub(file, { status: 404 }).fetcher), /has no weights file in timm\/x/);
  await assert.rejects(get(hub(file, { treeStatus: 404 }).fetcher), /has no repo timm\/x/);
  await assert.rejects(get(hub(file, { status: 500 }).fetcher), /answered 500/);
  await assert.rejects(weights({ fetcher: hub().fetcher, caches }, HUB, { ...where, file: "other.bin" }, {}), /has no weights file/);
  const offline = async () => { throw new TypeError("Failed to fetch"); };
  await assert.rejects(get(/** @type {any} */ (offline)), /cannot be reached/);
  assert.deepEqual(keptIn(caches), []);
});

test("the publisher's lock wins over a Hub whose tree agrees with the bytes it serves", async () => {
  const caches = storage();
  const served = hub(other); // another file, with a tree entry that matches it
  await assert.rejects(weights({ fetcher: served.fetcher, caches }, HUB, where, { expected: lock }),
    /^Error: The weights of timm\/x are not the file this site's publisher pinned \(their SHA-256 differs\), so they were not used or kept; .*\.$/);
  assert.deepEqual(keptIn(caches), []);
  assert.ok(served.calls.every((url) => !url.includes("/api/")), "a pinned file needs no tree");
  // the lock may also come in the catalog's hub entry itself
  await assert.rejects(weights({ fetcher: hub(other).fetcher, caches }, HUB, { ...where, ...lock }, {}), /publisher pinned/);
  await assert.rejects(weights({ fetcher: hub(other).fetcher, caches }, HUB, { ...where, ...lock }), /publisher pinned/);
});

test("a pinned revision is downloaded from resolve/REVISION/, not main, and kept under it", async () => {
  const caches = storage();
  const { fetcher, calls } = hub();
  const got = await weights({ fetcher, caches }, HUB, where, { expected: lock });
  assert.deepEqual([...got.bytes], [...file]);
  assert.deepEqual(calls, [`https://h/timm/x/resolve/${lock.revision}/model.safetensors`]);
  assert.deepEqual(keptIn(caches), calls);
  const tree = hub();
  await weights({ fetcher: tree.fetcher, caches: storage() }, HUB, where, { expected: { revision: "abc" } }); // a revision, no hash
  assert.deepEqual(tree.calls, ["https://h/api/models/timm/x/tree/abc", "https://h/timm/x/resolve/abc/model.safetensors"]);
});

test("a download is written into one buffer of the announced size, with no second copy", async () => {
  const body = new Uint8Array(randomBytes(300_000));
  const real = Uint8Array;
  let large = 0;
  globalThis.Uint8Array = new Proxy(real, { construct(target, args, receiver) {
    if (typeof args[0] === "number" && args[0] >= body.byteLength) large++;
    return Reflect.construct(target, args, receiver);
  } });
  try {
    const { fetcher } = hub(body, { chunks: 4096 });
    /** @type {number[]} */
    const before = [];
    const got = await weights({ fetcher, caches: undefined }, HUB, where, { progress: () => before.push(large) });
    assert.ok(before.length > 10 && before.every((n) => n === 1), "the buffer exists before the first chunk and is the only one");
    assert.equal(large, 1);
    assert.equal(got.bytes.buffer.byteLength, body.byteLength);
    assert.equal(got.bytes.byteOffset, 0);
    assert.equal(hex(got.bytes), hex(body));
  } finally {
    globalThis.Uint8Array = real;
  }
});

test("more bytes than announced are refused, whoever announced the size, and nothing is kept", async () => {
  const caches = storage();
  const longer = new Uint8Array([...file, 10, 11]);
  await assert.rejects(weights({ fetcher: hub(longer, { tree: treeOf(file) }).fetcher, caches }, HUB, where, {}),
    /^Error: The download of timm\/x is larger than announced \(more than 9 bytes\), so it was not used; try again\.$/);
  await assert.rejects(weights({ fetcher: hub(longer, { chunks: 3 }).fetcher, caches }, HUB, where, { expected: lock }), /larger than announced/);
  await assert.rejects(weights({ fetcher: hub(longer, { tree: treeOf(file, false), chunks: 4, headers: { "content-length": "9" } }).fetcher, caches },
    HUB, where, {}), /larger than announced \(more than 9 bytes\)/);
  assert.deepEqual(keptIn(caches), []);
});

test("a download whose size nobody announced is used but not kept, and says so", async () => {
  const caches = storage();
  const { fetcher } = hub(file, { tree: treeOf(file, false), chunks: 4 });
  const got = await weights({ fetcher, caches }, HUB, where, {});
  assert.deepEqual([...got.bytes], [...file]);
  assert.equal(got.kept, false);
  assert.match(got.note, /^Nobody announced the size of timm\/x's weights, so this page did not keep them: the next visit downloads them again\.$/);
  assert.deepEqual(keptIn(caches), []);
  const sized = await weights({ fetcher: hub(file, { tree: treeOf(file, false), headers: { "content-length": "9" } }).fetcher, caches }, HUB, where, {});
  assert.equal(sized.note, ""); // the server's Content-Length is an announcement
  assert.equal(keptIn(caches).length, 1);
});

test("a size this device cannot hold is its own sentence, not damage", async () => {
  await assert.rejects(weights({ fetcher: hub().fetcher, caches: undefined }, HUB, where, { expected: { ...lock, size: 2 ** 50 } }),
    /^Error: This device ran out of memory for timm\/x \(1125899\.9 GB\); close other tabs or apps, or pick a smaller model \(the other models still work\)\.$/);
});

test("a full Cache Storage is a note, not an error: the model runs, nothing is kept, persistence is not asked", async () => {
  const caches = storage({ full: true });
  const storageManager = manager();
  const got = await weights({ fetcher: hub().fetcher, caches, storage: storageManager }, HUB, where, {});
  assert.deepEqual([...got.bytes], [...file]);
  assert.equal(got.kept, false);
  assert.match(got.note, /^This device's storage for this site is full, so timm\/x was not kept: it runs for this visit and the next visit downloads it again; remove models kept here \(Model comparison\) or clear this site's data to free space\.$/);
  assert.deepEqual(keptIn(caches), []);
  assert.equal(storageManager.asked.count, 0);
});

test("persistent storage is asked for once, after a model is first kept (or by the page, for its worker)", async () => {
  const caches = storage();
  const storageManager = manager();
  const io = { fetcher: hub().fetcher, caches, storage: storageManager };
  assert.equal((await weights(io, HUB, where, {})).kept, true);
  await weights(io, HUB, { ...where, repo: "timm/y" }, {});
  assert.equal(keptIn(caches).length, 2);
  assert.equal(storageManager.asked.count, 1);
  const pages = manager();
  askToPersist(pages);
  askToPersist(pages);
  askToPersist({});
  assert.equal(pages.asked.count, 1);
});

test("forget removes a kept file at any revision; a kept file the lock no longer matches is removed and downloaded again", async () => {
  const caches = storage();
  const first = hub();
  const io = { fetcher: first.fetcher, caches };
  await weights(io, HUB, where, {});
  await weights(io, HUB, where, { expected: lock });
  assert.equal(keptIn(caches).length, 2);
  assert.equal(await forget(io, HUB, where), true);
  assert.deepEqual(keptIn(caches), []);
  assert.equal(await forget(io, HUB, where), false);

  await weights(io, HUB, where, {}); // kept under main, checked against the Hub's tree
  const relocked = { sha256: hex(other), size: other.byteLength }; // the publisher now pins another file
  const second = hub(other);
  const got = await weights({ fetcher: second.fetcher, caches }, HUB, where, { expected: relocked });
  assert.deepEqual([...got.bytes], [...other]);
  assert.deepEqual(second.calls, ["https://h/timm/x/resolve/main/model.safetensors"]);
  const kept = await (await caches.open(CACHE_NAME)).match("https://h/timm/x/resolve/main/model.safetensors");
  assert.deepEqual([...new Uint8Array(await /** @type {Response} */ (kept).arrayBuffer())], [...other]);
});

test("a kept file cut short is removed and downloaded again", async () => {
  const caches = storage();
  const store = await caches.open(CACHE_NAME);
  await store.put(weightsUrl(HUB, where, lock.revision), new Response(file.subarray(0, 5), { headers: { "x-resnext-sha256": lock.sha256, "content-length": "5" } }));
  const { fetcher, calls } = hub();
  const got = await weights({ fetcher, caches }, HUB, where, { expected: lock });
  assert.deepEqual([...got.bytes], [...file]);
  assert.equal(calls.length, 1);
});

test("an abort mid-download stops the read at once, rejects with the signal's reason, and keeps nothing", async () => {
  const caches = storage();
  const body = new Uint8Array(randomBytes(1000));
  const controller = new AbortController();
  /** @type {typeof fetch} */
  const fetcher = async (url) => String(url).includes("/api/") ? new Response(JSON.stringify(treeOf(body)))
    : new Response(streamOf(body, 100, 2)); // two pieces, then the network stalls
  /** @type {number[]} */
  const seen = [];
  const download = weights({ fetcher, caches }, HUB, where, { signal: controller.signal, progress: (done) => {
    seen.push(done);
    if (done === 200) controller.abort();
  } });
  await assert.rejects(download, (/** @type {any} */ error) => error.name === "AbortError");
  assert.deepEqual(seen, [100, 200]);
  assert.deepEqual(keptIn(caches), []);
  await assert.rejects(weights({ fetcher, caches }, HUB, where, { signal: AbortSignal.abort() }), { name: "AbortError" });
});

test("a page refused storage (a frame on another site) still downloads, and keeps nothing", async () => {
  const refused = { open: async () => { throw new DOMException("blocked", "SecurityError"); } };
  assert.equal(await openCache(refused), undefined);
  const { fetcher, calls } = hub();
  const got = await weights({ fetcher, caches: refused }, HUB, where, {});
  assert.deepEqual([...got.bytes], [...file]);
  assert.equal(got.note, "");
  assert.equal(got.kept, false);
  assert.equal(calls.length, 2);
});

test("the page says once which hashes check its downloads", () => {
  const pinned = { hub: { ...where, ...lock }, browser: null };
  const open = { hub: where, browser: null };
  const out = { hub: where, browser: "too large" };
  assert.equal(checkedBy([pinned, out]), "Each download is checked against the publisher's hashes.");
  assert.match(checkedBy([pinned, open]), /publisher's hashes where this site pins them, else against the Hub's/);
  assert.equal(checkedBy([open]), "Each download is checked against the Hub's hashes (this site pins none of its own).");
});

test("SHA-256 fed in pieces equals Node's on every length around a block", async () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 65_537]) {
    const data = new Uint8Array(randomBytes(n));
    const hasher = new Sha256();
    for (let at = 0, step = 1; at < n; at += step, step = step * 3 % 97 + 1) hasher.update(data.subarray(at, at + step));
    assert.equal(hasher.hex(), hex(data), `${n} bytes`);
    assert.equal(await sha256(data), hex(data));
  }
});
