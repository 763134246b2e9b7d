// Run by tests/export/test_web_session.py: a graph and its weights file through onnxruntime-web
// (WebAssembly, in Node), printing the logits and features for the library to compare.
//   node web/tools/session-oracle.mjs FOLDER   (model.onnx, model.safetensors, image.bin, shape.json)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-web";

import { createSession } from "../src/session.js";

const folder = process.argv[2];
const bytes = (name) => new Uint8Array(readFileSync(join(folder, name)));
const image = bytes("image.bin");
const shape = JSON.parse(readFileSync(join(folder, "shape.json"), "utf8"));
ort.env.wasm.numThreads = 1;
try {
  const session = await createSession(ort, bytes("model.onnx"), bytes("model.safetensors"), "model.safetensors",
    { executionProviders: ["wasm"] });
  const x = new Float32Array(image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength));
  const out = await session.run({ image: new ort.Tensor("float32", x, shape) });
  console.log(JSON.stringify({ logits: [...out.logits.data], features: [...out.features.data], dims: out.features.dims }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error.message) }));
}
