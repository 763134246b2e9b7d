// @ts-check
/**
 * Memory by bytes, sized to the device: how much this page may give the network, what a session of a
 * variant costs, which kept sessions go (least recently used first) to make room for another, and a
 * variant refused, before any download, where it cannot fit. Pure: the worker holds the one ``Kept``.
 *
 * What is counted: the runtime's own heap; each kept session's weights (copied into the runtime's
 * heap, or into the GPU's buffers) and its working memory; and, while a session is made, the
 * downloaded file beside it. The WebAssembly heap only grows (a released session's bytes are
 * reused, never given back), so its high-water mark is kept too: a load must fit beside it.
 * @module budget
 */

import { formatBytes } from "./bytes.js";

export const MB = 2 ** 20;
export const GB = 2 ** 30;
/** iOS kills a tab near 1.5 GB; where the browser does not say how much memory it has, assume as little. */
export const CONSERVATIVE = 1 * GB;
/** WebAssembly's 32-bit heap is 4 GB at most; the page and the photo need the rest. */
export const CEILING = 3 * GB;
/** The runtime's heap before any session (its code, threads' stacks, arenas). */
export const RUNTIME = 64 * MB;
/** A session's working memory: a ResNeXt-101's largest activations at 224 px and the runtime's arena. */
export const WORKING = 96 * MB;

/** @typedef {{bytes: number, why: string}} Bound What the page may use for the network, and on what grounds. */

/**
 * Whether the browser is on iOS or iPadOS (every browser there is Safari's engine; iPadOS says it is a Mac).
 * @param {string} userAgent
 * @param {number} [maxTouchPoints]
 * @returns {boolean}
 */
export const isIOS = (userAgent, maxTouchPoints = 0) =>
  /iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1);

/**
 * The memory this page may give the network on this device: half of ``navigator.deviceMemory`` (Chromium
 * reports 0.25 to 8 GB, rounded down), at most ``CEILING``; ``CONSERVATIVE`` where the browser does not
 * say, and on iOS whatever it says.
 * @param {{deviceMemory?: number, userAgent?: string, maxTouchPoints?: number}} nav ``navigator``.
 * @returns {Bound}
 */
export function deviceBound(nav) {
  if (isIOS(nav.userAgent ?? "", nav.maxTouchPoints)) return { bytes: CONSERVATIVE, why: "iOS closes a page near 1.5 GB" };
  const gb = Number(nav.deviceMemory);
  if (!(gb > 0)) return { bytes: CONSERVATIVE, why: "this browser does not say how much memory the device has" };
  return { bytes: Math.min(CEILING, (gb * GB) / 2), why: `this device has ${gb} GB` };
}

/**
 * What a variant's session costs: resident, once made; and the file beside it while it is made.
 * @param {number} fileSize The weights file's bytes (the catalog's ``file_size``).
 * @returns {{resident: number, transient: number}}
 */
export const sessionCost = (fileSize) => ({ resident: fileSize + WORKING, transient: fileSize });

/**
 * A variant's weights file in bytes: the catalog's ``file_size``, else four bytes a parameter.
 * @param {{file_size?: number | null, parameters?: number | null}} v
 * @returns {number}
 */
export const fileSizeOf = (v) => v.file_size ?? 4 * (v.parameters ?? 0);

/**
 * Why this device cannot hold a variant at all (the runtime, its session and the file beside it
 * while it loads), in one sentence; ``""`` where it can.
 * @param {string} id
 * @param {number} fileSize
 * @param {Bound} bound
 * @returns {string}
 */
export function refusal(id, fileSize, bound) {
  const { resident, transient } = sessionCost(fileSize);
  const need = RUNTIME + resident + transient;
  return need > bound.bytes ? `${id} needs about ${formatBytes(need)} of memory while it loads, more than this page may use here `
    + `(${formatBytes(bound.bytes)}: ${bound.why}), so it is not downloaded; pick a smaller model, or use the Python app.` : "";
}

/** A variant the device cannot hold: said before anything is downloaded. */
export class TooLarge extends Error {}

/** The device ran out of memory (not a fault of the file): its own sentence. */
export class OutOfMemory extends Error {}

/**
 * Whether an error is an allocation failure: a ``RangeError`` (``new ArrayBuffer``, a typed array,
 * ``WebAssembly.Memory.grow``) or the runtime's own (Emscripten's "Aborted(OOM)", "out of memory",
 * "bad_alloc", "Array buffer allocation failed").
 * @param {unknown} error
 * @returns {boolean}
 */
export function isOutOfMemory(error) {
  if (error instanceof OutOfMemory || error instanceof RangeError) return true;
  const text = String(/** @type {any} */ (error)?.message ?? error);
  return /\bOOM\b|out of memory|bad_alloc|allocation failed|Cannot enlarge memory|could not allocate/i.test(text);
}

/**
 * The out-of-memory sentence, the one the page says whether a download's buffer, a session or a run
 * found no memory.
 * @param {string} name The model (or, where only the file is known, its repo).
 * @param {number | null} [bytes] What could not be allocated, where known.
 * @returns {string}
 */
export const outOfMemory = (name, bytes = null) =>
  `This device ran out of memory for ${name}${bytes ? ` (${formatBytes(bytes)})` : ""}; close other tabs or apps, or pick a smaller model (the other models still work).`;

/** The sessions kept in memory, bounded by their bytes, least recently used first. */
export class Kept {
  /** @param {Bound} bound */
  constructor(bound) {
    this.bound = bound;
    /** @type {Map<string, number>} id → resident bytes, least recently used first */
    this.sessions = new Map();
    /** The heap's high-water mark: it never shrinks. */
    this.heap = RUNTIME;
  }

  /** @returns {number} The bytes of the runtime and its kept sessions. */
  get used() {
    let sum = RUNTIME;
    for (const bytes of this.sessions.values()) sum += bytes;
    return sum;
  }

  /**
   * Mark a kept session as used now.
   * @param {string} id
   */
  touch(id) {
    const bytes = this.sessions.get(id);
    if (bytes === undefined) return;
    this.sessions.delete(id);
    this.sessions.set(id, bytes);
  }

  /**
   * Before a variant's session is made (and before anything is downloaded): which kept sessions to
   * release, least recently used first, so that it fits.
   * @param {string} id
   * @param {number} fileSize
   * @returns {{evict: string[], fresh: boolean}} ``fresh``: it fits only in a new heap (this one has grown too far).
   * @throws {TooLarge} One sentence: the device cannot hold this variant at all.
   */
  plan(id, fileSize) {
    const refused = refusal(id, fileSize, this.bound);
    if (refused) throw new TooLarge(refused);
    const { resident, transient } = sessionCost(fileSize);
    const evict = [];
    let used = this.used;
    for (const [old, bytes] of this.sessions) {
      if (used + resident + transient <= this.bound.bytes) break;
      evict.push(old);
      used -= bytes;
    }
    return { evict, fresh: Math.max(this.heap, used + resident) + transient > this.bound.bytes };
  }

  /**
   * A session made and kept.
   * @param {string} id
   * @param {number} fileSize
   */
  add(id, fileSize) {
    this.sessions.delete(id);
    this.sessions.set(id, sessionCost(fileSize).resident);
    this.heap = Math.max(this.heap, this.used);
  }

  /**
   * A session released.
   * @param {string} id
   */
  remove(id) {
    this.sessions.delete(id);
  }
}
