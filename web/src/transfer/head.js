// @ts-check
/**
 * A classifier of the visitor's classes as the library's own head file (``resnext-head/1``, see
 * ``resnext.transfer.head``): safetensors holding the probe's ``weight`` (classes, 2048) and
 * ``bias`` on standardised features and the standardisation's ``mean`` and ``scale``, all float32;
 * its header metadata holds the format, the backbone's id, the class names and the preprocessing
 * (as JSON) that made the features. A file written here loads in ``resnext predict --head`` and the
 * Python app; a file ``resnext probe --save-head`` wrote loads here, checked field by field as the
 * library checks it, with the library's sentences.
 * @module transfer/head
 */

import { readHeader } from "../safetensors.js";
import { probeWeights } from "./probe.js";

/** @typedef {import("./probe.js").Probe} Probe */
/** @typedef {import("./linalg.js").Floats} Floats */

export const FORMAT = "resnext-head/1";
export const MAX_CLASSES = 1000;
export const MAX_CLASS_CHARS = 100;
/** Pooled features of every ResNeXt of the catalog (the library's ``architecture.FEATURES``). */
export const FEATURES = 2048;
export const PRECISIONS = ["fp32", "bf16"];
export const TENSORS = ["weight", "bias", "mean", "scale"];
const STANDARDISATION = "features are (x - mean) / scale before weight and bias";
const REMEDY = "give a file that `resnext probe --save-head` or the Your classes page wrote";

/**
 * @typedef {object} Preprocessing How the features were made: the backbone's transform, the mode and the precision.
 * @property {number} image_size
 * @property {number} resize_to
 * @property {string} interpolation
 * @property {number[]} mean
 * @property {number[]} std
 * @property {boolean} fast
 * @property {string} precision
 */

/**
 * @typedef {object} Variant The catalog's entry for a backbone (``catalog.json``), as much as a head needs.
 * @property {string} id
 * @property {string} [timm_name]
 * @property {{image_size: number, resize_to: number, interpolation: string, mean: number[], std: number[]}} preprocessing
 */

/**
 * @typedef {object} Head
 * @property {string[]} classes
 * @property {string} backbone The variant's id.
 * @property {Float32Array} weight (classes, FEATURES) on standardised features.
 * @property {Float32Array} bias (classes)
 * @property {Float32Array} mean (FEATURES)
 * @property {Float32Array} scale (FEATURES), positive.
 * @property {Preprocessing} preprocessing
 */

/**
 * A probe fitted on every image (:func:`fitProbe`) as a head on ``variant``'s features.
 * @param {Probe} probe
 * @param {string[]} names The class names, by label index.
 * @param {Variant} variant
 * @param {{fast?: boolean, precision?: string}} [made] How the features were computed (exact, fp32 in the browser).
 * @returns {Head}
 */
export function headFromProbe(probe, names, variant, made = {}) {
  const d = probe.mean.length;
  const { weight, bias } = probeWeights(probe, d);
  const t = variant.preprocessing;
  return {
    classes: probe.classes.map((k) => names[k]), backbone: variant.id,
    weight: Float32Array.from(weight), bias: Float32Array.from(bias),
    mean: Float32Array.from(probe.mean), scale: Float32Array.from(probe.scale),
    preprocessing: {
      image_size: t.image_size, resize_to: t.resize_to, interpolation: t.interpolation, mean: [...t.mean],
      std: [...t.std], fast: made.fast ?? false, precision: made.precision ?? "fp32",
    },
  };
}

/**
 * The head as the bytes of its file.
 * @param {Head} head
 * @returns {Uint8Array}
 */
