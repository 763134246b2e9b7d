// Run by tests/export/test_gradient.py: the input-gradient graph (resnext.export.gradient) and its
// weights file through onnxruntime-web (WebAssembly, in Node), writing the gradient for the library
// to compare. FOLDER holds model.onnx, model.safetensors, inputs.json ({name: dims}) and NAME.bin
// per input; the answer (output OUTPUT, default gradient) goes to gradient.bin, and a JSON line to
// stdout (its dims and the run's seconds, or the error).
//   node web/tools/gradient-oracle.mjs FOLDER [OUTPUT]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-web";

import { createSession } from "../src/session.js";

const folder = process.argv[2];
const output = process.argv[3] ?? "gradient";
const bytes = (name) => new Uint8Array(readFileSync(join(folder, name)));
ort.env.wasm.numThreads = 1;
try {
  const session = await createSession(ort, bytes("model.onnx"), bytes("model.safetensors"), "model.safetensors",
    { executionProviders: ["wasm"] });
  const feeds = {};
  for (const [name, dims] of Object.entries(JSON.parse(readFileSync(join(folder, "inputs.json"), "utf8")))) {
    const raw = bytes(`${name}.bin`);
    feeds[name] = new ort.Tensor("float32", new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), dims);
  }
  const start = performance.now();
  const out = await session.run(feeds);
  const seconds = (performance.now() - start) / 1000;
  const answer = out[output];
  writeFileSync(join(folder, "gradient.bin"), new Uint8Array(answer.data.buffer, answer.data.byteOffset, answer.data.byteLength));
  console.log(JSON.stringify({ dims: answer.dims, seconds }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error.message) }));
}
