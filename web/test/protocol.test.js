// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { JobError, Jobs, Serial } from "../src/protocol.js";

/** Jobs whose worker is a list of what was posted. */
function jobs() {
  /** @type {{message: Record<string, any>, transfer: Transferable[]}[]} */
  const sent = [];
  return { sent, jobs: new Jobs((message, transfer) => sent.push({ message, transfer })) };
}

test("a job settles with the worker's answer, its progress reported on the way", async () => {
  const { sent, jobs: j } = jobs();
  /** @type {[number, number | null][]} */
  const heard = [];
  const input = new Float32Array(4);
  const done = j.start({ type: "run", id: "a", input }, [input.buffer], { progress: (d, t) => heard.push([d, t]) });
  assert.equal(sent[0].message.type, "run");
  assert.deepEqual(sent[0].transfer, [input.buffer]);
  const job = sent[0].message.job;
  j.receive({ type: "progress", job, done: 5, total: 10 });
  j.receive({ type: "done", job, result: 42 });
  assert.equal(await done, 42);
  assert.deepEqual(heard, [[5, 10]]);
  assert.equal(j.pending.size, 0);
});

test("a failure is one sentence with its kind", async () => {
  const { sent, jobs: j } = jobs();
  const done = j.start({ type: "load", id: "a" }, []);
  j.receive({ type: "error", job: sent[0].message.job, message: "This device ran out of memory for a.", kind: "oom" });
  await assert.rejects(done, (e) => e instanceof JobError && e.kind === "oom" && e.message === "This device ran out of memory for a.");
});

test("a job given up rejects at once with the signal's reason, tells the worker, and hears nothing more", async () => {
  const { sent, jobs: j } = jobs();
  const controller = new AbortController();
  /** @type {number[]} */
  const heard = [];
  const done = j.start({ type: "load", id: "big" }, [], { signal: controller.signal, progress: (d) => heard.push(d) });
  const job = sent[0].message.job;
  j.receive({ type: "progress", job, done: 1, total: 9 });
  controller.abort(new DOMException("another model was chosen", "AbortError"));
  await assert.rejects(done, (e) => e instanceof DOMException && e.name === "AbortError" && e.message === "another model was chosen");
  assert.deepEqual(sent[1].message, { type: "cancel", job });
  j.receive({ type: "progress", job, done: 2, total: 9 }); // the worker had not heard yet
  j.receive({ type: "done", job, result: "late" });
  assert.deepEqual(heard, [1]);
  assert.equal(j.pending.size, 0);
});

test("when the worker is gone, waiting and later jobs fail in one sentence", async () => {
  const { sent, jobs: j } = jobs();
  const waiting = j.start({ type: "load", id: "a" }, []);
  j.failAll("The network's worker stopped; reload the page.");
  await assert.rejects(waiting, { message: "The network's worker stopped; reload the page." });
  await assert.rejects(j.start({ type: "load", id: "b" }, []), { message: "The network's worker stopped; reload the page." });
  assert.equal(sent.length, 1);
});

test("a job whose signal has already aborted is never sent", async () => {
  const { sent, jobs: j } = jobs();
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(j.start({ type: "run", id: "a" }, [], { signal: controller.signal }), { name: "AbortError" });
  assert.deepEqual(sent, []);
});

test("in the worker, jobs run one at a time in order, and one given up before its turn never starts", async () => {
  const serial = new Serial();
  /** @type {string[]} */
  const log = [];
  /** @type {(v?: unknown) => void} */
  let finishFirst = () => {};
  const first = new AbortController(), second = new AbortController(), third = new AbortController();
  const a = serial.add(first.signal, async (signal) => {
    log.push("a starts");
    await new Promise((resolve) => { finishFirst = resolve; signal.addEventListener("abort", resolve); });
    log.push(signal.aborted ? "a stops" : "a ends");
    if (signal.aborted) throw signal.reason;
    return "a";
  });
  const b = serial.add(second.signal, async () => { log.push("b starts"); return "b"; });
  const c = serial.add(third.signal, async () => { log.push("c starts"); return "c"; });
  await new Promise((r) => setTimeout(r, 0));
  second.abort(); // queued behind a: never starts
  first.abort(); // under way: stopped (a download's fetch sees the same signal)
  await assert.rejects(a, { name: "AbortError" });
  await assert.rejects(b, { name: "AbortError" });
  assert.equal(await c, "c");
  assert.deepEqual(log, ["a starts", "a stops", "c starts"]);
  finishFirst();
});
