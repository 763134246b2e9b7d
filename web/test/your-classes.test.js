// @ts-check
// Your classes' plumbing: features from the device's cache or the network, each photo decoded once for every
// backbone that needs it, unreadable photos remembered; a head of the visitor's classes on a backbone's answer.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { featuresOf } from "../src/transfer/features.js";
import { setting } from "../src/transfer/cache.js";
import { FEATURES, foldedLinear, headProbabilities, readHead } from "../src/transfer/head.js";
import { Heads, headLabel, labelsOf, onHead } from "../src/heads.js";
import { fileName } from "../src/pages/your_classes.js";

const catalog = JSON.parse(readFileSync(new URL("../public/models/catalog.json", import.meta.url), "utf8"));
const fixture = JSON.parse(readFileSync(new URL("./fixtures/transfer.json", import.meta.url), "utf8"));
const variants = catalog.variants.filter((/** @type {any} */ v) => ["ssl_resnext50_32x4d", "tv2_resnext50_32x4d"].includes(v.id));

/** A cache in memory, as ``FeatureCache`` behaves. */
class MemoryCache {
  constructor() {
    /** @type {Map<string, Float32Array>} */
    this.kept = new Map();
    this.unreadable = new Map();
    this.note = "";
  }

  /** @param {string} s @param {string[]} digests */
  async getMany(s, digests) { return digests.map((d) => this.kept.get(`${s}|${d}`) ?? null); }

  /** @param {string} s @param {[string, Float32Array][]} entries */
  async putMany(s, entries) { for (const [d, v] of entries) this.kept.set(`${s}|${d}`, v); }
}

/**
 * ``runMany`` on fake photos: a photo named ``bad…`` cannot be read; a vector is the photo's index and the variant.
 * @param {{items: string[], ids: string[]}[]} calls What it was asked.
 * @returns {import("../src/transfer/features.js").Run}
 */
const fakeRun = (calls) => async (items, ids, { progress, answered }) => {
  calls.push({ items: items.map((i) => i.name), ids });
  const skipped = items.flatMap((item, index) => (item.name.startsWith("bad") ? [{ index, name: item.name, why: `${item.name} is not an image that can be read.` }] : []));
  const outputs = new Map(ids.map((id) => [id, { logits: items.map(() => null),
    pooled: items.map((item, k) => (item.name.startsWith("bad") ? null : new Float32Array(4).fill(Number(item.name.slice(1)) + (id.startsWith("tv2") ? 100 : 0)))) }]));
  for (const [id, out] of outputs) { // each answer heard as it comes, as runMany tells it
    const read = items.flatMap((_, k) => (out.pooled[k] ? [k] : []));
    answered?.(id, read, read.map((k) => /** @type {Float32Array} */ (out.pooled[k])));
  }
  progress?.(items.length * ids.length, items.length * ids.length);
  return { outputs, skipped, ms: new Map(), backends: new Map(), notes: [] };
};

const photos = (/** @type {string[]} */ names) => names.map((name) => ({ name, blob: new Blob([name]) }));

test("features come from the network once, each photo decoded once for every backbone, then from the cache", async () => {
  const cache = new MemoryCache();
  const items = photos(["p0", "p1", "bad2", "p3"]);
  const digests = ["d0", "d1", "d2", "d3"];
  /** @type {{items: string[], ids: string[]}[]} */
  const calls = [];
  const first = await featuresOf(items, digests, variants, /** @type {any} */ (cache), fakeRun(calls));
  assert.deepEqual(calls, [{ items: ["p0", "p1", "bad2", "p3"], ids: variants.map((v) => v.id) }]); // one pass for both
  assert.equal(first.computed, 6);
  assert.equal(first.cached, 0);
  assert.deepEqual(first.skipped, [{ index: 2, name: "bad2", why: "bad2 is not an image that can be read." }]);
  assert.deepEqual(Array.from(/** @type {any} */ (first.vectors.get("tv2_resnext50_32x4d"))[3]), [103, 103, 103, 103]);

  // Again, the unreadable one under another name: nothing runs, and its sentence names it as it is now called.
  const again = await featuresOf(photos(["p0", "p1", "bad9", "p3"]), digests, variants, /** @type {any} */ (cache), fakeRun(calls));
  assert.equal(calls.length, 1);
  assert.equal(again.computed, 0);
  assert.equal(again.cached, 6);
  assert.deepEqual(again.skipped, [{ index: 2, name: "bad9", why: "bad9 is not an image that can be read." }]);
  assert.deepEqual(again.vectors, first.vectors);
});

