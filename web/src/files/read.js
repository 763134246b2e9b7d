// @ts-check
/**
 * Many files at once, turned into the images of one batch as the Python app's Batch page turns its
 * uploads into them (``resnext_app.bulk.unpack``), with folders read as the library reads them
 * (``resnext.bulk.inputs.images_under``): in the order given, a zip's members in its own order, a
 * folder's images sorted part by part, hidden files and folders left out, at most ``max_images``
 * images, at most ``max_unpacked`` bytes unpacked from zips (declared and actual), no file over
 * ``max_upload_mb``. What is left out is listed with the app's sentence for it.
 *
 * Each image's ``folder`` is its class folder as the library labels it: in a zip the folder it sits
 * in (``PurePosixPath(member).parent.name``, as the app reads a zip's classes); in a dropped or picked
 * folder the first folder below it (as ``labelled_files`` and ``resnext eval`` read one); none for a
 * file given on its own or at the top of a folder.
 * @module files/read
 */

import { byParts, isImageName, nameOf, parts } from "./paths.js";
import { members, MemberError, NotAZip, unpackMember } from "./zip.js";

/**
 * The limits of a batch: the exported catalog's ``limits`` (``resnext.bulk.inputs``).
 * @typedef {{max_images: number, max_unpacked: number, max_upload_mb: number, image_suffixes: string[]}} Limits
 */

/**
 * One image of the batch.
 * @typedef {object} Image
 * @property {string} path Its name as the app writes it: "x.jpg", "photos.zip/brick/1.png", "photos/brick/1.png".
 * @property {string} name The file's own name.
 * @property {Blob} blob Its bytes (a file, a slice of a stored zip member, or what a deflated one inflated to).
 * @property {string | null} folder Its class folder, or null.
 * @property {string | null} source The zip or folder it came from (its name), null for a file on its own.
 * @property {"zip" | "folder" | "file"} kind How it was given: in a zip, in a folder, or on its own.
 */

/**
 * What was read.
 * @typedef {object} Read
 * @property {Image[]} images In the library's order.
 * @property {{name: string, why: string}[]} skipped Each file left out, with the sentence that says why.
 * @property {boolean} classed Every image has a class folder (the app's condition for scoring a batch).
 * @property {{name: string, kind: "zip" | "folder" | "file"}[]} given What was read, in order.
 */

/**
 * A file to read: one on its own (a ``.zip`` is opened), or a folder's files with their paths below it
 * ("brick/1.png"); a folder's ``file`` may be a maker of it (a dropped entry's ``file()``, asked only when needed).
 * @typedef {{kind: "file", file: File}
 *   | {kind: "folder", name: string, files: {path: string, file: File | (() => Promise<File>)}[]}} Source
 */

/**
 * Read the sources into the images of one batch.
 * @param {Source[]} sources In the order given.
 * @param {Limits} limits
 * @param {{signal?: AbortSignal, progress?: (done: number, total: number) => void}} [options]
 * @returns {Promise<Read>}
 */
