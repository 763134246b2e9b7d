// Build the static site into dist/ with Node alone: the page and its modules as they are (browsers
// load ES modules; there is nothing to bundle), the graphs and catalog the library exported, the
// sample photos and Your classes' sample set, the runtime's own files (served by the site itself, never by a CDN) and the
// default config.json. Usage: node tools/build.mjs [OUT]
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] ?? join(web, "dist"));
const ort = join(web, "node_modules", "onnxruntime-web", "dist");
// The WebAssembly build for every browser; the WebGPU build (its WebAssembly is twice the size) only
// for a browser with an adapter (src/runtime.js).
const RUNTIME = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm",
  "ort.min.mjs", "ort-wasm-simd-threaded.jsep.mjs", "ort-wasm-simd-threaded.jsep.wasm"];
const PHOTO = /\.(jpe?g|png|webp)$/i;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "ort"), { recursive: true });
cpSync(join(web, "index.html"), join(out, "index.html"));
cpSync(join(web, "src"), join(out, "src"), { recursive: true });
cpSync(join(web, "public"), out, { recursive: true });
for (const file of RUNTIME) cpSync(join(ort, file), join(out, "ort", file));
const samples = join(web, "..", "assets", "samples");
const photos = readdirSync(samples).filter((f) => PHOTO.test(f)).sort();
mkdirSync(join(out, "samples"));
for (const f of [...photos, "LICENSES.md"]) cpSync(join(samples, f), join(out, "samples", f));
writeFileSync(join(out, "samples", "samples.json"), `${JSON.stringify(photos)}\n`);
// Your classes' sample set, a folder per class, listed in the library's order (classes, then files, sorted).
const textures = join(web, "..", "assets", "your-classes", "textures");
const classes = readdirSync(textures, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const listing = classes.flatMap((c) => readdirSync(join(textures, c)).filter((f) => PHOTO.test(f)).sort().map((f) => `${c}/${f}`));
cpSync(textures, join(out, "samples", "textures"), { recursive: true });
writeFileSync(join(out, "samples", "textures.json"), `${JSON.stringify(listing)}\n`);
writeFileSync(join(out, "config.json"), `${JSON.stringify({ hub: "https://huggingface.co" })}\n`);
console.log(`${out}: the page, ${readdirSync(join(out, "models")).length - 1} graphs, ${photos.length} samples, ${listing.length} textures, the runtime`);
