// @ts-check
/**
 * What a visitor gives the page, as the sources ``read.js`` reads: a drop (``DataTransfer``: files,
 * zips and folders, a folder walked with ``webkitGetAsEntry()`` through every batch of
 * ``readEntries``), or a ``FileList`` from ``<input type=file multiple>`` (files and zips) or from
 * ``<input type=file webkitdirectory>`` (one folder, each file's ``webkitRelativePath`` below it).
 * Hidden folders are not walked (the library skips what is under them). ``readDrop`` and ``readList``
 * read them (``read.js``).
 * @module files/sources
 */

import { readSources } from "./read.js";

/** @typedef {import("./read.js").Source} Source */

/**
 * A drop's sources, taken at once: the browser empties a ``DataTransfer`` when its event ends, so
 * call this in the ``drop`` listener itself; the folders are walked later, by ``walk``.
 * @param {DataTransfer} transfer
 * @returns {(Source | {kind: "entry", entry: FileSystemDirectoryEntry})[]}
 */
export function fromDataTransfer(transfer) {
  /** @type {(Source | {kind: "entry", entry: FileSystemDirectoryEntry})[]} */
  const sources = [];
  const items = transfer.items ? [...transfer.items].filter((i) => i.kind === "file") : [];
  if (!items.length) return [...transfer.files].map((file) => ({ kind: "file", file }));
  for (const item of items) {
    const entry = typeof item.webkitGetAsEntry === "function" ? item.webkitGetAsEntry() : null;
    if (entry?.isDirectory) {
      sources.push({ kind: "entry", entry: /** @type {FileSystemDirectoryEntry} */ (entry) });
      continue;
    }
    const file = item.getAsFile();
    if (file) sources.push({ kind: "file", file });
  }
  return sources;
}

/**
 * A file input's sources: files chosen one by one are files; those of a chosen folder
 * (``webkitRelativePath`` "photos/brick/1.png") are that folder's, in the order the list gives them.
 * @param {FileList | File[]} list
 * @returns {Source[]}
 */
export function fromFileList(list) {
  /** @type {Source[]} */
  const sources = [];
  /** @type {Map<string, {path: string, file: File}[]>} */
  const folders = new Map();
  for (const file of list) {
    const relative = file.webkitRelativePath || "";
    const cut = relative.indexOf("/");
    if (cut < 0) {
      sources.push({ kind: "file", file });
      continue;
    }
    const root = relative.slice(0, cut);
    let files = folders.get(root);
    if (!files) {
      files = [];
      folders.set(root, files);
      sources.push({ kind: "folder", name: root, files });
    }
    files.push({ path: relative.slice(cut + 1), file });
  }
  return sources;
}

/**
 * A dropped folder's files, walked recursively (every ``readEntries`` batch until an empty one),
 * hidden folders not entered; each file's ``File`` is asked for only when it is read.
 * @param {FileSystemDirectoryEntry} root
 * @param {AbortSignal} [signal]
 * @returns {Promise<Source>}
 */
export async function walk(root, signal) {
  /** @type {{path: string, file: () => Promise<File>}[]} */
  const files = [];
  /** @param {FileSystemDirectoryEntry} folder @param {string} prefix */
  const visit = async (folder, prefix) => {
    const reader = folder.createReader();
    for (;;) {
      signal?.throwIfAborted();
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) return;
      for (const entry of /** @type {FileSystemEntry[]} */ (batch)) {
        const path = prefix + entry.name;
        if (entry.isDirectory) {
          if (!entry.name.startsWith(".")) await visit(/** @type {FileSystemDirectoryEntry} */ (entry), `${path}/`);
        } else if (entry.isFile) {
          const fileEntry = /** @type {FileSystemFileEntry} */ (entry);
          files.push({ path, file: () => new Promise((resolve, reject) => fileEntry.file(resolve, reject)) });
        }
      }
    }
  };
  await visit(root, "");
  return { kind: "folder", name: root.name, files };
}

/**
 * @typedef {import("./read.js").Read} Read
 * @typedef {import("./read.js").Limits} Limits
 * @typedef {{signal?: AbortSignal, progress?: (done: number, total: number) => void}} Options
 */

/**
 * Read a drop. Its items are taken before the first ``await``, so call it in the ``drop`` listener.
 * @param {DataTransfer} transfer
 * @param {Limits} limits
 * @param {Options} [options]
 * @returns {Promise<Read>}
 */
export async function readDrop(transfer, limits, options = {}) {
  const taken = fromDataTransfer(transfer);
  /** @type {import("./read.js").Source[]} */
  const sources = [];
  /** @type {{name: string, why: string}[]} */
  const unread = [];
  for (const source of taken) {
    if (source.kind !== "entry") {
      sources.push(source);
      continue;
    }
    try {
      sources.push(await walk(source.entry, options.signal));
    } catch (error) {
      options.signal?.throwIfAborted();
      unread.push({ name: source.entry.name, why: `${source.entry.name} cannot be read (${error instanceof Error ? error.message : String(error)}); choose it again.` });
    }
  }
  const read = await readSources(sources, limits, options);
  return { ...read, skipped: [...unread, ...read.skipped] };
}

/**
 * Read a file input's list (``multiple``, or ``webkitdirectory``).
 * @param {FileList | File[]} list
 * @param {Limits} limits
 * @param {Options} [options]
 * @returns {Promise<Read>}
 */
export function readList(list, limits, options = {}) {
  return readSources(fromFileList(list), limits, options);
}
