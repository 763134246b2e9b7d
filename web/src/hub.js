// @ts-check
/**
 * Weights from the Hugging Face Hub, as the library takes them: timm's ``model.safetensors`` in the
 * repo derived from the variant's timm name, fetched once (CORS) and kept in Cache Storage, so a
 * second visit downloads nothing. Each download is checked against the SHA-256 and size the site's
 * publisher pinned (``resnext space static --lock``: the catalog's ``hub`` entry then carries
 * ``sha256``, ``size`` and ``revision``), else against those the Hub's tree gives for the LFS file.
 * The file is written into one buffer of its announced size and hashed as it arrives
 * (``download.js``). Nothing here touches the page (no ``document``, no ``window``): a Web Worker
 * calls it as the page does.
 * @module hub
 */

import { abortable, announcedLength, readInto } from "./download.js";
import { outOfMemory } from "./budget.js";

export const DEFAULT_HUB = "https://huggingface.co";
export const CACHE_NAME = "resnext-weights-v1";
/** The header a kept file carries: the SHA-256 it was checked against when it was kept. */
const CHECKED = "x-resnext-sha256";
const PIECE = 1 << 20; // the slices a kept file is written to Cache Storage in

/**
 * The Hub's address from the built site's ``config.json`` (beside ``index.html``): its ``hub`` as
 * it is written, checked by {@link hubProblem} where it is used, never replaced by the default; the
 * default only where the site has no ``config.json`` or it names no Hub.
 * @param {typeof fetch} fetcher
 * @param {string} [url]
 * @returns {Promise<string>} The address, or ``""`` when ``config.json`` cannot be read.
 */
export async function hubEndpoint(fetcher, url = "config.json") {
  /** @type {Response} */
  let response;
  try {
    response = await fetcher(url);
  } catch {
    return DEFAULT_HUB; // the site itself is unreachable: its downloads will say so
  }
  if (response.status === 404) return DEFAULT_HUB;
  try {
    const config = await response.json();
    if (!("hub" in config)) return DEFAULT_HUB;
    return typeof config.hub === "string" ? config.hub.trim().replace(/\/+$/, "") : "";
  } catch {
    return "";
  }
}

/**
 * Why the page downloads nothing from a Hub address, in one sentence, or ``""`` when it may: an
 * ``https:`` URL, or ``http:`` on this machine's loopback (127.0.0.0/8, localhost, [::1]) for tests.
 * @param {string} hub
 * @returns {string}
 */
export function hubProblem(hub) {
  /** @type {URL} */
  let url;
  try {
    url = new URL(hub);
  } catch {
    return `This site's config.json gives no Hub address this page can read${hub ? ` (“${hub.slice(0, 80)}”)` : ""}, so it downloads no weights, from huggingface.co or elsewhere; its publisher must set "hub" to an https: URL.`;
  }
  const loopback = url.hostname === "localhost" || url.hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  if (url.protocol === "https:" || (url.protocol === "http:" && loopback)) return "";
  return `This site's Hub address ${url.origin} is not an https: URL, so the page downloads no weights from it, nor from huggingface.co in its place; its publisher must set "hub" in config.json to an https: URL.`;
}

/**
 * What checks the downloads, in one sentence for the page: the publisher's hashes (the site was
 * written with ``--lock``) or the Hub's own.
 * @param {{hub: Where | null, browser?: string | null}[]} variants The catalog's variants.
 * @returns {string}
 */
export function checkedBy(variants) {
  const runnable = variants.filter((v) => v.hub && !v.browser);
  const pinned = runnable.filter((v) => v.hub?.sha256).length;
  if (pinned && pinned === runnable.length) return "Each download is checked against the publisher's hashes.";
  if (pinned) return "Each download is checked against the publisher's hashes where this site pins them, else against the Hub's.";
  return "Each download is checked against the Hub's hashes (this site pins none of its own).";
}

/**
 * @typedef {{repo: string, file: string, sha256?: string | null, size?: number | null, revision?: string | null}} Where
 *   The catalog's ``hub`` entry of a variant; ``sha256``, ``size`` and ``revision`` where the site
 *   was written with a lock.
 */
