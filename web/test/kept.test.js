// What this device keeps: the cache's entries named by variant, sized without the catalog, and removed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CACHE_NAME } from "../src/hub.js";
import { kept, keptIds, remove, variantOf } from "../src/kept.js";

const variants = /** @type {any[]} */ ([
  { id: "ssl_resnext50_32x4d", hub: { repo: "timm/resnext50_32x4d.fb_ssl_yfcc100m_ft_in1k", file: "model.safetensors" } },
  { id: "swsl_resnext50_32x4d", hub: { repo: "timm/resnext50_32x4d.fb_swsl_ig1b_ft_in1k", file: "model.safetensors" } },
]);
const url = (/** @type {string} */ repo) => `https://huggingface.co/${repo}/resolve/main/model.safetensors`;

/** Cache Storage in memory, as the page sees it. */
function storage() {
  /** @type {Map<string, Map<string, Response>>} */
  const caches = new Map();
  const open = async (/** @type {string} */ name) => {
    const entries = caches.get(name) ?? new Map();
    caches.set(name, entries);
    return {
      keys: async () => [...entries.keys()].map((u) => new Request(u)),
      match: async (/** @type {Request} */ r) => entries.get(r.url)?.clone(),
      put: async (/** @type {string} */ u, /** @type {Response} */ r) => { entries.set(u, r); },
      delete: async (/** @type {Request | string} */ r) => entries.delete(typeof r === "string" ? r : r.url),
    };
  };
  return { has: async (/** @type {string} */ name) => caches.has(name), open };
}

test("an address names its variant by the Hub repo in it", () => {
  assert.equal(variantOf(url(variants[1].hub.repo), variants)?.id, "swsl_resnext50_32x4d");
  assert.equal(variantOf("https://huggingface.co/timm/other/resolve/main/model.safetensors", variants), undefined);
});

test("the kept files, each with its own size and variant, and one removed", async () => {
  const caches = storage();
  assert.deepEqual(await kept(caches, variants), []); // nothing kept yet, and no cache made to say so
  assert.equal(await caches.has(CACHE_NAME), false);
  const cache = await caches.open(CACHE_NAME);
  await cache.put(url(variants[0].hub.repo), new Response(new Uint8Array(1234)));
  await cache.put("https://mirror.example/x/model.safetensors", new Response(new Uint8Array(7), { headers: { "content-length": "7" } }));
  const here = /** @type {import("../src/kept.js").Kept[]} */ (await kept(caches, variants));
  assert.deepEqual(here.map((k) => [k.variant?.id, k.bytes]), [["ssl_resnext50_32x4d", 1234], [undefined, 7]]);
  assert.deepEqual([...(/** @type {Set<string>} */ (await keptIds(caches, variants)))], ["ssl_resnext50_32x4d"]);
  assert.equal(await remove(caches, url(variants[0].hub.repo)), true);
  assert.deepEqual([...(/** @type {Set<string>} */ (await keptIds(caches, variants)))], []);
});

test("a browser that keeps nothing for this page, or refuses the cache, keeps null", async () => {
  assert.equal(await kept(undefined, variants), null);
  const refusing = { has: async () => { throw new DOMException("denied", "SecurityError"); }, open: async () => { throw new Error("no"); } };
  assert.equal(await keptIds(/** @type {any} */ (refusing), variants), null);
  assert.equal(await remove(undefined, url(variants[0].hub.repo)), false);
  assert.equal(await remove(/** @type {any} */ (refusing), url(variants[0].hub.repo)), false);
});
