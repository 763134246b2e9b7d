// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { counts, labelled, readDrop, readList, readSources } from "../src/files/index.js";

/** @typedef {{name: string, file: string, files: string[], sizes: number[], folders: Record<string, string>,
 *   skipped: [string, string][], labelled: {error?: string, items?: string[], labels?: number[], classes?: string[], skipped?: [string, string][]}}} ZipCase */
/** @typedef {{name: string, files: Record<string, string>, images: string[],
 *   labelled: {error?: string, items?: string[], labels?: number[], classes?: string[], skipped?: [string, string][]}}} FolderCase */
/** @type {{max_images: number, bomb_bytes: number, zips: ZipCase[], folders: FolderCase[]}} */
const fixture = JSON.parse(readFileSync(new URL("./fixtures/files.json", import.meta.url), "utf8"));
const { limits } = JSON.parse(readFileSync(new URL("../public/models/catalog.json", import.meta.url), "utf8"));
const bytes = (/** @type {string} */ b64) => new Uint8Array(Buffer.from(b64, "base64"));
const zipFile = (/** @type {ZipCase} */ c) => new File([bytes(c.file)], c.name);
const pairs = (/** @type {{name: string, why: string}[]} */ skipped) => skipped.map((s) => [s.name, s.why]);

test("the catalog's limits are the library's, as the fixture was written with them", () => {
  assert.equal(limits.max_images, fixture.max_images);
  assert.deepEqual(limits.image_suffixes, [...limits.image_suffixes].sort());
});

test("every zip gives the app's images, in its order, with their bytes, class folders and skipped sentences", async () => {
  for (const c of fixture.zips) {
    const read = await readSources([{ kind: "file", file: zipFile(c) }], limits);
    assert.deepEqual(read.images.map((i) => i.path), c.files, c.name);
    assert.deepEqual(read.images.map((i) => i.blob.size), c.sizes, c.name);
    assert.deepEqual(pairs(read.skipped), c.skipped, c.name);
    assert.equal(read.classed, Object.keys(c.folders).length > 0, c.name);
    if (read.classed) assert.deepEqual(Object.fromEntries(read.images.map((i) => [i.path, i.folder])), c.folders, c.name);
    assert.deepEqual(read.given, [{ name: c.name, kind: "zip" }]);
  }
});

test("a member's bytes are the app's: stored, deflated, and the bomb's first declared bytes", async () => {
  const c = /** @type {ZipCase} */ (fixture.zips.find((z) => z.name === "bomb.zip"));
  const read = await readSources([{ kind: "file", file: zipFile(c) }], limits);
  const bomb = new Uint8Array(await read.images[0].blob.arrayBuffer());
  assert.equal(bomb.length, 1000);
  assert.ok(bomb.every((b) => b === 0));
  const classes = /** @type {ZipCase} */ (fixture.zips.find((z) => z.name === "classes.zip"));
  const first = await readSources([{ kind: "file", file: zipFile(classes) }], limits);
  const png = new Uint8Array(await first.images[0].blob.arrayBuffer());
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
});

test("a zip bomb is never inflated past its declared size", async () => {
  const Original = globalThis.DecompressionStream;
  let inflated = 0;
  globalThis.DecompressionStream = /** @type {any} */ (class {
    /** @param {CompressionFormat} format */
    constructor(format) {
      const inner = new Original(format);
      this.writable = inner.writable;
      this.readable = inner.readable.pipeThrough(new TransformStream({
        transform(chunk, controller) {
          inflated += chunk.length;
          controller.enqueue(chunk);
        },
      }));
    }
  });
  try {
    const c = /** @type {ZipCase} */ (fixture.zips.find((z) => z.name === "bomb.zip"));
    await readSources([{ kind: "file", file: zipFile(c) }], limits);
  } finally {
    globalThis.DecompressionStream = Original;
  }
  assert.ok(inflated < fixture.bomb_bytes / 20, `${inflated} bytes inflated of the bomb's ${fixture.bomb_bytes}`);
});

