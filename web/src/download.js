// @ts-check
/**
 * A download's body into one buffer of its announced size, allocated before the first byte and
 * hashed as the chunks arrive, so the download costs its own size in memory and no second copy: more
 * bytes than announced are refused, fewer are a cut-off download, and a size this device cannot
 * allocate is its own sentence. Aborting the signal stops the read at once.
 * @module download
 */

import { Sha256 } from "./sha256.js";
import { outOfMemory } from "./budget.js";

/**
 * A response's length as its server announced it, or null (none, or one for encoded bytes).
 * @param {Response} response
 * @returns {number | null}
 */
export function announcedLength(response) {
  const encoding = response.headers.get("content-encoding");
  const length = Number(response.headers.get("content-length") ?? NaN);
  return (!encoding || encoding === "identity") && Number.isSafeInteger(length) && length >= 0 ? length : null;
}

/**
 * Read a response's body into one buffer of the announced size, hashing it as it comes; with no
 * size announced, the chunks are joined once at the end.
 * @param {Response} response
 * @param {number | null} size
 * @param {string} name
 * @param {AbortSignal | undefined} signal
 * @param {(done: number) => void} report
 * @returns {Promise<{bytes: Uint8Array<ArrayBuffer>, hash: string}>}
 */
export async function readInto(response, size, name, signal, report) {
  const out = size === null ? null : allocate(size, name);
  /** @type {Uint8Array[]} */
  const parts = [];
  const hasher = new Sha256();
  let done = 0;
  let larger = false;
  const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body ?? new Response(new Uint8Array(0)).body).getReader();
  try {
    for (;;) {
      const { value, done: finished } = await abortable(reader.read(), signal);
      if (finished) break;
      if (out && done + value.byteLength > out.byteLength) { larger = true; break; }
      if (out) out.set(value, done);
      else parts.push(value);
      hasher.update(value);
      done += value.byteLength;
      report(done);
    }
  } catch {
    reader.cancel().catch(() => undefined);
    signal?.throwIfAborted();
    throw new Error(`The download of ${name} broke off after ${done} bytes; check the connection and try again.`);
  }
  if (larger) {
    reader.cancel().catch(() => undefined);
    throw new Error(`The download of ${name} is larger than announced (more than ${size} bytes), so it was not used; try again.`);
  }
  if (out && done !== out.byteLength) {
    throw new Error(`The download of ${name} was cut off (${done} of ${size} bytes); try again.`);
  }
  return { bytes: out ?? join(parts, done, name), hash: hasher.hex() };
}

/**
 * The chunks of a download whose size nobody announced, in one buffer.
 * @param {Uint8Array[]} parts
 * @param {number} size
 * @param {string} name
 * @returns {Uint8Array<ArrayBuffer>}
 */
function join(parts, size, name) {
  const out = allocate(size, name);
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.byteLength; }
  return out;
}

/**
 * A buffer for a download, or the sentence that this device lacks the memory.
 * @param {number} size
 * @param {string} name
 * @returns {Uint8Array<ArrayBuffer>}
 */
function allocate(size, name) {
  try {
    return new Uint8Array(size);
  } catch {
    throw new Error(outOfMemory(name, size));
  }
}

/**
 * A promise that rejects with the signal's reason as soon as it aborts.
 * @template T
 * @param {Promise<T>} promise
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<T>}
 */
export function abortable(promise, signal) {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}
