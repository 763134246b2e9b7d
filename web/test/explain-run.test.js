// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { serve } from "../src/explain/job.js";
import { runExplanation } from "../src/explain/run.js";
import { occlusion } from "../src/explain/occlusion.js";
import { costLabel, images, remaining } from "../src/explain/cost.js";
import { RUNS, WHY_NOT } from "../src/explain/methods.js";
import { npy } from "../src/npy.js";
import { floats, standIn } from "./explain-fixtures.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/explain-occlusion.json", import.meta.url), "utf8"));
const faithful = JSON.parse(readFileSync(new URL("./fixtures/explain-faithfulness.json", import.meta.url), "utf8"));
const catalog = JSON.parse(readFileSync(new URL("../public/models/catalog.json", import.meta.url), "utf8"));
const shape = fixture.network.shape, input = floats(fixture.input), network = standIn(fixture.network);

/**
 * A worker that runs ``job.js``'s ``serve`` in this thread: messages cloned (transfers detach their buffers) and
 * delivered on a later turn, as a worker's are.
 */
function spawner() {
  const made = { workers: /** @type {any[]} */ ([]) };
  const spawn = () => {
    /** @type {any} */
    const page = { terminated: false, onmessage: null, onerror: null };
    /** @type {any} */
    const scope = { onmessage: null };
    const deliver = (/** @type {any} */ to, /** @type {any} */ message, /** @type {Transferable[]} */ transfer = []) => {
      const data = structuredClone(message, { transfer });
      setTimeout(() => { if (!page.terminated) to.onmessage?.({ data }); }, 0);
    };
    scope.postMessage = (/** @type {any} */ m, /** @type {Transferable[]} */ t) => deliver(page, m, t);
    page.postMessage = (/** @type {any} */ m, /** @type {Transferable[]} */ t) => deliver(scope, m, t);
    page.terminate = () => { page.terminated = true; };
    serve(scope);
    made.workers.push(page);
    return /** @type {Worker} */ (page);
  };
  return { made, spawn };
}

test("occlusion through its worker equals occlusion here, its batches asked of the page's network", async () => {
  const { spawn, made } = spawner();
  const fractions = /** @type {number[]} */ ([]), counts = /** @type {number[]} */ ([]);
  const viaPage = async (/** @type {Float32Array} */ images, /** @type {number} */ count) => { counts.push(count); return network(images, count); };
  const [c] = fixture.cases;
  const map = await runExplanation({ type: "occlusion", input: input.slice(), shape, classIndex: c.class, contrast: c.contrast },
    viaPage, { spawn, progress: (f) => fractions.push(f) });
  assert.deepEqual([...map], [...await occlusion(input, shape, network, c.class, c.contrast)]);
  assert.ok(counts.every((n) => n <= 16) && fractions.at(-1) === 1 && fractions[0] === 0);
  assert.ok(made.workers[0].terminated, "the worker is ended once its job is done");
});

test("faithfulness through its worker gives the library's areas within 1e-3", async () => {
  const [c] = faithful.cases, net = standIn(faithful.network);
  const { spawn } = spawner();
  const got = await runExplanation({ type: "faithfulness", input: floats(faithful.input), shape: faithful.network.shape,
    saliency: floats(c.saliency), classIndex: c.class }, async (images, count) => net(images, count), { spawn });
  if (c.steps === 16 && c.seed === 0) {
    assert.ok(Math.abs(got.deletion - c.deletion) < 1e-3 && Math.abs(got.randomInsertion - c.random_insertion) < 1e-3);
  }
  assert.equal(got.classIndex, c.class);
});

test("a run given up ends its worker and the network's job under way, and rejects with the signal's reason", async () => {
  const { spawn, made } = spawner();
  const controller = new AbortController();
  const reason = new DOMException("Cancelled.", "AbortError");
  /** @type {AbortSignal[]} */
  const seen = [];
  let calls = 0;
  const slow = (/** @type {Float32Array} */ images, /** @type {number} */ count, /** @type {AbortSignal} */ signal) => {
    calls++;
    seen.push(signal);
    if (calls === 2) controller.abort(reason);
    return new Promise((resolve) => setTimeout(() => resolve(network(images, count)), 5));
  };
  const [c] = fixture.cases;
  await assert.rejects(runExplanation({ type: "occlusion", input: input.slice(), shape, classIndex: c.class, contrast: null },
    /** @type {any} */ (slow), { spawn, signal: controller.signal }), (e) => e === reason);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(calls, 2, "no batch is asked after the cancel");
  assert.ok(made.workers[0].terminated && seen.every((s) => s.aborted));
  await assert.rejects(runExplanation({ type: "occlusion", input, shape, classIndex: 0, contrast: null }, slow, { spawn, signal: controller.signal }));
  assert.equal(made.workers.length, 1, "a run given up before it starts makes no worker");
});

test("a failed batch is the run's sentence", async () => {
  const { spawn, made } = spawner();
  const failing = async () => { throw new Error("The device ran out of memory."); };
  await assert.rejects(runExplanation({ type: "occlusion", input: input.slice(), shape, classIndex: 0, contrast: null }, failing, { spawn }),
    /ran out of memory/);
  assert.ok(made.workers[0].terminated);
});

test("the cost is counted in the network's images and said as the Python app's cost_label", () => {
  assert.equal(images("occlusion", 224), 13 * 13 + 1);
  assert.equal(images("faithfulness", 224), 4 * 17);
  assert.equal(images("gradcam", 224), 0);
  assert.equal(costLabel(0.0264), "≈ 26 ms");
  assert.equal(costLabel(2.55), "≈ 2.5 s"); // Python's .1f: the binary 2.5499… rounds down
  assert.equal(costLabel(34.25), "≈ 34.2 s"); // halves to even
  assert.equal(remaining(10, 0.25), "about 30 s left");
  assert.equal(remaining(0, 0), "");
});

test("every method of the library's is run here or says why not, in one clause", () => {
  const names = catalog.methods.map((/** @type {{name: string}} */ m) => m.name);
  assert.deepEqual([...RUNS, ...Object.keys(WHY_NOT)].sort(), [...names].sort());
  assert.ok(RUNS.includes("gradcam") && RUNS.includes("occlusion"));
  for (const why of Object.values(WHY_NOT)) assert.ok(!why.endsWith(".") && !/[.!?] /.test(why), why);
});

test("a map is written as numpy.save writes it", () => {
  const bytes = npy(new Float32Array([0, 0.5, 1, 0.25, 0.75, 1 / 7]), [2, 3]);
  const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  assert.deepEqual([...bytes.subarray(0, 10)], [0x93, 78, 85, 77, 80, 89, 1, 0, 118, 0]);
  const text = new TextDecoder().decode(bytes.subarray(10, 128));
  assert.equal(text, header + " ".repeat(128 - 10 - header.length - 1) + "\n");
  assert.deepEqual([...new Float32Array(bytes.slice(128).buffer)], [...new Float32Array([0, 0.5, 1, 0.25, 0.75, 1 / 7])]);
  assert.equal(npy(new Float32Array(224 * 224), [224, 224]).length, 128 + 224 * 224 * 4);
});
