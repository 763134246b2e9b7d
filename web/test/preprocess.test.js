// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { centreCrop, normalize, roundHalfEven } from "../src/preprocess.js";

const { cases } = JSON.parse(readFileSync(new URL("./fixtures/preprocess.json", import.meta.url), "utf8"));
const bytes = (/** @type {string} */ b64) => new Uint8Array(Buffer.from(b64, "base64"));

test("the crop equals the library's exact crop, bit for bit, for both filters, reducing and enlarging", () => {
  for (const c of cases) {
    const crop = centreCrop(bytes(c.input), c.width, c.height, c);
    const want = bytes(c.crop);
    let worst = 0;
    crop.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - want[i])); });
    assert.equal(worst, 0, `${c.width}x${c.height} ${c.interpolation}: largest difference ${worst}/255`);
  }
});

test("the input tensor equals the library's to 1e-6", () => {
  for (const c of cases) {
    const x = normalize(bytes(c.crop), c.image_size, c.mean, c.std);
    x.forEach((v, i) => assert.ok(Math.abs(v - c.tensor[i]) < 1e-6, `${c.width}x${c.height} value ${i}`));
  }
});

test("the centre crop rounds halves to even, as Python does", () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, -0.5, 2].map(roundHalfEven), [0, 2, 2, 4, -0, 2]);
});
