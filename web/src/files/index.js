// @ts-check
/**
 * Many images at once, read as the Python app and the library read them: the browser edition's
 * reader for the Batch and Your classes pages.
 *
 * - ``readDrop(dataTransfer, limits, {signal, progress})`` (call it inside the ``drop`` listener: the
 *   browser empties the transfer afterwards) and ``readList(fileList, limits, {signal, progress})``
 *   (``<input type=file multiple>`` or ``webkitdirectory``) → ``{images, skipped, classed, given}``:
 *   - ``images``: ``{path, name, blob, folder, source}`` in the library's order (what was given in
 *     order; a zip's members in its order; a folder's images sorted part by part, hidden ones left
 *     out), at most ``limits.max_images``. ``path`` is the name the app writes ("x.jpg",
 *     "photos.zip/brick/1.png", "photos/brick/1.png"); ``folder`` the class folder (a zip member's
 *     parent folder, as the app; the first folder below a dropped or picked folder, as
 *     ``resnext eval``), or null.
 *   - ``skipped``: ``[{name, why}]``, the app's sentence for each file left out (not an image, not a
 *     readable zip, encrypted, damaged, over ``max_upload_mb``, past ``max_unpacked`` or ``max_images``).
 *   - ``classed``: every image has a class folder (the batch can be scored, as the app's ``Batch.folders``).
 *   - ``given``: what was read (``{name, kind: "zip" | "folder" | "file"}``).
 *   ``limits`` is ``catalog.limits`` (``max_images``, ``max_unpacked``, ``max_upload_mb``,
 *   ``image_suffixes``: the library's, never retyped). The signal stops the read (it rejects with the
 *   signal's reason).
 * - ``labelled(read, {where, refused})`` → ``{items, labels, classes, skipped}`` as
 *   ``resnext.transfer.data`` (``labelled_members`` and ``_checked``); throws an ``Error`` whose message
 *   is the library's sentence (fewer than two classes, a class with fewer than two images).
 *   ``counts(set)``: images per class.
 * - ``picker({limits, signal, onRead, label})``: the drop zone with "Choose folder" and "Choose
 *   files" (zips allowed), calling ``onRead(read, signal)`` with each choice's own signal (a newer
 *   choice aborts the older read); ``skippedList(skipped)``: a ``<details>`` listing each file left out
 *   and why.
 * - Lower down: ``readSources(sources, limits, options)``, ``fromDataTransfer``, ``fromFileList``,
 *   ``walk`` (a dropped folder's entries), and ``files/zip.js``'s ``members`` and ``unpackMember``.
 * @module files
 */

export { counts, labelled } from "./labelled.js";
export { picker, skippedList } from "./picker.js";
export { readSources } from "./read.js";
export { fromDataTransfer, fromFileList, readDrop, readList, walk } from "./sources.js";

/**
 * @typedef {import("./read.js").Read} Read
 * @typedef {import("./read.js").Image} Image
 * @typedef {import("./read.js").Limits} Limits
 * @typedef {import("./labelled.js").Labelled} Labelled
 */

