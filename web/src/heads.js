// @ts-check
/**
 * Classifiers of the visitor's own classes, for the visit: a head made or loaded on the page Your
 * classes is choosable on Classify and Side by side like a variant, under its own id (its backbone
 * and a digest of the head, the Python app's ``register_head`` id), in the family "Your classes".
 * Its answer is its backbone's, with the head as the last layer (the standardisation folded in, as
 * the library's ``Classifier.with_head``): its classes' probabilities, and CAM of its classes.
 * @module heads
 */

import { Sha256 } from "./sha256.js";
import { foldedLinear } from "./transfer/head.js";
import { softmax } from "./models.js";
import { pool } from "./pool.js";

/** The family a head is listed under, and its heading in pickers (the Python app's). */
export const YOUR_CLASSES = "Your classes";
export const FAMILY_LABEL = "Your classes: classifiers trained on the page Your classes";

/** @typedef {import("./transfer/head.js").Head} Head */
/** @typedef {{id: string, name: string, head: Head, linear: {weight: Float32Array, bias: Float32Array}}} Own */

/**
 * A head's id, as the Python app's ``register_head`` makes it: ``backbone+`` the first 12 hex of the
 * SHA-256 of the backbone, the four tensors' bytes and the class names joined by newlines.
 * @param {Head} head
 * @returns {string}
 */
export function headId(head) {
  const sha = new Sha256().update(new TextEncoder().encode(head.backbone));
  for (const t of [head.weight, head.bias, head.mean, head.scale]) sha.update(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  sha.update(new TextEncoder().encode(head.classes.join("\n")));
  return `${head.backbone}+${sha.hex().slice(0, 12)}`;
}

export class Heads {
  constructor() {
    /** @type {Map<string, Own>} in the order they were kept */
    this.byId = new Map();
  }

  /**
   * Offer a head on the other pages (the same head again keeps its place and takes the new name).
   * @param {string} name What the page calls it.
   * @param {Head} head
   * @returns {Own}
   */
  keep(name, head) {
    const id = headId(head);
    const own = { id, name, head, linear: this.byId.get(id)?.linear ?? foldedLinear(head) };
    this.byId.set(id, own);
    return own;
  }

  /** @param {string} id @returns {Own | undefined} */
  get(id) {
    return this.byId.get(id);
  }

  /** @returns {Own[]} */
  all() {
    return [...this.byId.values()];
  }
}

/**
 * A head in a picker, as the Python app writes it: "3 classes (brick, grass, gravel) on ssl_resnext50_32x4d".
 * @param {Head} head
 * @returns {string}
 */
export function headLabel(head) {
  const names = head.classes.slice(0, 3).join(", ") + (head.classes.length > 3 ? ", …" : "");
  return `${head.classes.length} classes (${names}) on ${head.backbone}`;
}

/**
 * What a head is and how it runs here, as the Python app's model card says it.
 * @param {Head} head
 * @returns {string}
 */
export function headCard(head) {
  const fitted = head.preprocessing.precision;
  const here = fitted === "fp32" && !head.preprocessing.fast ? "it runs in exact mode, as it was fitted"
    : `it was fitted on ${fitted} features, and this page runs fp32: its answers are approximate`;
  return `Your classifier: ${head.classes.length} classes (${head.classes.join(", ")}), a linear head trained on the page `
    + `Your classes over ${head.backbone}'s features; ${here}.`;
}

/**
 * The class names a model answers in: a head's classes, else ImageNet's.
 * @param {import("./context.js").Context} ctx
 * @param {string} id A variant's or a head's.
 * @returns {string[]}
 */
export function labelsOf(ctx, id) {
  return ctx.heads.get(id)?.head.classes ?? ctx.catalog.labels;
}

/**
 * The backbone's answer with the head as its last layer: the head's probabilities of the pooled
 * features (float32 layer, float64 sums), and its folded weights for CAM.
 * @template {import("./models.js").Answer} A
 * @param {Own} own
 * @param {A} answer The backbone's.
 * @returns {A}
 */
export function onHead(own, answer) {
  const [channels, h, w] = answer.featureShape;
  const pooled = pool(answer.features, 1, channels, h * w); // as the library pools, in float32
  const logits = linear(own, pooled, 1, new Float64Array(own.linear.bias.length));
  return { ...answer, probabilities: softmax(logits), fcWeight: own.linear.weight };
}

/**
 * A batch's logits through a head: its linear layer on each image's pooled features (float64 sums),
 * for the explanations that follow a head's class.
 * @param {Own} own
 * @param {Float32Array} pooled (n, channels), as the worker's batch gives them.
 * @param {number} n
 * @returns {Float32Array} (n, classes).
 */
export const headLogits = (own, pooled, n) => linear(own, pooled, n, new Float32Array(n * own.linear.bias.length));

/**
 * A head's linear layer on n rows of pooled features, each logit summed in float64 and written to ``out``.
 * @template {Float32Array | Float64Array} T
 * @param {Own} own
 * @param {Float32Array} pooled (n, channels).
 * @param {number} n
 * @param {T} out (n, classes).
 * @returns {T}
 */
function linear(own, pooled, n, out) {
  const { weight, bias } = own.linear;
  const channels = pooled.length / n;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < bias.length; k++) {
      let s = bias[k];
      for (let c = 0; c < channels; c++) s += weight[k * channels + c] * pooled[i * channels + c];
      out[i * bias.length + k] = s;
    }
  }
  return out;
}
