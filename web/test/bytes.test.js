// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { formatBytes } from "../src/bytes.js";

/** @type {[number, string][]} */
const cases = JSON.parse(readFileSync(new URL("./fixtures/bytes.json", import.meta.url), "utf8"));

test("sizes are written as the library's format_bytes writes them (decimal units, halves to even)", () => {
  for (const [n, text] of cases) assert.equal(formatBytes(n), text, `${n}`);
  assert.equal(formatBytes(null), "unknown size");
});
