// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { normalizeCam, rawCam } from "../src/cam.js";
import { float32, readHeader } from "../src/safetensors.js";

const file = new Uint8Array(Buffer.from(JSON.parse(readFileSync(new URL("./fixtures/tiny-safetensors.json", import.meta.url), "utf8")).base64, "base64"));
const expected = JSON.parse(readFileSync(new URL("./fixtures/cam.json", import.meta.url), "utf8"));

test("CAM of every class equals the library's Grad-CAM on the last stage", () => {
  const header = readHeader(file, "tiny.safetensors");
  const features = float32(file, header, "features", [4, 2, 3], "x");
  const fc = float32(file, header, "fc.weight", [3, 4], "x");
  const [height, width] = expected.crop;
  for (const [c, want] of Object.entries(expected.classes)) {
    const raw = rawCam(features, [4, 2, 3], fc, Number(c));
    raw.forEach((v, i) => assert.ok(Math.abs(v - want.raw[i]) < 1e-6, `class ${c} raw ${i}`));
    const map = normalizeCam(raw, 2, 3, height, width);
    map.forEach((v, i) => assert.ok(Math.abs(v - want.normalized[i]) < 1e-5, `class ${c} pixel ${i}: ${v} ${want.normalized[i]}`));
  }
});

test("a flat map is all zeros", () => {
  assert.deepEqual([...normalizeCam(new Float32Array(6), 2, 3, 4, 4)], new Array(16).fill(0));
});
