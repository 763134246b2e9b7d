// Run by tests/export/test_web_explain.py: occlusion and faithfulness (web/src/explain/) on a graph and its
// weights through onnxruntime-web (WebAssembly, in Node), printing the maps and areas for the library to compare.
//   node web/tools/explain-oracle.mjs FOLDER   (model.onnx, model.safetensors, image.bin, shape.json, task.json)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-web";

import { faithfulness } from "../src/explain/faithfulness.js";
import { occlusion } from "../src/explain/occlusion.js";
import { createSession } from "../src/session.js";

const folder = process.argv[2];
const bytes = (name) => new Uint8Array(readFileSync(join(folder, name)));
const floats = (name) => { const b = bytes(name); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const shape = JSON.parse(readFileSync(join(folder, "shape.json"), "utf8"));
const task = JSON.parse(readFileSync(join(folder, "task.json"), "utf8"));
ort.env.wasm.numThreads = 1;
const session = await createSession(ort, bytes("model.onnx"), bytes("model.safetensors"), "model.safetensors",
  { executionProviders: ["wasm"] });
let batches = 0;
const logits = async (images, count) => {
  batches += 1;
  const out = await session.run({ image: new ort.Tensor("float32", images, [count, ...shape]) });
  return /** @type {Float32Array} */ (out.logits.data);
};
const input = floats("image.bin");
const map = await occlusion(input, shape, logits, task.class, task.contrast);
const occlusionBatches = batches;
const faith = await faithfulness(input, shape, floats("saliency.bin"), logits, { classIndex: task.class });
console.log(JSON.stringify({ map: [...map], occlusionBatches, faithfulness: faith }));
