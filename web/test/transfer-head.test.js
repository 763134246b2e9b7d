// @ts-check
// The head file (resnext-head/1): a head the library wrote reads here, and one written here reads back whole.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  FEATURES, FORMAT, MAX_CLASSES, MAX_CLASS_CHARS, PRECISIONS, TENSORS, foldedLinear, headFromProbe, headProbabilities,
  pythonJson, readHead, writeHead,
} from "../src/transfer/head.js";
import { fitProbe, probeLogits } from "../src/transfer/probe.js";
import { softmaxRows } from "../src/transfer/logistic.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/transfer.json", import.meta.url), "utf8"));
const catalog = JSON.parse(readFileSync(new URL("../public/models/catalog.json", import.meta.url), "utf8"));
const variants = catalog.variants;
const libraryFile = new Uint8Array(Buffer.from(fixture.head.file, "base64"));
const wide = fixture.studies.find((/** @type {any} */ s) => s.name === fixture.head.dataset);
const [[backbone, entry]] = Object.entries(wide.models);
const bytes = Buffer.from(/** @type {any} */ (entry).features, "base64");
const features = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

test("the library's format, limits and tensors", () => {
  const c = fixture.constants;
  assert.deepEqual([FORMAT, MAX_CLASSES, MAX_CLASS_CHARS, FEATURES, PRECISIONS, TENSORS],
    [c.format, c.max_classes, c.max_class_chars, c.features, c.precisions, c.tensors]);
});

test("a head `resnext probe --save-head` wrote reads here and gives the library's probabilities", () => {
  const head = readHead(libraryFile, "cats.safetensors", variants);
  assert.deepEqual(head.classes, wide.classes);
  assert.equal(head.backbone, backbone);
  assert.equal(head.preprocessing.precision, "fp32");
  const images = fixture.head.images;
  const ours = headProbabilities(head, features.subarray(0, images * FEATURES));
  fixture.head.probabilities.flat().forEach((/** @type {number} */ p, /** @type {number} */ i) => assert.ok(Math.abs(ours[i] - p) <= 1e-9, `${i}`));
  // Folded into one layer on raw features, as the library's Head.linear: the same logits.
  const { weight, bias } = foldedLinear(head);
  const logits = new Float64Array(3);
  for (let k = 0; k < 3; k++) {
    logits[k] = bias[k];
    for (let j = 0; j < FEATURES; j++) logits[k] += weight[k * FEATURES + j] * features[j];
  }
  softmaxRows(logits, 3).forEach((p, k) => assert.ok(Math.abs(p - ours[k]) <= 1e-4));
});

test("a head made here from the probe answers as the probe, and its file reads back whole", () => {
  const labels = wide.labels;
  const all = labels.map((/** @type {number} */ _, /** @type {number} */ i) => i);
  const probe = fitProbe(features, FEATURES, labels, all);
  const variant = variants.find((/** @type {any} */ v) => v.id === backbone);
  const head = headFromProbe(probe, wide.classes, variant);
  const file = writeHead(head);
  const back = readHead(file, "mine.safetensors", variants);
  assert.deepEqual(back, head);
  const probs = headProbabilities(back, features);
  const direct = softmaxRows(probeLogits(probe, features, FEATURES, all), 3);
  direct.forEach((p, i) => assert.ok(Math.abs(p - probs[i]) <= 1e-4, `${i}: ${p} against ${probs[i]}`));
  // The library's metadata, as Python's json.dumps writes it.
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + Number(new DataView(file.buffer).getBigUint64(0, true)))));
  assert.equal(header.__metadata__.classes, '["cat", "dog", "fox"]');
  assert.match(header.__metadata__.preprocessing, /^\{"image_size": 224, "resize_to": 256, "interpolation": "bilinear", "mean": \[0\.485, /);
  assert.equal(pythonJson(["café", "猫", 'a"b']), '["caf\\u00e9", "\\u732b", "a\\"b"]');
});

/**
 * The library's head file with some header fields changed (undefined: removed).
 * @param {Record<string, string | undefined>} changes
 */
function withHeader(changes) {
  const length = Number(new DataView(libraryFile.buffer, libraryFile.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(libraryFile.subarray(8, 8 + length)));
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete header.__metadata__[key];
    else header.__metadata__[key] = value;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + libraryFile.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(libraryFile.subarray(8 + length), 8 + json.length);
  return out;
}

test("every flaw of a head file is the library's one sentence", () => {
  const flaws = /** @type {[Record<string, string | undefined>, RegExp][]} */ ([
    [{ format: undefined }, /its format is None, not resnext-head\/1/],
    [{ format: "resnext-head/0" }, /its format is 'resnext-head\/0'/],
    [{ classes: "[cat, dog" }, /its classes are not JSON/],
    [{ classes: undefined }, /its header has no classes/],
    [{ backbone: undefined }, /its backbone 'None' is not a model of this catalog/],
    [{ backbone: "resnet9000" }, /its backbone 'resnet9000' is not a model/],
    [{ classes: "[1, 2, 3]" }, /non-empty name/],
    [{ classes: '["cat"]' }, /a list of 2 to 1000 names/],
    [{ classes: '["cat", " ", "fox"]' }, /non-empty name/],
    [{ classes: JSON.stringify(["cat", "d".repeat(101), "fox"]) }, /at most 100 characters/],
    [{ classes: '["cat", "cat", "fox"]' }, /two of its classes have the same name/],
    [{ classes: '["cat", "dog"]' }, /its weight is float32 \(3, 2048\), not float32 \(2, 2048\)/],
    [{ preprocessing: undefined }, /its header has no preprocessing/],
    [{ preprocessing: "[]" }, /does not say its precision and mode/],
    [{ preprocessing: '{"precision": "fp32", "fast": false}' }, /its preprocessing is not ssl_resnext50_32x4d's/],
  ]);
  for (const [changes, words] of flaws) {
    assert.throws(() => readHead(withHeader(changes), "h.safetensors", variants), (/** @type {Error} */ error) => {
      assert.match(error.message, words);
      assert.match(error.message, /^h\.safetensors is not a valid classifier head: .*; give a file that `resnext probe --save-head` or the Your classes page wrote\.$/);
      return true;
    });
  }
  const head = readHead(libraryFile, "h", variants);
  assert.throws(() => readHead(writeHead({ ...head, scale: head.scale.map((v, i) => (i === 5 ? 0 : v)) }), "h", variants), /its scale holds values that are not positive/);
  assert.throws(() => readHead(writeHead({ ...head, mean: head.mean.map((v, i) => (i === 5 ? NaN : v)) }), "h", variants), /its mean holds values that are not finite/);
  assert.throws(() => readHead(libraryFile.subarray(0, libraryFile.length - 10), "h", variants), /^Error: h is not a classifier head \(it is cut off, damaged or not a safetensors file\); give a file/);
  assert.throws(() => readHead(new Uint8Array(3), "h", variants), /is not a classifier head/);
});
