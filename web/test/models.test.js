// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { Models } from "../src/models.js";
import { outOfMemory } from "../src/budget.js";

/**
 * A stand-in for the network's worker: answers each job with ``reply(message, worker)``.
 * @param {(message: any, worker: FakeWorker) => any} reply What to post back for a job (null: nothing yet).
 */
class FakeWorker {
  /** @param {(message: any, worker: FakeWorker) => any} reply */
  constructor(reply) {
    this.reply = reply;
    /** @type {any[]} */
    this.received = [];
    this.terminated = false;
    /** @type {((event: {data: any}) => void) | null} */
    this.onmessage = null;
    /** @type {any} */
    this.onerror = null;
  }

  /** @param {any} message */
  postMessage(message) {
    this.received.push(message);
    if (message.type === "init" || message.type === "cancel") return;
    const answer = this.reply(message, this);
    if (answer) queueMicrotask(() => this.onmessage?.({ data: { job: message.job, ...answer } }));
  }

  terminate() { this.terminated = true; }
}

const variants = new Map([["a", /** @type {any} */ ({ id: "a", hub: { repo: "timm/a", file: "model.safetensors" }, browser: null })]]);
const where = { runtime: "http://x/ort/", graphs: "http://x/models/", hub: "http://hub", bound: { bytes: 2 ** 30, why: "test" },
  features: { isolated: true, threads: 2, webgpu: false, keeps: true, framed: false } };
const result = (/** @type {boolean} */ fc) => ({ type: "done", result: { logits: new Float32Array([0, Math.log(3)]),
  features: new Float32Array(4), featureShape: [1, 2, 2], ms: 7, backend: "wasm", fcWeight: fc ? new Float32Array([1, 2]) : null,
  note: "", stored: false } });

test("a run posts a copy of the input, and returns the probabilities, the features and the fc weights, kept once had", async () => {
  /** @type {FakeWorker[]} */
  const workers = [];
  const times = new Map();
  const models = new Models(variants, where, times, () => /** @type {any} */ (workers[workers.push(new FakeWorker((m) => result(m.fc))) - 1]));
  const input = new Float32Array(3 * 2 * 2).fill(0.5);
  const first = await models.run("a", input);
  assert.equal(input.length, 12); // the caller's array is still whole
  assert.deepEqual([...first.probabilities].map((p) => p.toFixed(6)), ["0.250000", "0.750000"]);
  assert.deepEqual([...first.fcWeight], [1, 2]);
  const second = await models.run("a", input);
  assert.equal(second.fcWeight, first.fcWeight);
  const runs = workers[0].received.filter((m) => m.type === "run");
  assert.deepEqual(runs.map((m) => m.fc), [true, false]); // the fc weights cross once
  assert.notEqual(runs[0].input, input);
  assert.deepEqual(times.get("a"), [7, 7]);
  assert.equal(workers[0].received[0].type, "init");
  assert.deepEqual(workers[0].received[0].setup.bound, where.bound);
});

test("a job that fits only a fresh heap goes once to a new worker; the old one ends", async () => {
  /** @type {FakeWorker[]} */
  const workers = [];
  const models = new Models(variants, where, new Map(), () => {
    const n = workers.length;
    const w = new FakeWorker(() => (n === 0 ? { type: "error", message: "a needs a fresh worker.", kind: "fresh" } : { type: "done", result: { backend: "wasm", note: "", stored: false } }));
    workers.push(w);
    return /** @type {any} */ (w);
  });
  assert.deepEqual(await models.load("a"), { backend: "wasm", note: "" });
  assert.equal(workers.length, 2);
  assert.equal(workers[0].terminated, true);
});

test("out of memory is its sentence, and the next job gets a new worker", async () => {
  /** @type {FakeWorker[]} */
  const workers = [];
  const oom = outOfMemory("a");
  const models = new Models(variants, where, new Map(), () => {
    const n = workers.length;
    const w = new FakeWorker(() => (n === 0 ? { type: "error", message: oom, kind: "oom" } : { type: "done", result: { backend: "wasm", note: "", stored: false } }));
    workers.push(w);
    return /** @type {any} */ (w);
  });
  await assert.rejects(models.load("a"), { message: oom });
  assert.equal(workers.length, 2);
  assert.deepEqual(await models.load("a"), { backend: "wasm", note: "" });
});

test("a job given up rejects with its signal's reason and the worker is told", async () => {
  /** @type {FakeWorker[]} */
  const workers = [];
  const models = new Models(variants, where, new Map(), () => /** @type {any} */ (workers[workers.push(new FakeWorker(() => null)) - 1]));
  const controller = new AbortController();
  const load = models.load("a", { signal: controller.signal });
  controller.abort(new DOMException("another photo was chosen", "AbortError"));
  await assert.rejects(load, { name: "AbortError", message: "another photo was chosen" });
  assert.deepEqual(workers[0].received.at(-1), { type: "cancel", job: 1 });
});
