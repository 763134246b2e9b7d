// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { blur, counts, faithfulness, perturbedBatches, ranks } from "../src/explain/faithfulness.js";
import { floats, standIn } from "./explain-fixtures.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/explain-faithfulness.json", import.meta.url), "utf8"));
const shape = fixture.network.shape, input = floats(fixture.input), network = standIn(fixture.network);

test("the insertion start equals the library's blur", () => {
  const got = blur(input, shape), want = floats(fixture.blurred);
  let worst = 0;
  want.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - got[i])); });
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
});

test("slices are rounded half to even and equal values keep their order", () => {
  assert.deepEqual(counts(30 * 36, 16).slice(0, 4), [0, 68, 135, 202]);
  assert.deepEqual([...ranks(new Float32Array([0, 2, 0, 2, 1]))], [3, 0, 4, 1, 2]);
});

test("areas and curves equal the library's within 1e-3, with its own random map and with the seed's", async () => {
  for (const c of fixture.cases) {
    const options = { classIndex: c.class_given, steps: c.steps, seed: c.seed };
    for (const randomMap of [floats(c.random_map), undefined]) {
      const got = await faithfulness(input, shape, floats(c.saliency), network, { ...options, randomMap });
      assert.equal(got.classIndex, c.class);
      for (const [mine, theirs] of [["deletion", "deletion"], ["insertion", "insertion"],
        ["randomDeletion", "random_deletion"], ["randomInsertion", "random_insertion"]]) {
        const a = /** @type {number} */ (got[/** @type {"deletion"} */ (mine)]), b = c[theirs];
        assert.ok(Math.abs(a - b) < 1e-3, `${mine}: ${a} against ${b}`);
      }
      got.deletionCurve.forEach((v, i) => assert.ok(Math.abs(v - c.deletion_curve[i]) < 1e-3, `deletion ${i}`));
      got.insertionCurve.forEach((v, i) => assert.ok(Math.abs(v - c.insertion_curve[i]) < 1e-3, `insertion ${i}`));
      assert.deepEqual(got.fractions, c.fractions);
    }
  }
});

test("the images go in batches of 8, deletion first, and the run reports progress and stops when aborted", async () => {
  const [c] = fixture.cases, map = floats(c.saliency);
  const batches = [...perturbedBatches(input, shape, [map, map], 16)];
  assert.deepEqual(batches.map((b) => b.count), [8, 8, 8, 8, 8, 8, 8, 8, 4]);
  assert.deepEqual(batches[0].images.subarray(0, input.length), input);
  const seen = [];
  await faithfulness(input, shape, map, network, { classIndex: 0, progress: (f) => seen.push(f) });
  assert.equal(seen.length, 10);
  assert.equal(seen.at(-1), 1);
  const controller = new AbortController();
  controller.abort(new Error("cancelled"));
  await assert.rejects(faithfulness(input, shape, map, network, { classIndex: 0, signal: controller.signal }), /cancelled/);
  await assert.rejects(faithfulness(input, shape, map.subarray(1), network), /explain the same crop/);
});