/**
 * @typedef {{sha256?: string | null, size?: number | null, revision?: string | null}} Expected
 *   What the publisher pinned (the catalog's, from the lock).
 */
/** @typedef {(done: number, total: number | null) => void} Progress */
/**
 * @typedef {{match: (url: string) => Promise<Response | undefined>, put: (url: string, response: Response) => Promise<void>,
 *   delete?: (url: string) => Promise<boolean>, keys?: () => Promise<readonly (Request | string)[]>}} Kept
 */
/**
 * @typedef {{fetcher: typeof fetch, caches: {open: (name: string) => Promise<Kept>} | undefined,
 *   storage?: {persist?: () => Promise<boolean>}}} Io
 *   The network, Cache Storage, and the storage manager asked to persist what is kept (default:
 *   ``navigator.storage`` where the page has one).
 */
/**
 * @typedef {{bytes: Uint8Array<ArrayBuffer>, note: string, kept: boolean}} Fetched The file; a sentence
 *   for the visitor when it could not be kept (``""`` otherwise); whether it is in Cache Storage now
 *   (a worker, which has no ``persist()``, tells the page, which then calls {@link askToPersist}).
 */

/**
 * The file's address on the Hub, at a revision (a commit the publisher pinned) or ``main``.
 * @param {string} hub The endpoint.
 * @param {Where} where
 * @param {string | null} [revision]
 * @returns {string}
 */
export const weightsUrl = (hub, where, revision) => `${hub}/${where.repo}/resolve/${revision || "main"}/${where.file}`;

/**
 * What the Hub says the file is: its SHA-256 and size, from the repo's tree (the API
 * ``list_repo_tree`` reads). The download itself cannot tell: a browser follows the Hub's redirect
 * to its CDN and sees only the CDN's headers.
 * @param {typeof fetch} fetcher
 * @param {string} hub
 * @param {Where} where
 * @param {string | null} [revision]
 * @param {AbortSignal} [signal]
 * @returns {Promise<{sha256: string | null, size: number | null}>}
 * @throws {Error} One sentence: the Hub cannot be reached or has no such repo or file.
 */
export async function fileInfo(fetcher, hub, where, revision, signal) {
  /** @type {Response} */
  let response;
  try {
    response = await fetcher(`${hub}/api/models/${where.repo}/tree/${revision || "main"}`, { signal });
  } catch {
    signal?.throwIfAborted();
    throw new Error(`The Hub cannot be reached for ${where.repo}; check the connection and try again.`);
  }
  if (response.status === 404) throw new Error(`The Hub has no repo ${where.repo}; this model cannot run here.`);
  if (!response.ok) throw new Error(`The Hub answered ${response.status} for ${where.repo}; try again later.`);
  /** @type {{path?: string, size?: number, lfs?: {oid?: string, size?: number}}[]} */
  const tree = await response.json().catch(() => []);
  const entry = Array.isArray(tree) ? tree.find((e) => e.path === where.file) : undefined;
  if (!entry) throw new Error(`The Hub has no weights file in ${where.repo}; this model cannot run here.`);
  const sha = entry.lfs?.oid ?? null;
  return { sha256: sha && /^[0-9a-f]{64}$/.test(sha) ? sha : null, size: entry.lfs?.size ?? entry.size ?? null };
}

/**
 * The weights file's bytes: from Cache Storage if they are there and still what the catalog pins,
 * else downloaded into one buffer of the announced size, checked (against the publisher's SHA-256
 * and size where the catalog has them, else against the Hub's tree), and kept. A kept file that
 * fails its check is removed and downloaded again. After a file is first kept, the page asks once
 * for persistent storage.
 *
 * @param {Io} io
 * @param {string} hub The endpoint.
 * @param {Where} where The catalog's ``hub`` entry.
 * @param {{progress?: Progress, signal?: AbortSignal, expected?: Expected}} [options] ``expected``: what
 *   the catalog pins (``{sha256, size, revision}``), else taken from ``where``; ``signal`` aborts the
 *   request and the read (the promise then rejects with the signal's reason).
 * @returns {Promise<Fetched>} The bytes, and a sentence when they could not be kept (storage full,
 *   size unknown) or ``""``.
 * @throws {Error} One sentence: the Hub setting is refused, the Hub cannot be reached or has no
 *   such file, the bytes are not the pinned or announced ones, or this device lacks the memory.
 */
