// @ts-check
/**
 * A zip read in the browser as Python's ``zipfile`` reads it for the app (``resnext_app.bulk``): the
 * end record found as ``_EndRecData`` finds it (the last 22 bytes, else the last 64 kB searched
 * backwards; Zip64's records where present; data prepended to the archive allowed for), the central
 * directory as ``_RealGetContents`` parses it (names in UTF-8 or code page 437, cut at a NUL, Zip64
 * extra fields), and a member's bytes as ``ZipFile.open(...).read(file_size)`` gives them: its local
 * header checked, stored or deflated (the platform's ``DecompressionStream("deflate-raw")``), never
 * inflated past its declared size, then its CRC-32 checked. Failures carry Python's own words where
 * they are deterministic (``Bad CRC-32 for file 'a/x.jpg'``, ``Bad magic number for file header``).
 *
 * The archive stays a ``Blob``: only the end, the directory and each member's slice are read, and a
 * stored member is a slice of the file (no copy).
 * @module files/zip
 */

import { bytesRepr, repr } from "../pyformat.js";
import { cp437 } from "./cp437.js";
import { crc32 } from "../crc32.js";

const END = 0x06054b50, END64 = 0x06064b50, LOCATOR64 = 0x07064b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
const MAX_EXTRACT_VERSION = 63;
const STORED = 0, DEFLATED = 8;
/** Methods Python's ``zipfile`` unpacks and a browser cannot (it has no bzip2 or LZMA). */
const PYTHON_ONLY = /** @type {Record<number, string>} */ ({ 12: "bzip2", 14: "lzma" });

/**
 * One member as the central directory describes it (``zipfile.ZipInfo``).
 * @typedef {object} Member
 * @property {string} filename The name cut at its first NUL (``ZipInfo.filename``).
 * @property {string} origFilename The name as stored.
 * @property {number} flags
 * @property {number} method
 * @property {number} crc
 * @property {number} compressSize
 * @property {number} fileSize
 * @property {number} headerOffset Where its local header starts in the file (prepended data allowed for).
 */

/** The zip cannot be opened at all: Python's ``BadZipFile`` (or worse) from ``ZipFile(...)``. */
export class NotAZip extends Error {}

/** One member cannot be unpacked; ``message`` is the reason, in Python's words where it has them. */
export class MemberError extends Error {}

/**
 * @param {Blob} blob
 * @param {number} start
 * @param {number} end
 * @returns {Promise<Uint8Array>}
 */
async function bytesOf(blob, start, end) {
  return new Uint8Array(await blob.slice(Math.max(0, start), Math.max(0, end)).arrayBuffer());
}

