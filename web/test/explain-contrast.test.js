// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { contrastCam } from "../src/explain/contrast.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/explain-contrast.json", import.meta.url), "utf8"));

test("the CAM of one class against another equals the library's contrast", () => {
  const features = Float32Array.from(fixture.features), fc = Float32Array.from(fixture.fc), [height, width] = fixture.crop;
  for (const c of fixture.cases) {
    const map = contrastCam(features, fixture.shape, fc, c.class, c.contrast, height, width);
    map.forEach((v, i) => assert.ok(Math.abs(v - c.map[i]) < 1e-5, `${c.class} against ${c.contrast}, pixel ${i}: ${v} ${c.map[i]}`));
  }
});