export const weights = (io, hub, where, options = {}) => fetchWeights(io, hub, where, options);

/**
 * Remove the variant's kept file from Cache Storage, at whatever revision it was kept (the worker
 * calls this when a session cannot be made from kept bytes).
 * @param {Io} io
 * @param {string} hub The endpoint.
 * @param {Where} where The catalog's ``hub`` entry.
 * @returns {Promise<boolean>} Whether anything was removed.
 */
export async function forget(io, hub, where) {
  const cache = await openCache(io.caches);
  if (!cache?.delete) return false;
  const urls = new Set([weightsUrl(hub, where, where.revision)]);
  const prefix = `${hub}/${where.repo}/resolve/`;
  for (const key of (await cache.keys?.().catch(() => [])) ?? []) {
    const url = typeof key === "string" ? key : key.url;
    if (url.startsWith(prefix) && url.endsWith(`/${where.file}`)) urls.add(url);
  }
  let removed = false;
  for (const url of urls) removed = (await cache.delete(url).catch(() => false)) || removed;
  return removed;
}

/**
 * @param {Io} io
 * @param {string} hub
 * @param {Where} where
 * @param {{progress?: Progress, signal?: AbortSignal, expected?: Expected}} options
 * @returns {Promise<Fetched>}
 */
async function fetchWeights(io, hub, where, { progress, signal, expected }) {
  const problem = hubProblem(hub);
  if (problem) throw new Error(problem);
  const pin = expected ?? where;
  const name = where.repo;
  const url = weightsUrl(hub, where, pin.revision);
  signal?.throwIfAborted();
  const cache = await openCache(io.caches);
  const kept = cache ? await fromCache(io, hub, where, cache, url, pin, signal) : undefined;
  if (kept) return { bytes: kept, note: "", kept: true };
  const truth = pin.sha256 ? { sha256: pin.sha256, size: pin.size ?? null } : await fileInfo(io.fetcher, hub, where, pin.revision, signal);
  const publisher = Boolean(pin.sha256);
  /** @type {Response} */
  let response;
  try {
    response = await io.fetcher(url, { signal });
  } catch {
    signal?.throwIfAborted();
    throw new Error(`The Hub cannot be reached for ${name}; check the connection and try again.`);
  }
  if (response.status === 404) throw new Error(`The Hub has no weights file in ${name}; this model cannot run here.`);
  if (!response.ok) throw new Error(`The Hub answered ${response.status} for ${name}; try again later.`);
  const size = truth.size ?? announcedLength(response);
  const { bytes, hash } = await readInto(response, size, name, signal, (done) => progress?.(done, size));
  if (truth.sha256 && hash !== truth.sha256) {
    throw new Error(publisher
      ? `The weights of ${name} are not the file this site's publisher pinned (their SHA-256 differs), so they were not used or kept; try again later, and tell the site's publisher if it lasts.`
      : `The weights of ${name} arrived damaged (their SHA-256 is not the Hub's); try again.`);
  }
  if (size === null) {
    return { bytes, note: `Nobody announced the size of ${name}'s weights, so this page did not keep them: the next visit downloads them again.`, kept: false };
  }
  const note = cache ? await keep(cache, url, bytes, hash, name) : "";
  if (cache && !note) askToPersist(io.storage);
  return { bytes, note, kept: Boolean(cache && !note) };
}

