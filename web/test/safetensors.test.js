// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { float32, readHeader, tensorBytes } from "../src/safetensors.js";

const file = new Uint8Array(Buffer.from(JSON.parse(readFileSync(new URL("./fixtures/tiny-safetensors.json", import.meta.url), "utf8")).base64, "base64"));

test("reads the header the safetensors package wrote", () => {
  const header = readHeader(file, "tiny.safetensors");
  assert.deepEqual([...header.tensors.keys()].sort(), ["fc.bias", "fc.weight", "features"]);
  assert.deepEqual(header.tensors.get("fc.weight")?.shape, [3, 4]);
  assert.equal(header.metadata.format, "pt");
  assert.equal(tensorBytes(file, header, "fc.weight", [3, 4], "f").byteLength, 48);
  assert.equal(tensorBytes(file, header, "fc.weight", [3, 4], "f").buffer, file.buffer); // a view, not a copy
});

test("refuses a cut, damaged or foreign file in one sentence", () => {
  assert.throws(() => readHeader(file.subarray(0, 5), "x"), /too short/);
  assert.throws(() => readHeader(file.subarray(0, file.byteLength - 4), "x"), /cut off or damaged/);
  const junk = file.slice();
  junk[9] = 0x7b; junk[10] = 0x7b;
  assert.throws(() => readHeader(junk, "x"), /not JSON/);
  const header = readHeader(file, "x");
  assert.throws(() => tensorBytes(file, header, "conv1.weight", [1], "x"), /has no tensor conv1.weight/);
  assert.throws(() => tensorBytes(file, header, "fc.weight", [4, 3], "x"), /not F32 4x3/);
});

test("gives float32 values whatever the alignment", () => {
  const header = readHeader(file, "x");
  const values = float32(file, header, "fc.bias", [3], "x");
  assert.deepEqual([...values], [0, 0, 0]);
  const shifted = new Uint8Array(file.byteLength + 1);
  shifted.set(file, 1);
  const moved = shifted.subarray(1);
  assert.deepEqual([...float32(moved, readHeader(moved, "x"), "fc.weight", [3, 4], "x")],
    [...float32(file, header, "fc.weight", [3, 4], "x")]);
});
