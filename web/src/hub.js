// @ts-check
/**
 * Weights from the Hugging Face Hub, as the library takes them: timm's ``model.safetensors`` in the
 * repo derived from the variant's timm name, fetched once (CORS) and kept in Cache Storage, so a
 * second visit downloads nothing. The bytes are checked against the size and SHA-256 the Hub gives
 * for the LFS file, as ``resnext`` checks the same file.
 * @module hub
 */

export const DEFAULT_HUB = "https://huggingface.co";
export const CACHE_NAME = "resnext-weights-v1";

/**
 * The Hub's address from the built site's ``config.json`` (beside ``index.html``), else the default.
 * @param {typeof fetch} fetcher
 * @param {string} [url]
 * @returns {Promise<string>}
 */
export async function hubEndpoint(fetcher, url = "config.json") {
  try {
    const response = await fetcher(url);
    if (!response.ok) return DEFAULT_HUB;
    const config = await response.json();
    return typeof config.hub === "string" && config.hub ? config.hub.replace(/\/+$/, "") : DEFAULT_HUB;
  } catch {
    return DEFAULT_HUB;
  }
}

/** @typedef {{repo: string, file: string}} Where The catalog's ``hub`` entry of a variant. */

/**
 * The file's address on the Hub.
 * @param {string} hub The endpoint.
 * @param {Where} where
 * @returns {string}
 */
export const weightsUrl = (hub, where) => `${hub}/${where.repo}/resolve/main/${where.file}`;

/**
 * What the Hub says the file is: its SHA-256 and size, from the repo's tree (the API
 * ``list_repo_tree`` reads). The download itself cannot tell: a browser follows the Hub's redirect
 * to its CDN and sees only the CDN's headers.
 * @param {typeof fetch} fetcher
 * @param {string} hub
 * @param {Where} where
 * @returns {Promise<{sha256: string | null, size: number | null}>}
 * @throws {Error} One sentence: the Hub cannot be reached or has no such repo or file.
 */
export async function fileInfo(fetcher, hub, where) {
  /** @type {Response} */
  let response;
  try {
    response = await fetcher(`${hub}/api/models/${where.repo}/tree/main`);
  } catch {
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
 * The weights file's bytes: from Cache Storage if they are there, else downloaded, checked against
 * what the Hub says of them, and kept.
 * @param {{fetcher: typeof fetch, caches: {open: (name: string) => Promise<{match: (url: string) => Promise<Response | undefined>, put: (url: string, response: Response) => Promise<void>}>} | undefined, digest: (data: Uint8Array<ArrayBuffer>) => Promise<string>}} io
 * @param {string} hub The endpoint.
 * @param {Where} where
 * @param {(done: number, total: number | null) => void} [progress]
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 * @throws {Error} One sentence: the Hub could not be reached, has no such file, or sent other bytes.
 */
export async function weights(io, hub, where, progress) {
  const url = weightsUrl(hub, where);
  const name = where.repo;
  const cache = await openCache(io.caches);
  const kept = cache ? await cache.match(url) : undefined;
  if (kept) return new Uint8Array(await kept.arrayBuffer());
  const expected = await fileInfo(io.fetcher, hub, where);
  /** @type {Response} */
  let response;
  try {
    response = await io.fetcher(url);
  } catch {
    throw new Error(`The Hub cannot be reached for ${name}; check the connection and try again.`);
  }
  if (response.status === 404) throw new Error(`The Hub has no weights file in ${name}; this model cannot run here.`);
  if (!response.ok) throw new Error(`The Hub answered ${response.status} for ${name}; try again later.`);
  const total = expected.size ?? (Number(response.headers.get("content-length")) || null);
  const bytes = await readAll(response, (done) => progress?.(done, total));
  if (total !== null && bytes.byteLength !== total) {
    throw new Error(`The download of ${name} was cut off (${bytes.byteLength} of ${total} bytes); try again.`);
  }
  if (expected.sha256 && (await io.digest(bytes)) !== expected.sha256) {
    throw new Error(`The weights of ${name} arrived damaged (their SHA-256 is not the Hub's); try again.`);
  }
  await cache?.put(url, new Response(bytes)).catch(() => undefined); // full storage: the next visit downloads again
  return bytes;
}

/**
 * The weights' cache, or undefined where the browser keeps none for this page (a frame on another
 * site may be refused storage).
 * @template T
 * @param {{open: (name: string) => Promise<T>} | undefined} caches
 * @returns {Promise<T | undefined>}
 */
export async function openCache(caches) {
  try {
    return caches ? await caches.open(CACHE_NAME) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A response's body, whole, reporting the bytes as they come.
 * @param {Response} response
 * @param {(done: number) => void} report
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 */
async function readAll(response, report) {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  /** @type {Uint8Array[]} */
  const parts = [];
  let done = 0;
  for (;;) {
    const { value, done: finished } = await reader.read();
    if (finished) break;
    parts.push(value);
    done += value.byteLength;
    report(done);
  }
  const out = new Uint8Array(done);
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.byteLength; }
  return out;
}

/**
 * SHA-256 of bytes as hex, with the browser's (and Node's) Web Crypto.
 * @param {Uint8Array<ArrayBuffer>} data
 * @returns {Promise<string>}
 */
export async function sha256(data) {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}