/**
 * A kept file, if it is still what the catalog pins (the SHA-256 it was checked against when kept,
 * and its size); one that is not is removed, so that it is downloaded again.
 * @param {Io} io
 * @param {string} hub
 * @param {Where} where
 * @param {Kept} cache
 * @param {string} url
 * @param {Expected} pin
 * @param {AbortSignal} [signal]
 * @returns {Promise<Uint8Array<ArrayBuffer> | undefined>}
 */
async function fromCache(io, hub, where, cache, url, pin, signal) {
  const kept = await cache.match(url).catch(() => undefined);
  if (!kept) return undefined;
  const checked = kept.headers.get(CHECKED);
  const length = announcedLength(kept);
  const size = pin.size ?? length;
  if ((pin.sha256 && checked !== pin.sha256) || (size !== null && length !== null && length !== size)) {
    await forget(io, hub, where);
    return undefined;
  }
  /** @type {ArrayBuffer} */
  let buffer;
  try {
    buffer = await abortable(kept.arrayBuffer(), signal);
  } catch (error) {
    signal?.throwIfAborted();
    if (error instanceof RangeError) throw new Error(outOfMemory(where.repo, size));
    await forget(io, hub, where);
    return undefined;
  }
  if (size !== null && buffer.byteLength !== size) {
    await forget(io, hub, where);
    return undefined;
  }
  return new Uint8Array(buffer);
}

/**
 * Keep a checked file in Cache Storage, written in slices of the one buffer (no copy of the whole),
 * with its size and the SHA-256 it was checked against.
 * @param {Kept} cache
 * @param {string} url
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @param {string} hash
 * @param {string} name
 * @returns {Promise<string>} ``""``, or the sentence that says why it was not kept.
 */
async function keep(cache, url, bytes, hash, name) {
  let at = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) { controller.close(); return; }
      controller.enqueue(bytes.subarray(at, at + PIECE));
      at += PIECE;
    },
  });
  const headers = { "content-length": String(bytes.byteLength), "content-type": "application/octet-stream", [CHECKED]: hash };
  try {
    await cache.put(url, new Response(body, { headers }));
  } catch (error) {
    if (error instanceof DOMException && error.name === "QuotaExceededError") {
      return `This device's storage for this site is full, so ${name} was not kept: it runs for this visit and the next visit downloads it again; remove models kept here (Model comparison) or clear this site's data to free space.`;
    }
    return `This browser did not keep ${name} (${String(/** @type {Error} */ (error)?.message ?? error).slice(0, 80)}), so the next visit downloads it again.`;
  }
  return "";
}

/** @type {WeakSet<object>} the storage managers asked already (once a visit) */
const asked = new WeakSet();

/**
 * Ask once a visit for persistent storage, so the browser does not evict kept weights under pressure
 * (the answer changes nothing here; the browser may ask the visitor). A page has it; a worker does
 * not (``persist()`` is the window's), so the page calls this when its worker says a file was kept.
 * @param {{persist?: () => Promise<boolean>}} [storage] Default: ``navigator.storage``.
 */
export function askToPersist(storage = /** @type {any} */ (globalThis.navigator)?.storage) {
  if (!storage || typeof storage.persist !== "function" || asked.has(storage)) return;
  asked.add(storage);
  storage.persist().catch(() => undefined);
}

/**
 * The weights' cache, or undefined where the browser keeps none for this page (a frame on another
 * site may be refused storage). The one way the page opens it.
 * @template T
 * @param {{open: (name: string) => Promise<T>, has?: (name: string) => Promise<boolean>} | undefined} caches
 * @param {{make?: boolean}} [options] ``make: false``: where nothing is kept yet, an empty cache
 *   that is not made (looking at what is kept makes nothing).
 * @returns {Promise<T | undefined>}
 */
export async function openCache(caches, { make = true } = {}) {
  try {
    if (!caches) return undefined;
    if (!make && caches.has && !(await caches.has(CACHE_NAME))) {
      return /** @type {T} */ (/** @type {unknown} */ ({ keys: async () => [], match: async () => undefined, delete: async () => false }));
    }
    return await caches.open(CACHE_NAME);
  } catch {
    return undefined;
  }
}