test("every zip's labelled set is the app's (from_zip: unpack, then labelled_members), or its sentence", async () => {
  for (const c of fixture.zips) {
    const read = await readSources([{ kind: "file", file: zipFile(c) }], limits);
    if (c.labelled.error) {
      assert.throws(() => labelled(read), { message: c.labelled.error }, c.name);
      continue;
    }
    const set = labelled(read);
    assert.deepEqual(set.items.map((i) => i.path), c.labelled.items, c.name);
    assert.deepEqual(set.labels, c.labelled.labels, c.name);
    assert.deepEqual(set.classes, c.labelled.classes, c.name);
    assert.deepEqual(pairs(set.skipped), c.labelled.skipped, c.name);
    assert.equal([...counts(set).values()].reduce((a, b) => a + b, 0), set.items.length);
  }
});

/** A folder case as ``readSources`` takes it, its files in a scrambled order (the reader sorts them). */
const folderSource = (/** @type {FolderCase} */ c) => ({
  kind: /** @type {const} */ ("folder"), name: c.name,
  files: Object.entries(c.files).reverse().map(([path, b64]) => ({ path, file: new File([bytes(b64)], path.split("/").at(-1) ?? "") })),
});

/** The library's probe refusals (undecodable files), which the page learns from its own decoder. */
const refusedOf = (/** @type {FolderCase} */ c) => new Map((c.labelled.skipped ?? []).map(([name, why]) => [name, why]));

/**
 * @param {FolderCase} c
 * @param {import("../src/files/index.js").Read} read
 */
function sameAsTheLibrary(c, read) {
  assert.deepEqual(read.images.map((i) => i.path), c.images, c.name);
  if (c.labelled.error) {
    assert.throws(() => labelled(read, { refused: refusedOf(c) }), { message: c.labelled.error }, c.name);
    return;
  }
  const set = labelled(read, { refused: refusedOf(c) });
  assert.deepEqual(set.items.map((i) => i.path), c.labelled.items, c.name);
  assert.deepEqual(set.labels, c.labelled.labels, c.name);
  assert.deepEqual(set.classes, c.labelled.classes, c.name);
  assert.deepEqual(pairs(set.skipped).filter(([, why]) => !why.includes("is not an image file")), c.labelled.skipped, c.name);
}

test("a folder gives the library's images (images_under) and labelled set (labelled_files)", async () => {
  for (const c of fixture.folders) sameAsTheLibrary(c, await readSources([folderSource(c)], limits));
});

test("a folder's files that are not images are listed with the zip's sentence; hidden ones are not", async () => {
  const c = /** @type {FolderCase} */ (fixture.folders.find((f) => f.name === "photos"));
  const read = await readSources([folderSource(c)], limits);
  assert.deepEqual(pairs(read.skipped), [["photos/grass/notes.txt", `photos/grass/notes.txt is not an image file (${limits.image_suffixes.join(", ")}).`]]);
  assert.equal(read.classed, false); // top.png sits at the top
  assert.equal(read.images.find((i) => i.path === "photos/brick/deeper/c.jpg")?.folder, "brick");
});

/**
 * A dropped folder as Chromium hands it over: entries whose ``readEntries`` answers two at a time.
 * @param {string} name
 * @param {Record<string, Uint8Array>} files Paths below it.
 */
function directoryEntry(name, files) {
  /** @type {Map<string, Record<string, Uint8Array>>} */
  const children = new Map();
  /** @type {any[]} */
  const entries = [];
  for (const [path, data] of Object.entries(files)) {
    const cut = path.indexOf("/");
    if (cut < 0) {
      entries.push({ name: path, isFile: true, isDirectory: false, file: (/** @type {(f: File) => void} */ ok) => setTimeout(() => ok(new File([data], path))) });
      continue;
    }
    const below = children.get(path.slice(0, cut)) ?? {};
    below[path.slice(cut + 1)] = data;
    children.set(path.slice(0, cut), below);
  }
  for (const [child, below] of children) entries.push(directoryEntry(child, below));
  return {
    name, isFile: false, isDirectory: true,
    createReader() {
      let at = 0;
      return { readEntries: (/** @type {(e: any[]) => void} */ ok) => setTimeout(() => ok(entries.slice(at, (at += 2)))) };
    },
  };
}

