// Run by benchmarks/web.py: what budget.js lets the page hold on each class of device, from the catalog,
// printed as JSON for assets/web_speed.json (the hosting page draws it).
//   node web/tools/memory-table.mjs [CATALOG]
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { Kept, MB, deviceBound } from "../src/budget.js";

const here = dirname(fileURLToPath(import.meta.url));
const catalog = JSON.parse(readFileSync(process.argv[2] ?? join(here, "..", "public", "models", "catalog.json"), "utf8"));
const runnable = catalog.variants.filter((v) => !v.browser && v.hub).sort((a, b) => a.file_size - b.file_size);
const ANDROID = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
const devices = [...[0.25, 0.5, 1, 2, 4, 8].map((gb) => [`deviceMemory ${gb} GB`, { deviceMemory: gb, userAgent: ANDROID }]),
  ["not said (Firefox, desktop Safari)", { userAgent: ANDROID }], ["iOS, iPadOS", { userAgent: IPHONE }]];
const rows = devices.map(([device, nav]) => {
  const bound = deviceBound(nav);
  const fits = runnable.filter((v) => { try { new Kept(bound).plan(v.id, v.file_size); return true; } catch { return false; } });
  const kept = new Kept(bound); // how many ResNeXt-50 sessions stay at once
  let fifties = 0;
  while (fits.length && fifties < 99 && !kept.plan(`r${fifties}`, runnable[0].file_size).evict.length) kept.add(`r${fifties++}`, runnable[0].file_size);
  return { device, bound_mb: Math.round(bound.bytes / MB), variants: fits.length, of: runnable.length,
    largest: fits.at(-1)?.id ?? null, resnext50_kept: fifties };
});
console.log(JSON.stringify(rows));
