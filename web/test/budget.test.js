// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { CEILING, CONSERVATIVE, GB, Kept, MB, OutOfMemory, RUNTIME, TooLarge, deviceBound, isOutOfMemory, outOfMemory,
  fileSizeOf, refusal, sessionCost } from "../src/budget.js";

const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
const IPAD = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15";
const ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
// The catalog's file sizes of three ResNeXts (MB, rounded): 50 32x4d, 101 32x8d, 101 32x16d.
const R50 = 100 * MB, R101 = 356 * MB, R101W = 777 * MB;

test("the bound follows navigator.deviceMemory, and is conservative on iOS and where it is unknown", () => {
  assert.deepEqual([0.25, 0.5, 1, 2, 4, 8].map((gb) => deviceBound({ deviceMemory: gb, userAgent: ANDROID }).bytes / MB),
    [128, 256, 512, 1024, 2048, 3072]);
  assert.equal(deviceBound({ deviceMemory: 8, userAgent: ANDROID }).bytes, CEILING); // 8 means "8 or more"
  assert.equal(deviceBound({ userAgent: ANDROID }).bytes, CONSERVATIVE); // Firefox, desktop Safari: unknown
  assert.equal(deviceBound({ deviceMemory: 8, userAgent: IPHONE }).bytes, CONSERVATIVE); // iOS closes a tab near 1.5 GB
  assert.equal(deviceBound({ userAgent: IPAD, maxTouchPoints: 5 }).bytes, CONSERVATIVE); // iPadOS says it is a Mac
  assert.equal(deviceBound({ userAgent: IPAD, maxTouchPoints: 0 }).bytes, CONSERVATIVE); // a Mac's Safari: unknown
  assert.match(deviceBound({ userAgent: IPHONE }).why, /iOS/);
});

test("a variant that cannot fit the device is refused before anything, in one sentence", () => {
  const phone = new Kept(deviceBound({ deviceMemory: 1, userAgent: ANDROID })); // 512 MB
  assert.deepEqual(phone.plan("r50", R50), { evict: [], fresh: false });
  assert.throws(() => phone.plan("ig_resnext101_32x16d", R101W), (e) => e instanceof TooLarge
    && e.message === "ig_resnext101_32x16d needs about 1.8 GB of memory while it loads, more than this page may use here "
      + "(536.9 MB: this device has 1 GB), so it is not downloaded; pick a smaller model, or use the Python app.");
  const iphone = new Kept(deviceBound({ userAgent: IPHONE }));
  assert.throws(() => iphone.plan("big", R101W), /more than this page may use here \(1\.1 GB: iOS closes a page near 1\.5 GB\)/);
  assert.doesNotThrow(() => iphone.plan("mid", R101));
  const desktop = new Kept(deviceBound({ deviceMemory: 8, userAgent: ANDROID }));
  assert.doesNotThrow(() => desktop.plan("big", R101W));
});

test("kept sessions are bounded by bytes: the least recently used go first, as many as needed", () => {
  const kept = new Kept({ bytes: 2 * GB, why: "test" });
  for (const id of ["a", "b", "c", "d", "e"]) { // five ResNeXt-50s fit where a count of four would have dropped one
    assert.deepEqual(kept.plan(id, R50).evict, []);
    kept.add(id, R50);
  }
  assert.equal(kept.used, RUNTIME + 5 * sessionCost(R50).resident);
  kept.touch("a"); // used now: b is the least recently used
  const plan = kept.plan("W", R101W); // 873 MB resident + 777 MB beside it while it loads
  assert.deepEqual(plan.evict, ["b", "c", "d", "e"]);
  for (const id of plan.evict) kept.remove(id);
  kept.add("W", R101W);
  assert.deepEqual([...kept.sessions.keys()], ["a", "W"]);
  assert.ok(kept.used + sessionCost(R50).transient <= kept.bound.bytes);
});

test("the heap only grows: a load that fits only a fresh heap says so", () => {
  const kept = new Kept({ bytes: 1 * GB, why: "test" });
  for (const id of ["a", "b", "c"]) { kept.add(id, R50); } // the heap grows to 652 MB
  const plan = kept.plan("mid", R101); // 452 MB resident + 356 MB while loading: fits alone, with every session gone
  assert.deepEqual(plan.evict, ["a", "b", "c"]);
  assert.equal(plan.fresh, false); // 652 + 356 ≤ 1024: the freed bytes are reused
  for (const id of plan.evict) kept.remove(id);
  kept.add("mid", R101);
  const big = new Kept({ bytes: 1 * GB, why: "test" });
  for (const id of ["a", "b", "c"]) big.add(id, R50);
  big.add("d", 60 * MB);
  const tight = big.plan("mid", R101); // the heap (808 MB) + 356 MB would pass the bound even with all released
  assert.equal(tight.fresh, true);
});

test("out of memory is told from a damaged file, in its own sentence", () => {
  for (const e of [new RangeError("Array buffer allocation failed"), new Error("Aborted(OOM)"), new Error("std::bad_alloc"),
    new Error("Cannot enlarge memory arrays to size 9 bytes"), new OutOfMemory("x"),
    new Error("failed to create session: out of memory")]) assert.ok(isOutOfMemory(e), String(e));
  for (const e of [new Error("Invalid model file"), new Error("external data not found: fc.weight"), "nope"]) assert.ok(!isOutOfMemory(e));
  assert.equal(outOfMemory("ig_resnext101_32x8d"),
    "This device ran out of memory for ig_resnext101_32x8d; close other tabs or apps, or pick a smaller model (the other models still work).");
  assert.equal(outOfMemory("ig_resnext101_32x8d", 354e6),
    "This device ran out of memory for ig_resnext101_32x8d (354.0 MB); close other tabs or apps, or pick a smaller model (the other models still work).");
});

test("what the worker refuses is what Side by side leaves out of its download total: the same rule", () => {
  const phone = deviceBound({ deviceMemory: 1 });
  const said = refusal("ssl_resnext101_32x16d", R101W, phone);
  assert.match(said, /^ssl_resnext101_32x16d needs about .* so it is not downloaded;/);
  assert.throws(() => new Kept(phone).plan("ssl_resnext101_32x16d", R101W), (e) => e instanceof TooLarge && e.message === said);
  assert.equal(refusal("r50", R50, phone), "");
  assert.equal(fileSizeOf({ file_size: R50, parameters: 1 }), R50);
  assert.equal(fileSizeOf({ parameters: 25e6 }), 1e8);
});
