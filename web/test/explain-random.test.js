// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { fft } from "../src/explain/fft.js";
import { PCG64 } from "../src/explain/random.js";
import { phaseRandomized } from "../src/explain/surrogate.js";
import { floats } from "./explain-fixtures.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/explain-random.json", import.meta.url), "utf8"));

test("numpy's default_rng(seed).random() bit for bit, for seeds of one and two 32-bit words", () => {
  for (const [seed, want] of Object.entries(fixture.uniforms)) {
    assert.deepEqual([...new PCG64(Number(seed)).random(want.length)], want, `seed ${seed}`);
  }
});

test("the transform of any length equals the direct sum, and inverts", () => {
  for (const n of [1, 2, 7, 12, 30, 49]) {
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + i / n);
    const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
    const [fr, fi] = fft(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0, si = 0;
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * j * k) / n;
        sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
        si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
      }
      assert.ok(Math.abs(fr[k] - sr) < 1e-9 && Math.abs(fi[k] - si) < 1e-9, `n ${n} bin ${k}`);
    }
    const [br, bi] = fft(fr, fi, true);
    br.forEach((v, j) => assert.ok(Math.abs(v / n - re[j]) < 1e-12 && Math.abs(bi[j] / n - im[j]) < 1e-12));
  }
});

test("the random map of a seed equals the library's phase_randomized", () => {
  const [h, w] = fixture.shape;
  const got = phaseRandomized(floats(fixture.map), h, w, fixture.seed);
  const want = floats(fixture.random_map);
  let worst = 0;
  want.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - got[i])); });
  assert.ok(worst < 1e-6, `largest difference ${worst}`);
});
