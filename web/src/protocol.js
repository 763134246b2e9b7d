// @ts-check
/**
 * What the page and its network worker (``worker.js``) say to each other, and the two halves of
 * cancellation, pure so that Node tests them: ``Jobs`` on the page (a job's promise, its progress
 * while it is wanted, a cancel sent when its signal aborts) and ``Serial`` in the worker (one job at
 * a time; a job whose signal aborted before its turn never starts).
 *
 * Page → worker: ``{type: "init", setup}``, ``{type: "load", job, id}``,
 * ``{type: "run", job, id, input, fc}`` (``input``'s buffer transferred; ``fc``: send the ``fc`` weights),
 * ``{type: "batch", job, id, input, n}`` (``n`` images' tensors in one buffer, transferred), ``{type: "cancel", job}``.
 * Worker → page: ``{type: "progress", job, done, total}``, ``{type: "done", job, result}``,
 * ``{type: "error", job, message, kind}`` (``kind``: ``"error"``, ``"oom"``, or ``"fresh"``: the job
 * fits only in a new worker, whose heap has not grown).
 * @module protocol
 */

/** @typedef {(done: number, total: number | null, stage?: string) => void} Progress ``stage``: what is being done, where a worker says. */
/** @typedef {{signal?: AbortSignal, progress?: Progress}} Options */
/** @typedef {"error" | "oom" | "fresh"} Kind */
/** @typedef {{type: "progress", job: number, done: number, total: number | null, stage?: string} | {type: "done", job: number, result: any}
 *   | {type: "error", job: number, message: string, kind: Kind}} Reply */

/** A job's error, with what kind of failure it was. */
export class JobError extends Error {
  /**
   * @param {string} message
   * @param {Kind} kind
   */
  constructor(message, kind) {
    super(message);
    this.kind = kind;
  }
}

/**
 * Why a signal aborted: its reason, else an ``AbortError``.
 * @param {AbortSignal} signal
 * @returns {unknown}
 */
export const abortReason = (signal) => signal.reason ?? new DOMException("The operation was aborted.", "AbortError");

/** The page's half: each job a promise, settled by the worker's reply or at once by its signal. */
export class Jobs {
  /** @param {(message: Record<string, any>, transfer: Transferable[]) => void} post To the worker. */
  constructor(post) {
    this.post = post;
    this.next = 1;
    /** @type {string | null} why no job can be sent any more (the worker is gone) */
    this.closed = null;
    /** @type {Map<number, {resolve: (v: any) => void, reject: (e: unknown) => void, progress?: Progress, signal?: AbortSignal, forget: () => void}>} */
    this.pending = new Map();
  }

  /**
   * Send a job; its promise settles with the worker's answer, or rejects with ``signal.reason`` as soon
   * as the signal aborts (the worker is told to drop it). Progress is reported only while it is wanted.
   * @param {Record<string, any>} message Without ``job``: it is added.
   * @param {Transferable[]} transfer
   * @param {Options} [options]
   * @returns {Promise<any>}
   */
  start(message, transfer, { signal, progress } = {}) {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.closed) return Promise.reject(new JobError(this.closed, "error"));
    const job = this.next++;
    return new Promise((resolve, reject) => {
      const abort = () => {
        if (!this.pending.delete(job)) return;
        this.post({ type: "cancel", job }, []);
        reject(abortReason(/** @type {AbortSignal} */ (signal)));
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.pending.set(job, { resolve, reject, progress, signal, forget: () => signal?.removeEventListener("abort", abort) });
      this.post({ ...message, job }, transfer);
    });
  }

  /**
   * A reply from the worker.
   * @param {Reply} reply
   */
  receive(reply) {
    const entry = this.pending.get(reply.job);
    if (!entry) return; // a job given up: nothing more is said of it
    if (reply.type === "progress") {
      if (!entry.signal?.aborted) entry.progress?.(reply.done, reply.total, reply.stage);
      return;
    }
    this.pending.delete(reply.job);
    entry.forget();
    if (reply.type === "done") entry.resolve(reply.result);
    else entry.reject(new JobError(reply.message, reply.kind));
  }

  /**
   * Every job still waiting, and every later one, fails with one sentence (the worker is gone).
   * @param {string} message
   */
  failAll(message) {
    this.closed = message;
    for (const [job, entry] of this.pending) {
      this.pending.delete(job);
      entry.forget();
      entry.reject(new JobError(message, "error"));
    }
  }
}

/** The worker's half: one job at a time, in order; a job aborted before its turn never starts. */
export class Serial {
  constructor() {
    /** @type {Promise<unknown>} */
    this.tail = Promise.resolve();
  }

  /**
   * Queue a task after every task before it.
   * @template T
   * @param {AbortSignal} signal
   * @param {(signal: AbortSignal) => Promise<T>} task
   * @returns {Promise<T>} Rejects with the signal's reason if it aborted before the task's turn.
   */
  add(signal, task) {
    const turn = this.tail.then(() => {
      if (signal.aborted) throw abortReason(signal);
      return task(signal);
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
