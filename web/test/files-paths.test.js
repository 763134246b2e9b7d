// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { byParts, nameOf, parts, suffixOf } from "../src/files/paths.js";
import { repr } from "../src/pyformat.js";

/** @type {{names: {text: string, parts: string[], suffix: string, parent: string, repr: string}[], sorted: string[]}} */
const fixture = JSON.parse(readFileSync(new URL("./fixtures/files.json", import.meta.url), "utf8"));

test("a name's parts, suffix and parent folder are PurePosixPath's", () => {
  for (const n of fixture.names) {
    const split = parts(n.text);
    assert.deepEqual(split, n.parts, JSON.stringify(n.text));
    assert.equal(suffixOf(nameOf(split)), n.suffix, JSON.stringify(n.text));
    assert.equal(nameOf(split.slice(0, -1)), n.parent, JSON.stringify(n.text));
  }
});

test("names sort as Python sorts Paths (part by part, by code point past the BMP too)", () => {
  const names = fixture.names.map((n) => n.text).filter((t) => t !== "");
  const sorted = [...names].sort(byParts).map((t) => {
    const split = parts(t);
    return split[0] === "/" || split[0] === "//" ? split[0] + split.slice(1).join("/") : split.join("/");
  });
  assert.deepEqual(sorted, fixture.sorted);
});

test("repr is Python's: quotes, backslashes, control and non-printable characters", () => {
  for (const n of fixture.names) assert.equal(repr(n.text), n.repr, JSON.stringify(n.text));
});
