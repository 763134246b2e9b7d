// @ts-check
/**
 * Weights from the Hugging Face Hub, as the library takes them: timm's ``model.safetensors`` in the
 * repo derived from the variant's timm name, fetched once (CORS) and kept in Cache Storage, so a
 * second visit downloads nothing. The bytes are checked against the SHA-256 the Hub gives for an
 * LFS file (its ``X-Linked-Etag``), as ``resnext`` checks the same file.
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

/**
 * The file's address on the Hub.
 * @param {string} hub The endpoint.
 * @param {{repo: string, file: string}} where The catalog's ``hub`` entry of a variant.
 * @returns {string}
 */
export const weightsUrl = (hub, where) => `${hub}/${where.repo}/resolve/main/${where.file}`;

/**
 * The weights file's bytes: from Cache Storage if they are there, else downloaded, checked and kept.
 * @param {{fetcher: typeof fetch, caches: {open: (name: string) => Promise<{match: (url: string) => Promise<Response | undefined>, put: (url: string, response: Response) => Promise<void>}>} | undefined, digest: (data: Uint8Array<ArrayBuffer>) => Promise<string>}} io
 * @param {string} url
 * @param {string} name What messages call the file (its repo).
 * @param {(done: number, total: number | null) => void} [progress]
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 * @throws {Error} One sentence: the Hub could not be reached, has no such file, or sent other bytes.
 */
export async function weights(io, url, name, progress) {
  const cache = io.caches ? await io.caches.open(CACHE_NAME) : undefined;
  const kept = cache ? await cache.match(url) : undefined;
  if (kept) return new Uint8Array(await kept.arrayBuffer());
  /** @type {Response} */
  let response;
  try {
    response = await io.fetcher(url);
  } catch {
    throw new Error(`The Hub cannot be reached for ${name}; check the connection and try again.`);
  }
  if (response.status === 404) throw new Error(`The Hub has no weights file in ${name}; this model cannot run here.`);
  if (!response.ok) throw new Error(`The Hub answered ${response.status} for ${name}; try again later.`);
  const expected = (response.headers.get("x-linked-etag") ?? response.headers.get("etag") ?? "").replaceAll('"', "");
  const total = Number(response.headers.get("content-length")) || null;
  const bytes = await readAll(response, (done) => progress?.(done, total));
  if (total !== null && bytes.byteLength !== total) {
    throw new Error(`The download of ${name} was cut off (${bytes.byteLength} of ${total} bytes); try again.`);
  }
  if (/^[0-9a-f]{64}$/.test(expected) && (await io.digest(bytes)) !== expected) {
    throw new Error(`The weights of ${name} arrived damaged (their SHA-256 is not the Hub's); try again.`);
  }
  if (cache) await cache.put(url, new Response(bytes));
  return bytes;
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
