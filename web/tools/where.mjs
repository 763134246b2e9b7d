// The footer's "What runs where" rows (src/where.js) from the site's own files, printed as JSON for the
// manual (docs/hooks.py draws them as its table), so the manual and the footer are the same rows.
//   node web/tools/where.mjs [PUBLIC]   (default: web/public, the folder the build copies)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { COLUMNS, whatRunsWhere } from "../src/where.js";

const folder = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "public");
const read = (/** @type {string} */ path) => JSON.parse(readFileSync(join(folder, path), "utf8"));
const rows = whatRunsWhere(read("python-app.json").pages, read("models/catalog.json").methods);
console.log(JSON.stringify({ columns: COLUMNS, rows }));