/** @param {Uint8Array} b @param {number} i */
const u16 = (b, i) => b[i] | (b[i + 1] << 8);
/** @param {Uint8Array} b @param {number} i */
const u32 = (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000;
/** @param {Uint8Array} b @param {number} i */
const u64 = (b, i) => u32(b, i) + u32(b, i + 4) * 0x100000000;

/**
 * The end of central directory record, as ``_EndRecData`` and ``_EndRecData64`` read it.
 * @param {Blob} blob
 * @returns {Promise<{size: number, offset: number, location: number, zip64: boolean} | null>}
 */
async function endRecord(blob) {
  const filesize = blob.size;
  if (filesize < 22) return null;
  let tail = await bytesOf(blob, filesize - 22, filesize);
  let record = null, location = 0;
  if (u32(tail, 0) === END && tail[20] === 0 && tail[21] === 0) {
    record = tail;
    location = filesize - 22;
  } else {
    const maxCommentStart = Math.max(filesize - (1 << 16) - 22, 0);
    tail = await bytesOf(blob, maxCommentStart, filesize);
    for (let start = tail.length - 4; start >= 0; start--) {
      if (tail[start] === 0x50 && u32(tail, start) === END) {
        if (tail.length - start < 22) return null;
        record = tail.subarray(start, start + 22);
        location = maxCommentStart + start;
        break;
      }
    }
    if (!record) return null;
  }
  const found = { size: u32(record, 12), offset: u32(record, 16), location, zip64: false };
  // _EndRecData64: the locator just before the end record, then the Zip64 end record before it.
  if (location - 20 < 0) return found;
  const locator = await bytesOf(blob, location - 20, location);
  if (locator.length !== 20 || u32(locator, 0) !== LOCATOR64) return found;
  if (u32(locator, 4) !== 0 || u32(locator, 16) > 1) throw new NotAZip("zipfiles that span multiple disks are not supported");
  if (location - 76 < 0) throw new NotAZip("negative seek value");
  const end64 = await bytesOf(blob, location - 76, location - 20);
  if (end64.length !== 56 || u32(end64, 0) !== END64) return found;
  return { size: u64(end64, 40), offset: u64(end64, 48), location, zip64: true };
}

/**
 * The members of a zip, in the order of its central directory (``ZipFile(...).infolist()``).
 * @param {Blob} blob
 * @returns {Promise<Member[]>}
 * @throws {NotAZip} Where ``zipfile.ZipFile`` raises (and, where Python's ``NotImplementedError`` would
 *   escape the app, for a version it does not read).
 */
export async function members(blob) {
  const end = await endRecord(blob);
  if (!end) throw new NotAZip("File is not a zip file");
  const concat = end.location - end.size - end.offset - (end.zip64 ? 76 : 0);
  const startDir = end.offset + concat;
  if (startDir < 0) throw new NotAZip("Bad offset for central directory");
  const data = await bytesOf(blob, startDir, startDir + end.size);
  const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  /** @type {Member[]} */
  const found = [];
  let at = 0, total = 0;
  while (total < end.size) {
    if (data.length - at < 46) throw new NotAZip("Truncated central directory");
    if (u32(data, at) !== CENTRAL) throw new NotAZip("Bad magic number for central directory");
    const flags = u16(data, at + 8), nameLength = u16(data, at + 28), extraLength = u16(data, at + 30), commentLength = u16(data, at + 32);
    if (data[at + 6] > MAX_EXTRACT_VERSION) throw new NotAZip(`zip file version ${(data[at + 6] / 10).toFixed(1)}`);
    const nameBytes = data.subarray(at + 46, at + 46 + nameLength);
    let origFilename;
    try {
      origFilename = flags & 0x800 ? utf8.decode(nameBytes) : cp437(nameBytes);
    } catch {
      throw new NotAZip("a name that is not UTF-8");
    }
    const extra = data.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const member = {
      filename: origFilename.includes("\0") ? origFilename.slice(0, origFilename.indexOf("\0")) : origFilename,
      origFilename, flags, method: u16(data, at + 10), crc: u32(data, at + 16), compressSize: u32(data, at + 20),
      fileSize: u32(data, at + 24), headerOffset: u32(data, at + 42),
    };
    zip64Extra(member, extra);
    member.headerOffset += concat;
    found.push(member);
    at = Math.min(data.length, at + 46 + nameLength + extraLength + commentLength);
    total += 46 + nameLength + extraLength + commentLength;
  }
  return found;
}

/**
 * ``ZipInfo._decodeExtra``: a Zip64 extra field gives the sizes and offset that say 0xFFFFFFFF.
 * @param {Member} member
 * @param {Uint8Array} extra
 */
function zip64Extra(member, extra) {
  while (extra.length >= 4) {
    const kind = u16(extra, 0), length = u16(extra, 2);
    if (length + 4 > extra.length) throw new NotAZip(`Corrupt extra field ${kind.toString(16).padStart(4, "0")} (size=${length})`);
    if (kind === 0x0001) {
      let data = extra.subarray(4, length + 4);
      /** @param {string} field */
      const next = (field) => {
        if (data.length < 8) throw new NotAZip(`Corrupt zip64 extra field. ${field} not found.`);
        const value = u64(data, 0);
        data = data.subarray(8);
        return value;
      };
      if (member.fileSize === 0xffffffff || member.fileSize === 2 ** 64 - 1) member.fileSize = next("File size");
      if (member.compressSize === 0xffffffff) member.compressSize = next("Compress size");
      if (member.headerOffset === 0xffffffff) member.headerOffset = next("Header offset");
    }
    extra = extra.subarray(length + 4);
  }
}

/**
 * A member's bytes, as ``ZipFile.open(member).read(max(file_size, 1))`` gives them: at most its
 * declared size, whatever the data would inflate to, and checked against its CRC-32.
 * @param {Blob} blob The archive.
 * @param {Member} member
 * @param {AbortSignal} [signal]
 * @returns {Promise<Blob>}
 * @throws {MemberError} Why it cannot be unpacked (Python's words where it has them).
 */
export async function unpackMember(blob, member, signal) {
  signal?.throwIfAborted();
  if (member.headerOffset < 0) throw new MemberError(`negative seek value ${member.headerOffset}`);
  const header = await bytesOf(blob, member.headerOffset, member.headerOffset + 30);
  if (header.length !== 30) throw new MemberError("Truncated file header");
  if (u32(header, 0) !== LOCAL) throw new MemberError("Bad magic number for file header");
  const nameLength = u16(header, 26), extraLength = u16(header, 28);
  const nameBytes = await bytesOf(blob, member.headerOffset + 30, member.headerOffset + 30 + nameLength);
  if (member.flags & 0x20) throw new MemberError("compressed patched data (flag bit 5)");
  if (member.flags & 0x40) throw new MemberError("strong encryption (flag bit 6)");
  let name;
  try {
    name = u16(header, 6) & 0x800 ? new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(nameBytes) : cp437(nameBytes);
  } catch {
    throw new MemberError("its name in the file header is not UTF-8");
  }
  if (name !== member.origFilename) {
    throw new MemberError(`File name in directory ${repr(member.origFilename)} and header ${bytesRepr(nameBytes)} differ.`);
  }
  if (member.method in PYTHON_ONLY) throw new MemberError(`it is compressed with ${PYTHON_ONLY[member.method]}, which a browser cannot unpack`);
  if (member.method !== STORED && member.method !== DEFLATED) throw new MemberError("That compression method is not supported");
  const start = member.headerOffset + 30 + nameLength + extraLength;
  const available = Math.max(0, Math.min(member.compressSize, blob.size - start));
  const data = blob.slice(start, start + available);
  const cut = available < member.compressSize; // Python's read runs out of bytes: EOFError
  /** @type {Blob} */
  let content;
  let crc = 0;
  if (member.method === STORED) {
    if (available < member.fileSize && cut) throw new MemberError("the archive ends inside it");
    if (cut && available === 0 && member.compressSize > 0) throw new MemberError("the archive ends inside it");
    content = data.slice(0, member.fileSize);
    crc = crc32(new Uint8Array(await content.arrayBuffer()));
  } else {
    const chunks = await inflate(data, member.fileSize, cut, signal);
    for (const chunk of chunks) crc = crc32(chunk, crc);
    content = new Blob(/** @type {BlobPart[]} */ (chunks));
  }
  if (crc !== member.crc) throw new MemberError(`Bad CRC-32 for file ${repr(member.filename)}`);
  return content;
}

/**
 * Raw deflate, stopped as soon as ``limit`` bytes are out (a zip bomb costs its declared size, no more).
 * @param {Blob} data The compressed bytes.
 * @param {number} limit The declared size.
 * @param {boolean} cut Whether the archive ended before the member's compressed size.
 * @param {AbortSignal} [signal]
 * @returns {Promise<Uint8Array[]>} The output, at most ``limit`` bytes.
 */
async function inflate(data, limit, cut, signal) {
  const reader = data.stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let total = 0, first = true;
  const stop = () => reader.cancel().catch(() => {});
  try {
    while (first || total < limit) {
      first = false;
      if (signal?.aborted) {
        stop();
        throw signal.reason;
      }
      let step;
      try {
        step = await reader.read();
      } catch {
        throw new MemberError(cut ? "the archive ends inside it" : "its compressed data is damaged");
      }
      if (step.done) return chunks;
      const chunk = step.value.subarray(0, limit - total);
      if (chunk.length) chunks.push(chunk);
      total += chunk.length;
    }
    stop();
    return chunks;
  } catch (error) {
    stop();
    throw error;
  }
}