export function writeHead(head) {
  const metadata = {
    format: FORMAT, backbone: head.backbone, classes: pythonJson(head.classes),
    preprocessing: pythonJson(head.preprocessing), standardisation: STANDARDISATION,
  };
  /** @type {Record<string, unknown>} */
  const entries = { __metadata__: metadata };
  const tensors = [...TENSORS].sort().map((key) => /** @type {[string, Float32Array]} */ ([key, head[/** @type {"weight"} */ (key)]]));
  let offset = 0;
  for (const [key, values] of tensors) {
    const shape = key === "weight" ? [head.classes.length, values.length / head.classes.length] : [values.length];
    entries[key] = { dtype: "F32", shape, data_offsets: [offset, offset + values.byteLength] };
    offset += values.byteLength;
  }
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) {
    throw new Error("This device stores numbers big-endian; a head file cannot be written here.");
  }
  const json = new TextEncoder().encode(JSON.stringify(entries));
  const padded = Math.ceil(json.length / 8) * 8; // the data starts 8-byte aligned, as safetensors writes it
  const header = new Uint8Array(padded).fill(0x20);
  header.set(json);
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(header, 8);
  let at = 8 + padded;
  for (const [, values] of tensors) {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}

/**
 * Read a head file, checking every field before anything is kept.
 * @param {Uint8Array} bytes The whole file.
 * @param {string} name What messages call it.
 * @param {Variant[]} variants The catalog's variants.
 * @returns {Head}
 * @throws {Error} One sentence: the file is not a valid head, and which field.
 */
export function readHead(bytes, name, variants) {
  let header;
  try {
    header = readHeader(bytes, name);
  } catch {
    throw new Error(`${name} is not a classifier head (it is cut off, damaged or not a safetensors file); ${REMEDY}.`);
  }
  try {
    const meta = header.metadata;
    if (meta.format !== FORMAT) throw new Invalid(`its format is ${pythonRepr(meta.format ?? null)}, not ${FORMAT}`);
    const keys = [...header.tensors.keys()].sort();
    if (keys.join() !== [...TENSORS].sort().join()) {
      throw new Invalid(`it holds [${keys.map(pythonRepr).join(", ")}], not [${TENSORS.map(pythonRepr).join(", ")}]`);
    }
    return checked(bytes, header, variants);
  } catch (error) {
    if (error instanceof Invalid) throw new Error(`${name} is not a valid classifier head: ${error.message}; ${REMEDY}.`);
    throw error;
  }
}

/** A head file that reads but says something impossible (the reason, for one sentence). */
class Invalid extends Error {}

const DTYPES = /** @type {Record<string, string>} */ ({
  F64: "float64", F32: "float32", F16: "float16", BF16: "bfloat16", I64: "int64", I32: "int32", I16: "int16",
  I8: "int8", U8: "uint8", BOOL: "bool",
});

/**
 * @param {Uint8Array} bytes
 * @param {import("../safetensors.js").Header} header
 * @param {Variant[]} variants
 * @returns {Head}
 */
