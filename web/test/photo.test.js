// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { check, forBrowser, inspect, readPhoto } from "../src/photo.js";
import { exifOrientation } from "../src/photo/exif.js";

/** @typedef {{name: string, file: string, header: {format: string, width: number, height: number, orientation: number | null} | null,
 *   library: {refused?: string, width?: number, height?: number, rgb?: string, note?: boolean}}} Case */
/** @type {{cases: Case[]}} */
const { cases } = JSON.parse(readFileSync(new URL("./fixtures/photo.json", import.meta.url), "utf8"));
const bytes = (/** @type {string} */ b64) => new Uint8Array(Buffer.from(b64, "base64"));
const LIMITS = { max_pixels: 50_000_000, max_aspect: 300 };
const KIND = /** @type {Record<string, string>} */ ({ JPEG: "jpeg", MPO: "jpeg", PNG: "png", WEBP: "webp", GIF: "gif", BMP: "bmp", AVIF: "avif", TIFF: "tiff" });
const ONE_SENTENCE = /^[^\n]+[.!]$/;

/** Whether the page decodes a file itself (PNG and BMP). */
const decodedHere = (/** @type {Uint8Array} */ file) => ["png", "bmp"].includes(inspect(file).kind);

/** A browser that must not be asked: counts its calls. */
let browserCalls = 0;
globalThis.createImageBitmap = /** @type {any} */ (async () => { browserCalls++; throw new Error("no browser in Node"); });

test("every header gives Pillow's size, and every file's EXIF or XMP its orientation", () => {
  let seen = 0;
  for (const c of cases) {
    if (!c.header) continue;
    const facts = inspect(bytes(c.file));
    assert.equal(facts.kind, KIND[c.header.format], c.name);
    if (facts.kind === "tiff") continue; // refused by its kind alone
    assert.deepEqual([facts.width, facts.height], [c.header.width, c.header.height], c.name);
    // An AVIF's irot/imir, which Pillow reports as an orientation, is applied by the browser's decoder.
    // A compressed raw profile is inflated by readPhoto (the PNG decoding test checks it).
    if (c.header.orientation !== null && facts.kind !== "avif" && !facts.profile) assert.equal(facts.orientation, c.header.orientation, c.name);
    seen++;
  }
  assert.ok(seen >= 50, `${seen} headers`);
});

test("PNGs (every depth, colour type, filter, Adam7, tRNS, 16 bits) and BMPs decode to the library's RGB, bit for bit, upright", async () => {
  let seen = 0;
  for (const c of cases) {
    const file = bytes(c.file);
    if (c.library.refused || !decodedHere(file)) continue;
    const got = await readPhoto(new Blob([file]), c.name, LIMITS);
    assert.deepEqual([got.width, got.height], [c.library.width, c.library.height], c.name);
    const want = bytes(/** @type {string} */ (c.library.rgb));
    const differences = got.rgb.reduce((n, v, i) => n + (v !== want[i] ? 1 : 0), 0);
    assert.equal(differences, 0, `${c.name}: ${differences} values differ`);
    assert.equal(got.note !== "", Boolean(c.library.note), `${c.name}: note ${JSON.stringify(got.note)}`);
    seen++;
  }
  assert.ok(seen >= 28, `${seen} files`);
});

test("every file the library refuses, the page refuses with one sentence, without asking the browser", async () => {
  for (const c of cases.filter((c) => c.library.refused)) {
    browserCalls = 0;
    await assert.rejects(readPhoto(new Blob([bytes(c.file)]), c.name, LIMITS), (error) => {
      assert.ok(error instanceof Error && ONE_SENTENCE.test(error.message) && error.message.startsWith(c.name), `${c.name}: ${error}`);
      return true;
    });
    assert.equal(browserCalls, 0, `${c.name}: the browser was asked`);
  }
});

test("the library's limits and words: size, aspect, no pixels", async () => {
  const said = async (/** @type {string} */ name) => {
    const c = /** @type {Case} */ (cases.find((c) => c.name === name));
    return readPhoto(new Blob([bytes(c.file)]), name, LIMITS).then(() => "", (e) => e.message);
  };
  for (const name of ["huge.png", "elongated.png"]) {
    assert.equal(await said(name), /** @type {Case} */ (cases.find((c) => c.name === name)).library.refused);
  }
  assert.match(await said("huge.webp"), /is 9000x6000 pixels, more than the limit of 50 megapixels/);
  assert.match(await said("elongated.webp"), /is too elongated \(6000x10\)/);
  assert.match(await said("zero-size.png"), /has no pixels \(0x9\)/); // Pillow: not an image
  const jpeg = bytes(/** @type {Case} */ (cases.find((c) => c.name === "baseline.jpg")).file);
  const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
  const flat = jpeg.slice();
  flat.set([0, 0], sof + 5); // SOF0 height 0 (a DNL marker would follow in theory)
  assert.throws(() => check(inspect(flat), "flat.jpg", LIMITS), /has no pixels \(13x0\)/);
});

test("what the page cannot decode as Pillow does is refused in one sentence that says so: CMYK JPEG, AVIF with alpha, TIFF", () => {
  for (const [name, words] of [["cmyk.jpg", /is a CMYK JPEG/], ["alpha.avif", /is an AVIF with transparency/], ["photo.tiff", /is a TIFF/]]) {
    const c = /** @type {Case} */ (cases.find((c) => c.name === name));
    assert.ok(!c.library.refused, `the library reads ${name}`);
    assert.throws(() => check(inspect(bytes(c.file)), /** @type {string} */ (name), LIMITS), words);
  }
  const plain = /** @type {Case} */ (cases.find((c) => c.name === "photo.avif"));
  assert.doesNotThrow(() => check(inspect(bytes(plain.file)), "photo.avif", LIMITS));
});

