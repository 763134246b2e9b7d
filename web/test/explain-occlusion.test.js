// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { occludedBatches, occlusion, occlusionWindow, patches } from "../src/explain/occlusion.js";
import { floats, standIn } from "./explain-fixtures.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/explain-occlusion.json", import.meta.url), "utf8"));
const shape = fixture.network.shape, input = floats(fixture.input), network = standIn(fixture.network);

test("the patch and stride are the library's, and Captum's last patches are cut at the edge", () => {
  assert.deepEqual(occlusionWindow(shape[2]), { side: fixture.side, stride: fixture.stride });
  assert.deepEqual(occlusionWindow(224), { side: 32, stride: 16 });
  assert.equal(patches(224, 224, occlusionWindow(224)).length, 13 * 13);
  const all = patches(shape[1], shape[2], occlusionWindow(shape[2]));
  assert.ok(all.some((p) => p.bottom - p.top < fixture.side) && all.some((p) => p.right - p.left < fixture.side));
  assert.deepEqual(all.slice(0, 2).map((p) => [p.top, p.left]), [[0, 0], [fixture.stride, 0]]);
});

test("every class's map, and a contrast's, equals the library's occlusion within 1e-4", async () => {
  for (const c of fixture.cases) {
    const map = await occlusion(input, shape, network, c.class, c.contrast);
    const want = floats(c.map);
    let worst = 0;
    want.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - map[i])); });
    assert.ok(worst < 1e-4, `class ${c.class} contrast ${c.contrast}: largest difference ${worst}`);
    assert.ok(want.some((v) => v === 1) && want.some((v) => v === 0), "the fixture's map is clipped at both ends");
  }
});

test("the batches hold the input first, then 16 occluded images each, the patch at 0 in all channels", () => {
  const batches = [...occludedBatches(input, shape, occlusionWindow(shape[2]))];
  const total = patches(shape[1], shape[2], occlusionWindow(shape[2])).length + 1;
  assert.deepEqual(batches.map((b) => b.count), [...Array(Math.floor(total / 16)).fill(16), total % 16].filter(Boolean));
  const size = input.length, [first] = batches;
  assert.deepEqual(first.images.subarray(0, size), input);
  const second = first.images.subarray(size, 2 * size), [, h, w] = shape;
  for (let c = 0; c < 3; c++) assert.equal(second[c * h * w + 1 * w + 2], 0);
  assert.equal(second[10 * w + 20], input[10 * w + 20]);
});

test("progress reaches 1 and an abort stops the run between batches", async () => {
  const seen = [];
  await occlusion(input, shape, network, 1, null, { progress: (f) => seen.push(f) });
  assert.equal(seen.at(-1), 1);
  assert.ok(seen.every((f, i) => i === 0 || f >= seen[i - 1]));
  const controller = new AbortController();
  let calls = 0;
  const stopping = (/** @type {Float32Array} */ images, /** @type {number} */ count) => {
    if (++calls === 2) controller.abort(new Error("cancelled"));
    return network(images, count);
  };
  await assert.rejects(occlusion(input, shape, stopping, 1, null, { signal: controller.signal }), /cancelled/);
  assert.equal(calls, 2);
});