function checked(bytes, header, variants) {
  const meta = header.metadata;
  const classes = parsed(meta, "classes");
  if (!Array.isArray(classes) || classes.length < 2 || classes.length > MAX_CLASSES) {
    throw new Invalid(`its classes must be a list of 2 to ${MAX_CLASSES} names`);
  }
  if (!classes.every((c) => typeof c === "string" && c.trim().length > 0 && [...c].length <= MAX_CLASS_CHARS)) {
    throw new Invalid(`each class must be a non-empty name of at most ${MAX_CLASS_CHARS} characters`);
  }
  if (new Set(classes).size !== classes.length) throw new Invalid("two of its classes have the same name");
  const backbone = String(meta.backbone ?? "None");
  const variant = variants.find((v) => v.id === backbone || v.timm_name === backbone);
  if (!variant) throw new Invalid(`its backbone ${pythonRepr([...backbone].slice(0, 60).join(""))} is not a model of this catalog`);
  const preprocessing = parsed(meta, "preprocessing");
  if (!preprocessing || typeof preprocessing !== "object" || Array.isArray(preprocessing)
    || !PRECISIONS.includes(preprocessing.precision) || typeof preprocessing.fast !== "boolean") {
    throw new Invalid("its preprocessing does not say its precision and mode");
  }
  const own = variant.preprocessing;
  for (const key of /** @type {(keyof typeof own)[]} */ (["image_size", "resize_to", "interpolation", "mean", "std"])) {
    if (JSON.stringify(preprocessing[key]) !== JSON.stringify(own[key])) throw new Invalid(`its preprocessing is not ${variant.id}'s`);
  }
  const n = classes.length;
  const shapes = { weight: [n, FEATURES], bias: [n], mean: [FEATURES], scale: [FEATURES] };
  /** @type {Record<string, Float32Array>} */
  const tensors = {};
  for (const [key, shape] of Object.entries(shapes)) {
    const entry = /** @type {import("../safetensors.js").TensorEntry} */ (header.tensors.get(key));
    if (entry.dtype !== "F32" || entry.shape.join() !== shape.join()) {
      throw new Invalid(`its ${key} is ${DTYPES[entry.dtype] ?? entry.dtype} ${pythonTuple(entry.shape)}, not float32 ${pythonTuple(shape)}`);
    }
    const values = new Float32Array(bytes.slice(entry.begin, entry.end).buffer); // a copy: the head outlives the file
    if (!values.every(Number.isFinite)) throw new Invalid(`its ${key} holds values that are not finite`);
    tensors[key] = values;
  }
  if (!tensors.scale.every((v) => v > 0)) throw new Invalid("its scale holds values that are not positive");
  return {
    classes, backbone: variant.id, weight: tensors.weight, bias: tensors.bias, mean: tensors.mean,
    scale: tensors.scale, preprocessing,
  };
}

/**
 * A JSON field of the header.
 * @param {Record<string, string>} meta @param {string} key
 * @returns {any}
 */
function parsed(meta, key) {
  if (!(key in meta)) throw new Invalid(`its header has no ${key}`);
  try {
    return JSON.parse(meta[key]);
  } catch {
    throw new Invalid(key === "classes" ? "its classes are not JSON" : `its ${key} is not JSON`);
  }
}

/**
 * The head's class probabilities for pooled features (the library's ``Head.probabilities``).
 * @param {Head} head
 * @param {Floats} features (n, FEATURES).
 * @returns {Float64Array} (n, classes).
 */
export function headProbabilities(head, features) {
  const d = head.mean.length;
  const k = head.classes.length;
  const n = features.length / d;
  const out = new Float64Array(n * k);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = (features[i * d + j] - head.mean[j]) / head.scale[j];
    let top = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = head.bias[c];
      for (let j = 0; j < d; j++) s += z[j] * head.weight[c * d + j];
      out[i * k + c] = s;
      top = Math.max(top, s);
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += (out[i * k + c] = Math.exp(out[i * k + c] - top));
    for (let c = 0; c < k; c++) out[i * k + c] /= sum;
  }
  return out;
}

/**
 * The head as one linear layer on raw pooled features, the standardisation folded in (the
 * library's ``Head.linear``): ``W / scale`` and ``b - (W / scale) mean``, folded in float64.
 * @param {Head} head
 * @returns {{weight: Float32Array, bias: Float32Array}} (classes, FEATURES) and (classes).
 */
export function foldedLinear(head) {
  const d = head.mean.length;
  const k = head.classes.length;
  const weight = new Float32Array(k * d);
  const bias = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    let shift = 0;
    for (let j = 0; j < d; j++) {
      const w = head.weight[c * d + j] / head.scale[j];
      weight[c * d + j] = w;
      shift += w * head.mean[j];
    }
    bias[c] = head.bias[c] - shift;
  }
  return { weight, bias };
}

/**
 * A value as Python's ``json.dumps`` writes it (", " and ": " between items, non-ASCII escaped),
 * so that a head's metadata reads as the library's.
 * @param {unknown} value
 * @returns {string}
 */
export function pythonJson(value) {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => (ch === "\u007f" ? ch : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** @param {unknown} value @returns {string} Python's repr of a string or None. */
function pythonRepr(value) {
  if (value === null) return "None";
  const s = String(value);
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** @param {number[]} shape @returns {string} Python's repr of a shape tuple. */
function pythonTuple(shape) {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}
