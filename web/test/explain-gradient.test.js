// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { attribution, classWeights, deepLift, guidedGradCam, integratedGradients, scaledImages } from "../src/explain/gradient.js";

// Written by tests/export/fixtures_gradient.py: the gradient graphs' answers on a tiny network and
// Captum's attributions, as the library calls it.
const fixture = JSON.parse(readFileSync(new URL("./fixtures/explain-gradient.json", import.meta.url), "utf8"));
const f32 = (/** @type {number[]} */ a) => Float32Array.from(a);

/** @param {Float32Array} got @param {number[]} want @param {string} what */
function close(got, want, what) {
  assert.equal(got.length, want.length, what);
  const scale = Math.max(...want.map(Math.abs));
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-4 * scale, `${what} ${i}: ${v} vs ${want[i]}`));
}

test("integrated gradients from the gradient graph's answers on the scaled images are Captum's", () => {
  const image = f32(fixture.image);
  const scaled = scaledImages(image, fixture.alphas);
  assert.equal(scaled.length, fixture.alphas.length * image.length);
  assert.ok(Math.abs(scaled[image.length + 5] - fixture.alphas[1] * image[5]) < 1e-7);
  close(integratedGradients(image, f32(fixture.gradients), fixture.weights), fixture.expected.integrated_gradients, "IG");
});

test("DeepLIFT from the deeplift graph's multipliers is Captum's", () => {
  const image = f32(fixture.image);
  close(deepLift(image, new Float32Array(image.length), f32(fixture.multipliers)), fixture.expected.deeplift, "DeepLIFT");
});

test("Guided Grad-CAM from the guided gradient and the upsampled raw map is Captum's", () => {
  const { shape, gradient, cam } = fixture.guided;
  close(guidedGradCam(f32(gradient), f32(cam.raw), cam.h, cam.w, shape[1], shape[2]), fixture.expected.guided_gradcam, "Guided Grad-CAM");
});

test("a session is fed the image, the class weights and the baseline, integrated gradients in the library's batches", async () => {
  const ort = { Tensor: class { constructor(/** @type {string} */ type, /** @type {Float32Array} */ data, /** @type {number[]} */ dims) { Object.assign(this, { type, data, dims }); } } };
  const image = f32(fixture.image), n = image.length;
  /** @type {any[]} */
  const runs = [];
  const session = { run: async (/** @type {Record<string, any>} */ feeds) => {
    runs.push(feeds);
    const batch = feeds.image.dims[0], start = runs.slice(0, -1).reduce((s, r) => s + r.image.dims[0], 0);
    const data = feeds.baseline ? f32(fixture.multipliers) : f32(fixture.gradients.slice(start * n, (start + batch) * n));
    return { gradient: { data } };
  } };
  const weights = classWeights(fixture.classes, fixture.class, fixture.contrast);
  assert.deepEqual([weights[fixture.class], weights[fixture.contrast], weights.reduce((a, b) => a + Math.abs(b), 0)], [1, -1, 2]);
  const ig = await attribution(ort, session, "integrated_gradients", image, fixture.shape, weights,
    { alphas: fixture.alphas, stepWeights: fixture.weights, batch: fixture.batch });
  close(ig, fixture.expected.integrated_gradients, "IG through a session");
  assert.deepEqual(runs.map((r) => r.image.dims), Array(fixture.alphas.length / fixture.batch).fill([fixture.batch, ...fixture.shape]));
  assert.deepEqual(runs[0].class_weights.dims, [fixture.batch, fixture.classes]);
  runs.length = 0;
  close(await attribution(ort, session, "deeplift", image, fixture.shape, weights), fixture.expected.deeplift, "DeepLIFT through a session");
  assert.deepEqual(runs[0].baseline.dims, [1, ...fixture.shape]);
  await assert.rejects(attribution(ort, session, "guided_gradcam", image, fixture.shape, weights), /raw map/);
});
