// @ts-check
/**
 * What this device keeps: the weights files in the page's Cache Storage (``hub.js``'s cache), each
 * with its size and the variant it belongs to, and removing one.
 * @module kept
 */

import { openCache } from "./hub.js";

/** @typedef {import("./models.js").Variant} Variant */
/** @typedef {{url: string, bytes: number, variant: Variant | undefined}} Kept */
/**
 * @typedef {{has: (name: string) => Promise<boolean>, open: (name: string) => Promise<{keys: () => Promise<readonly Request[]>,
 *   match: (request: Request) => Promise<Response | undefined>, delete: (request: Request | string) => Promise<boolean>}>}} Caches
 */

/**
 * The variant whose weights a cached address holds (its Hub repo is in the address).
 * @param {string} url
 * @param {Variant[]} variants
 * @returns {Variant | undefined}
 */
export const variantOf = (url, variants) => variants.find((v) => v.hub && new URL(url).pathname.includes(`/${v.hub.repo}/`));

/**
 * The variants whose weights this device keeps (nothing is read but the addresses), or null where
 * the browser keeps none for this page.
 * @param {Caches | undefined} caches
 * @param {Variant[]} variants The catalog's.
 * @returns {Promise<Set<string> | null>} Their ids.
 */
export async function keptIds(caches, variants) {
  const cache = await open(caches);
  if (!cache) return cache;
  return new Set((await cache.keys()).map((r) => variantOf(r.url, variants)?.id).filter((id) => id !== undefined));
}

/**
 * The weights kept on this device, each with its size, or null where the browser keeps none for this page.
 * @param {Caches | undefined} caches
 * @param {Variant[]} variants The catalog's.
 * @returns {Promise<Kept[] | null>}
 */
export async function kept(caches, variants) {
  const cache = await open(caches);
  if (!cache) return cache;
  const out = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (!response) continue;
    // The stored body is a blob on disk: its size is known without reading it into memory.
    const bytes = Number(response.headers.get("content-length")) || (await response.blob()).size;
    out.push({ url: request.url, bytes, variant: variantOf(request.url, variants) });
  }
  return out;
}

/**
 * The weights' cache (``hub.js``'s): null where the browser keeps nothing for this page; an empty
 * one, not made, before anything is kept.
 * @param {Caches | undefined} caches
 */
const open = async (caches) => (await openCache(caches, { make: false })) ?? null;

/**
 * Remove one kept file.
 * @param {Caches | undefined} caches
 * @param {string} url
 * @returns {Promise<boolean>} Whether it was there and is gone.
 */
export async function remove(caches, url) {
  const cache = await open(caches);
  return cache ? cache.delete(url) : false;
}