export async function readSources(sources, limits, { signal, progress } = {}) {
  /** @type {Image[]} */
  const images = [];
  /** @type {{name: string, why: string}[]} */
  const skipped = [];
  /** @type {{name: string, why: string}[]} */
  const over = []; // past max_images: listed last, as the app lists them
  let unpacked = 0;
  const total = sources.reduce((n, s) => n + (s.kind === "folder" ? s.files.length : 1), 0);
  let done = 0;
  const step = () => progress?.(++done, total);
  const suffixes = limits.image_suffixes;
  const tooLarge = (/** @type {string} */ name, /** @type {number} */ size) => size > limits.max_upload_mb * 1e6
    ? `${name} is larger than ${limits.max_upload_mb} MB, the most one file may be; make it smaller or split it.` : null;
  const notImage = (/** @type {string} */ name) => `${name} is not an image file (${suffixes.join(", ")}).`;
  /** @param {Image} image */
  const add = (image) => {
    if (images.length < limits.max_images) images.push(image);
    else over.push({ name: image.path, why: pastMax(image.path) });
  };
  const pastMax = (/** @type {string} */ name) => `${name} is past the ${limits.max_images} images of one batch; send it in another batch.`;

  for (const source of sources) {
    signal?.throwIfAborted();
    if (source.kind === "folder") {
      const files = [...source.files].sort((a, b) => byParts(a.path, b.path));
      for (const { path, file } of files) {
        signal?.throwIfAborted();
        const below = parts(path);
        const full = `${source.name}/${path}`;
        step();
        if (below.some((p) => p.startsWith("."))) continue;
        if (!isImageName(nameOf(below), suffixes)) {
          skipped.push({ name: full, why: notImage(full) });
          continue;
        }
        let got;
        try {
          got = typeof file === "function" ? await file() : file;
        } catch (error) {
          skipped.push({ name: full, why: `${full} cannot be read (${message(error)}); choose it again.` });
          continue;
        }
        signal?.throwIfAborted();
        const large = tooLarge(full, got.size);
        if (large) skipped.push({ name: full, why: large });
        else add({ path: full, name: nameOf(below), blob: got, folder: below.length >= 2 ? below[0] : null, source: source.name, kind: "folder" });
      }
      continue;
    }
    const { file } = source;
    step();
    const large = tooLarge(file.name, file.size);
    if (large) {
      skipped.push({ name: file.name, why: large });
      continue;
    }
    if (!file.name.toLowerCase().endsWith(".zip")) {
      if (isImageName(file.name, suffixes)) add({ path: file.name, name: file.name, blob: file, folder: null, source: null, kind: "file" });
      else skipped.push({ name: file.name, why: notImage(file.name) });
      continue;
    }
    unpacked = await readZip(file, unpacked);
  }
  const classed = images.length > 0 && images.every((i) => i.folder !== null);
  /** @type {Read["given"]} */
  const given = sources.map((s) => s.kind === "folder" ? { name: s.name, kind: "folder" }
    : { name: s.file.name, kind: s.file.name.toLowerCase().endsWith(".zip") ? "zip" : "file" });
  return { images, skipped: [...skipped, ...over], classed, given };

  /**
   * The members of one zip, as the app's loop over ``infolist()``.
   * @param {File} file
   * @param {number} unpacked Bytes the batch's zips unpacked so far.
   * @returns {Promise<number>} Bytes unpacked after it.
   */
  async function readZip(file, unpacked) {
    const name = file.name;
    let entries;
    try {
      entries = await members(file);
    } catch (error) {
      if (!(error instanceof NotAZip)) {
        skipped.push({ name, why: `${name} cannot be read (${message(error)}); choose it again.` });
        return unpacked;
      }
      skipped.push({ name, why: `${name} is not a zip archive that can be read; zip the images again.` });
      return unpacked;
    }
    for (const member of entries) {
      signal?.throwIfAborted();
      const path = parts(member.filename);
      if (member.filename.endsWith("/") || path.some((p) => p.startsWith(".") || p === "__MACOSX")) continue;
      const inner = `${name}/${member.filename}`;
      if (!isImageName(nameOf(path), suffixes)) {
        skipped.push({ name: inner, why: notImage(inner) });
        continue;
      }
      if (unpacked + member.fileSize > limits.max_unpacked) {
        skipped.push({ name: inner, why: `${inner} is past the ${Math.floor(limits.max_unpacked / 1e9)} GB a batch may unpack; send the rest as another batch.` });
        continue;
      }
      if (member.flags & 0x1) {
        skipped.push({ name: inner, why: `${inner} is encrypted; zip it again without encryption.` });
        continue;
      }
      if (images.length >= limits.max_images) { // the app unpacks it only to leave it out: not unpacked here
        over.push({ name: inner, why: pastMax(inner) });
        unpacked += member.fileSize;
        continue;
      }
      let blob;
      try {
        blob = await unpackMember(file, member, signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        skipped.push({ name: inner, why: error instanceof MemberError
          ? `${inner} cannot be unpacked (${error.message}); zip it again.`
          : `${inner} cannot be read (${message(error)}); choose the zip again.` });
        continue;
      }
      unpacked += blob.size;
      const parent = path.length >= 2 ? nameOf(path.slice(0, -1)) : null;
      add({ path: inner, name: nameOf(path), blob, folder: parent, source: name, kind: "zip" });
    }
    return unpacked;
  }
}

/** @param {unknown} error */
const message = (error) => (error instanceof Error ? error.message : String(error));