test("a motion photo's image ends at its EOI: the video or the MPF's second picture after it is not read", () => {
  for (const name of ["motion-samsung.jpg", "motion-pixel.jpg", "mpf.jpg"]) {
    const file = bytes(/** @type {Case} */ (cases.find((c) => c.name === name)).file);
    const { end } = inspect(file);
    assert.ok(end !== null && end < file.length, name);
    assert.deepEqual([...file.subarray(end - 2, end)], [0xff, 0xd9], name);
    if (name === "mpf.jpg") assert.deepEqual([...file.subarray(end, end + 3)], [0xff, 0xd8, 0xff]); // the second picture
  }
  const plain = bytes(/** @type {Case} */ (cases.find((c) => c.name === "baseline.jpg")).file);
  assert.equal(inspect(plain).end, plain.length);
  assert.equal(inspect(plain.subarray(0, plain.length - 2)).end, null); // no EOI: refused, as Pillow refuses it
});

test("the browser gets the file without its orientation: JPEG APP1, PNG eXIf and WebP EXIF are gone, the image is the same", async () => {
  for (const name of ["orientation-6.jpg", "orientation-6.png", "orientation-6.webp", "motion-pixel.jpg"]) {
    const file = bytes(/** @type {Case} */ (cases.find((c) => c.name === name)).file);
    const given = new Uint8Array(await forBrowser(new Blob([file]), file, inspect(file)).arrayBuffer());
    const facts = inspect(given);
    assert.equal(facts.orientation, 1, name);
    assert.deepEqual([facts.width, facts.height], [13, 9], name);
    if (facts.kind === "jpeg") assert.equal(facts.end, given.length, name);
  }
  const jpeg = bytes(/** @type {Case} */ (cases.find((c) => c.name === "orientation-6.jpg")).file);
  const app1 = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xe1);
  const junk = new Uint8Array([...jpeg.subarray(0, app1), 0x00, 0x13, ...jpeg.subarray(app1)]); // junk before the EXIF
  assert.equal(inspect(junk).orientation, 6);
  const given = new Uint8Array(await forBrowser(new Blob([junk]), junk, inspect(junk)).arrayBuffer());
  assert.equal(given.findIndex((b, i) => b === 0xff && given[i + 1] === 0xe1), -1);
  assert.equal(inspect(given).orientation, 1);
});

test("truncated, lying and garbage headers never throw from the inspector, and each is refused in one sentence or read", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const c of cases) {
    const file = bytes(c.file);
    const lengths = [...Array(Math.min(file.length, 80)).keys(), file.length >> 1, file.length - 1];
    for (const n of lengths) {
      const variants = [file.subarray(0, n)];
      const noisy = file.slice(0, n);
      for (let k = 0; k < 4 && n > 0; k++) noisy[Math.floor(random() * n)] = Math.floor(random() * 256);
      variants.push(noisy);
      for (const v of variants) {
        const facts = inspect(v);
        try {
          check(facts, "x", LIMITS);
          assert.ok(facts.width !== null && facts.width >= 1 && facts.height !== null && facts.height >= 1, `${c.name}[:${n}]`);
        } catch (error) {
          assert.ok(error instanceof Error && ONE_SENTENCE.test(error.message), `${c.name}[:${n}]: ${error}`);
        }
      }
    }
  }
});

test("EXIF blocks: byte orders, types, a cut IFD, garbage", () => {
  const block = (/** @type {boolean} */ little, /** @type {number} */ type, /** @type {number} */ value, count = 1) => {
    const b = new DataView(new ArrayBuffer(26));
    b.setUint16(0, little ? 0x4949 : 0x4d4d); b.setUint16(2, 42, little); b.setUint32(4, 8, little);
    b.setUint16(8, 1, little); b.setUint16(10, 0x0112, little); b.setUint16(12, type, little); b.setUint32(14, count, little);
    if (type === 4) b.setUint32(18, value, little); else b.setUint16(18, value, little);
    return new Uint8Array(b.buffer);
  };
  assert.deepEqual(exifOrientation(block(true, 3, 6)), { orientation: 6, problem: null });
  assert.deepEqual(exifOrientation(block(false, 3, 8)), { orientation: 8, problem: null });
  assert.deepEqual(exifOrientation(block(false, 4, 3)), { orientation: 3, problem: null });
  assert.equal(exifOrientation(block(true, 3, 6, 2))?.orientation, 1); // two values: Pillow turns nothing
  assert.equal(exifOrientation(block(true, 3, 6).subarray(0, 14)), null); // a cut IFD: Pillow warns, reads nothing
  assert.equal(exifOrientation(new TextEncoder().encode("Exif\0\0garbage"))?.problem, "not a TIFF file");
});

test("an aborted read stops with the signal's reason, before and while decoding", async () => {
  const c = /** @type {Case} */ (cases.find((c) => c.name === "rgba-16bit-interlaced.png"));
  const stop = new AbortController();
  stop.abort(new Error("a newer photo was chosen"));
  await assert.rejects(readPhoto(new Blob([bytes(c.file)]), c.name, LIMITS, stop.signal), /a newer photo was chosen/);
  const later = new AbortController();
  const reading = readPhoto(new Blob([bytes(c.file)]), c.name, LIMITS, later.signal);
  later.abort(new DOMException("left", "AbortError"));
  await assert.rejects(reading, { name: "AbortError" });
});
