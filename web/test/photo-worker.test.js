// @ts-check
/**
 * The photo's worker (``photo-worker.js``, its handler run here in Node) and its page half
 * (``photos.js``, through ``Context``): a read keeps its pixels in the worker, a crop comes back with its
 * buffers transferred and equal to ``preprocess.js``'s, a read given up keeps nothing, a newer photo
 * drops the older one's pixels, and a crop is asked once per preprocessing.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { Context } from "../src/context.js";
import { Photos } from "../src/photos.js";
import { readPhoto } from "../src/photo.js";
import { centreCrop, normalize } from "../src/preprocess.js";

const { cases } = JSON.parse(readFileSync(new URL("./fixtures/photo.json", import.meta.url), "utf8"));
const png = new Uint8Array(Buffer.from(cases.find((/** @type {any} */ c) => c.name === "rgba.png").file, "base64")); // 13x9
const LIMITS = { max_pixels: 50_000_000, max_aspect: 300 };
const PRE = { resize_to: 8, image_size: 6, interpolation: "bilinear", mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** @type {{message: any, transfer: Transferable[]}[]} what the worker posts */
const posted = [];
const scope = /** @type {any} */ (globalThis);
scope.postMessage = (/** @type {any} */ message, /** @type {Transferable[]} */ transfer = []) => posted.push({ message, transfer });
await import("../src/photo-worker.js");
const handle = scope.onmessage;

/**
 * Send the worker one message and wait for its handler.
 * @param {Record<string, any>} data
 */
async function send(data) {
  posted.length = 0;
  await handle({ data });
  return posted.map((p) => p.message);
}

test("a read keeps its pixels in the worker; a crop is preprocess.js's, its buffers transferred", async () => {
  const [read] = await send({ type: "read", job: 1, file: new Blob([png]), name: "a.png", limits: LIMITS });
  assert.deepEqual(read, { type: "done", job: 1, result: { photo: 1, width: 13, height: 9, note: "" } });
  const [crop] = await send({ type: "crop", job: 2, photo: 1, pre: PRE });
  const pixels = await readPhoto(new Blob([png]), "a.png", LIMITS);
  const want = centreCrop(pixels.rgb, pixels.width, pixels.height, PRE);
  assert.deepEqual(crop.result.crop, want);
  assert.deepEqual(crop.result.input, normalize(want, PRE.image_size, PRE.mean, PRE.std));
  assert.deepEqual(posted[0].transfer, [crop.result.crop.buffer, crop.result.input.buffer]);
  await send({ type: "drop", photo: 1 });
  const [gone] = await send({ type: "crop", job: 3, photo: 1, pre: PRE });
  assert.deepEqual(gone, { type: "error", job: 3, message: "The photo was replaced before it was cropped; choose it again.", kind: "error" });
});

test("a read given up keeps nothing: cancelled while it decodes it says nothing, cancelled after, its pixels go", async () => {
  posted.length = 0;
  const reading = handle({ data: { type: "read", job: 4, file: new Blob([png]), name: "a.png", limits: LIMITS } });
  await handle({ data: { type: "cancel", job: 4 } });
  await reading;
  assert.deepEqual(posted, []);
  await send({ type: "read", job: 5, file: new Blob([png]), name: "a.png", limits: LIMITS });
  await send({ type: "cancel", job: 5 }); // the page had given it up as it ended
  assert.equal((await send({ type: "crop", job: 6, photo: 5, pre: PRE }))[0].type, "error");
  const [refused] = await send({ type: "read", job: 7, file: new Blob([new Uint8Array(9)]), name: "b.png", limits: LIMITS });
  assert.deepEqual(refused, { type: "error", job: 7, message: "b.png is not an image that can be read; use a JPEG, PNG, WebP, GIF or BMP file.", kind: "error" });
});

/** A worker that answers reads with the next handle and crops with empty arrays, and records what it was sent. */
class FakeWorker {
  constructor() {
    /** @type {any[]} */
    this.sent = [];
    /** @type {((event: {data: any}) => void) | null} */
    this.onmessage = null;
    /** @type {any} */
    this.onerror = null;
    this.hold = false; // reads are left unanswered
  }

  /** @param {any} message */
  postMessage(message) {
    this.sent.push(message);
    const reply = (/** @type {any} */ result) => queueMicrotask(() => this.onmessage?.({ data: { type: "done", job: message.job, result } }));
    if (message.type === "read" && !this.hold) reply({ photo: message.job, width: 13, height: 9, note: "" });
    if (message.type === "crop") reply({ crop: new Uint8Array(1), input: new Float32Array(1) });
  }
}

test("Context: a newer photo stops the older read and drops the older pixels; a crop is asked once per preprocessing", async () => {
  const worker = new FakeWorker();
  const catalog = /** @type {any} */ ({ variants: [], families: {}, labels: [], colormap: { name: "", rgb: [] }, limits: LIMITS });
  const ctx = new Context(catalog, [], /** @type {any} */ ({}), async () => /** @type {any} */ ({}), undefined,
    () => new Photos(() => /** @type {any} */ (worker)));
  const older = new AbortController();
  worker.hold = true;
  const first = ctx.use({ file: new Blob([png]), name: "a.png", source: "Upload" }, older.signal);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(worker.sent.map((m) => [m.type, m.job]), [["read", 1]]);
  older.abort(new DOMException("a newer photo", "AbortError"));
  await assert.rejects(first, { name: "AbortError" });
  assert.deepEqual(worker.sent.at(-1), { type: "cancel", job: 1 }); // the decode is stopped, not only its answer
  worker.hold = false;
  const second = await ctx.use({ file: new Blob([png]), name: "b.png", source: "Upload" }, new AbortController().signal);
  assert.equal(second.name, "b.png");
  await ctx.use({ file: new Blob([png]), name: "c.png", source: "Samples" });
  const v = /** @type {any} */ ({ preprocessing: PRE });
  const [one, two] = await Promise.all([ctx.crop(v), ctx.crop(v)]);
  assert.equal(one, two);
  const kinds = worker.sent.map((m) => (m.type === "drop" ? `drop ${m.photo}` : m.type === "cancel" ? `cancel ${m.job}` : m.type));
  assert.ok(kinds.includes(`drop ${second.handle}`), kinds.join()); // the second photo's pixels, once the third is in use
  assert.equal(kinds.filter((k) => k === "crop").length, 1);
  assert.equal(ctx.linkPhoto(null), "c.png");
});