/** @param {any[]} items */
const transfer = (items) => /** @type {DataTransfer} */ (/** @type {unknown} */ ({ items, files: [] }));

test("a dropped folder is walked through every readEntries batch and read as the library reads it", async () => {
  for (const c of fixture.folders) {
    const entry = directoryEntry(c.name, Object.fromEntries(Object.entries(c.files).map(([p, b]) => [p, bytes(b)])));
    const read = await readDrop(transfer([{ kind: "file", webkitGetAsEntry: () => entry, getAsFile: () => null }]), limits);
    sameAsTheLibrary(c, read);
  }
});

test("a drop of a zip and a photo, and a picked folder (webkitRelativePath), are read in the order given", async () => {
  const c = /** @type {ZipCase} */ (fixture.zips.find((z) => z.name === "classes.zip"));
  const photo = new File([bytes(/** @type {FolderCase} */ (fixture.folders[0]).files["brick/a.png"])], "mine.png");
  const note = new File(["x"], "note.txt");
  const items = [zipFile(c), photo, note].map((file) => ({ kind: "file", webkitGetAsEntry: () => ({ isFile: true, isDirectory: false }), getAsFile: () => file }));
  const read = await readDrop(transfer(items), limits);
  assert.deepEqual(read.images.map((i) => i.path), [...c.files, "mine.png"]);
  assert.deepEqual(pairs(read.skipped), [...c.skipped, ["note.txt", `note.txt is not an image file (${limits.image_suffixes.join(", ")}).`]]);
  assert.equal(read.classed, false); // a photo on its own has no class folder

  const folder = /** @type {FolderCase} */ (fixture.folders.find((f) => f.name === "photos"));
  const list = Object.entries(folder.files).map(([path, b64]) => {
    const file = new File([bytes(b64)], path.split("/").at(-1) ?? "");
    Object.defineProperty(file, "webkitRelativePath", { value: `photos/${path}` });
    return file;
  });
  sameAsTheLibrary(folder, await readList(list, limits));
});

test("the limits: max_images past the batch's images, max_upload_mb before a file is read", async () => {
  const photo = bytes(/** @type {FolderCase} */ (fixture.folders[0]).files["brick/a.png"]);
  const files = Array.from({ length: limits.max_images + 2 }, (_, i) => new File([photo], `p${i}.png`));
  const read = await readList(files, limits);
  assert.equal(read.images.length, limits.max_images);
  assert.deepEqual(pairs(read.skipped).map(([name]) => name), [`p${limits.max_images}.png`, `p${limits.max_images + 1}.png`]);
  assert.match(read.skipped[0].why, new RegExp(`is past the ${limits.max_images} images of one batch`));

  const big = new File([new Uint8Array(2000)], "big.zip");
  const small = { ...limits, max_upload_mb: 0.001 }; // 1000 bytes: the rule, not the catalog's number
  const refused = await readList([big], small);
  assert.deepEqual(pairs(refused.skipped), [["big.zip", "big.zip is larger than 0.001 MB, the most one file may be; make it smaller or split it."]]);
});

test("a read stops with its signal's reason", async () => {
  const c = /** @type {ZipCase} */ (fixture.zips.find((z) => z.name === "many.zip"));
  const controller = new AbortController();
  const reason = new DOMException("A newer choice replaced this one.", "AbortError");
  const reading = readSources([{ kind: "file", file: zipFile(c) }], limits, { signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(reading, (error) => error === reason);
  const aborted = AbortSignal.abort(reason);
  await assert.rejects(readList([zipFile(c)], limits, { signal: aborted }), (error) => error === reason);
});