test("a photo missing for one backbone runs through that one alone, and what is computed is kept as it comes", async () => {
  const cache = new MemoryCache();
  const [ssl, tv2] = variants;
  await cache.putMany(setting(ssl), [["d0", new Float32Array(4)], ["d1", new Float32Array(4)]]);
  /** @type {{items: string[], ids: string[]}[]} */
  const calls = [];
  const heard = /** @type {[number, number][]} */ ([]);
  const got = await featuresOf(photos(["p0", "p1", "p2"]), ["d0", "d1", "d2"], variants, /** @type {any} */ (cache), fakeRun(calls),
    { progress: (d, t) => heard.push([d, t]) });
  assert.deepEqual(calls, [{ items: ["p0", "p1"], ids: [tv2.id] }, { items: ["p2"], ids: [ssl.id, tv2.id] }]);
  assert.deepEqual([got.computed, got.cached], [4, 2]);
  assert.deepEqual(heard[0], [2, 6]); // the cache's share first
  assert.deepEqual(heard.at(-1), [6, 6]);
  assert.equal(cache.kept.size, 6);
});

test("a run given up stops with the signal's reason, and a cache that keeps nothing says so once", async () => {
  const cache = new MemoryCache();
  cache.note = "This browser keeps no features for this site.";
  const controller = new AbortController();
  controller.abort(new DOMException("Cancelled.", "AbortError"));
  await assert.rejects(featuresOf(photos(["p0"]), ["d0"], variants, /** @type {any} */ (cache), fakeRun([]), { signal: controller.signal }),
    { name: "AbortError" });
  const got = await featuresOf(photos(["p0"]), ["d0"], variants, /** @type {any} */ (cache), fakeRun([]));
  assert.deepEqual(got.notes, ["This browser keeps no features for this site."]);
});

test("a head on a backbone's answer gives its classes' probabilities and CAM weights", () => {
  const head = readHead(new Uint8Array(Buffer.from(fixture.head.file, "base64")), "cats.safetensors", catalog.variants);
  const heads = new Heads();
  const own = heads.keep("cats", head);
  assert.match(own.id, new RegExp(`^${head.backbone}\\+[0-9a-f]{12}$`));
  assert.equal(heads.keep("cats again", head).id, own.id); // the same head keeps its id
  assert.equal(headLabel(head), `3 classes (${head.classes.join(", ")}) on ${head.backbone}`);
  const ctx = /** @type {any} */ ({ heads, catalog: { labels: ["tench"] } });
  assert.deepEqual([labelsOf(ctx, own.id), labelsOf(ctx, "ssl_resnext50_32x4d")], [head.classes, ["tench"]]);

  const positions = 4; // a (FEATURES, 2, 2) map whose mean is the pooled vector
  const map = new Float32Array(FEATURES * positions);
  const pooled = new Float32Array(FEATURES);
  for (let c = 0; c < FEATURES; c++) {
    for (let p = 0; p < positions; p++) map[c * positions + p] = Math.sin(c * 7 + p);
    pooled[c] = Math.fround((map[c * positions] + map[c * positions + 1] + map[c * positions + 2] + map[c * positions + 3]) / positions);
  }
  const answer = { probabilities: new Float64Array(1000), features: map, featureShape: [FEATURES, 2, 2], fcWeight: new Float32Array(1),
    ms: 1, note: "", backend: "wasm" };
  const got = onHead(own, answer);
  const expected = headProbabilities(head, pooled);
  assert.equal(got.probabilities.length, 3);
  got.probabilities.forEach((p, k) => assert.ok(Math.abs(p - expected[k]) <= 1e-5, `${p} against ${expected[k]}`));
  assert.deepEqual(got.fcWeight, foldedLinear(head).weight);
});

test("a head's file is named as the Python app names it", () => {
  assert.equal(fileName("brick, grass, gravel on ssl_resnext50_32x4d"), "brick__grass__gravel_on_ssl_resnext50_32x4d.safetensors");
  assert.equal(fileName("café, crème, …"), "café__crème.safetensors");
  assert.equal(fileName("..."), "classifier.safetensors");
  assert.equal(fileName("x".repeat(100)), `${"x".repeat(80)}.safetensors`);
});
