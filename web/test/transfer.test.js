// @ts-check
// The transfer study against the library, on features and folds it wrote (tests/export/fixtures_transfer.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { logme } from "../src/transfer/logme.js";
import { featureMap } from "../src/transfer/map.js";
import { duplicates, knnLoo, suspects } from "../src/transfer/neighbours.js";
import { C_GRID, fewShot, foldsFor, probeCV } from "../src/transfer/probe.js";
import { complement, fewShotDraws, stratifiedFolds } from "../src/transfer/random.js";
import { DRAWS, SHOTS, compareBackbones } from "../src/transfer/study.js";
import { mcnemar, pText } from "../src/transfer/verdict.js";
import { percent } from "../src/pyformat.js";
import { wilson } from "../src/interval.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/transfer.json", import.meta.url), "utf8"));
/** @param {string} b64 */
const float32 = (b64) => {
  const bytes = Buffer.from(b64, "base64");
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};
const studies = fixture.studies.map((/** @type {any} */ s) => ({
  ...s,
  backbones: Object.entries(s.models).map(([model, e]) => ({ model, features: float32(/** @type {any} */ (e).features), dims: /** @type {any} */ (e).dims })),
  drawMap: new Map(Object.entries(s.draws).map(([k, v]) => [Number(k), /** @type {number[][]} */ (v)])),
}));
/** @param {(study: any, backbone: {model: string, features: Float32Array, dims: number}, expected: any) => void} fn */
const everyBackbone = (fn) => {
  for (const s of studies) for (const b of s.backbones) fn(s, b, s.models[b.model]);
};

test("the library's grid, shots and draws", () => {
  assert.deepEqual(C_GRID, fixture.constants.c_grid);
  assert.deepEqual(SHOTS, fixture.constants.shots);
  assert.equal(DRAWS, fixture.constants.draws);
});

test("a seed gives the library's folds and inner folds, bit for bit", () => {
  for (const s of studies) {
    assert.deepEqual(foldsFor(s.labels, 5, s.seed), s.folds, s.name);
    s.folds.forEach((/** @type {number[]} */ fold, /** @type {number} */ i) => {
      const y = complement(s.labels.length, fold).map((r) => s.labels[r]);
      const smallest = Math.min(...[...new Set(y)].map((k) => y.filter((v) => v === k).length));
      assert.deepEqual(stratifiedFolds(y, Math.min(3, smallest), s.seed), s.inner[i], `${s.name} fold ${i}`);
    });
  }
});

test("the probe's out-of-fold answers are the optimum's, and the library's on all but the images its tolerance moves", () => {
  let images = 0;
  let agree = 0;
  everyBackbone((s, b, e) => {
    const got = probeCV(b.features, b.dims, s.labels, s.folds, { seed: s.seed });
    // scikit-learn run to the optimum (Newton's method, tolerance 1e-10) chooses the same C and answers the same.
    assert.deepEqual([...got.predicted], e.probe_exact, `${s.name}/${b.model}`);
    assert.deepEqual(got.c, e.C_exact, `${s.name}/${b.model}`);
    // The library (lbfgs at its default tolerance 1e-4) differs only where it stopped short of that optimum.
    got.predicted.forEach((k, i) => {
      images++;
      if (k === e.probe[i]) agree++;
      else assert.notEqual(e.probe[i], e.probe_exact[i], `${s.name}/${b.model} image ${i}`);
    });
    const sameAsLibrary = e.probe.every((/** @type {number} */ k, /** @type {number} */ i) => k === e.probe_exact[i]);
    if (sameAsLibrary) assert.deepEqual(got.accuracies, e.fold_accuracies, `${s.name}/${b.model}`);
  });
  assert.ok(agree / images >= 0.99, `${agree} of ${images} answers as the library's`);
});

test("k-NN, LogME, the map, suspects and near-duplicates are the library's", () => {
  everyBackbone((s, b, e) => {
    const where = `${s.name}/${b.model}`;
    assert.deepEqual([...knnLoo(b.features, b.dims, s.labels, s.knn_k)], e.knn, where);
    const ours = logme(b.features, b.dims, s.labels);
    assert.ok(Math.abs(ours - e.logme) <= 1e-6 * Math.abs(e.logme), `${where}: LogME ${ours} against ${e.logme}`);
    const { coords, share } = featureMap(b.features, b.dims);
    for (let axis = 0; axis < 2; axis++) {
      const sign = Math.sign(e.map.reduce((/** @type {number} */ t, /** @type {number[]} */ p, /** @type {number} */ i) => t + p[axis] * coords[i * 2 + axis], 0));
      assert.equal(sign, 1, `${where}: the axis's sign is the library's`);
      e.map.forEach((/** @type {number[]} */ p, /** @type {number} */ i) => assert.ok(Math.abs(coords[i * 2 + axis] - p[axis]) <= 1e-5, `${where} image ${i}`));
      assert.ok(Math.abs(share[axis] - e.share[axis]) <= 1e-9);
    }
    assert.deepEqual(suspects(b.features, b.dims, s.labels).map((x) => [x.index, x.label, x.likely, x.agreement]), e.suspects, where);
    const pairs = duplicates(b.features, b.dims, s.labels);
    assert.deepEqual(pairs.map((d) => [d.first, d.second, d.acrossClasses]), e.duplicates.map((/** @type {any[]} */ d) => [d[0], d[1], d[3]]), where);
    pairs.forEach((d, i) => assert.ok(Math.abs(d.similarity - e.duplicates[i][2]) <= 1e-6));
  });
  assert.ok(studies[0].models.good.duplicates.length && studies[0].models.good.suspects.length, "the fixture holds both");
});

test("the few-shot curve on the library's draws is the optimum's", () => {
  let points = 0;
  let asLibrary = 0;
  everyBackbone((s, b, e) => {
    const curve = fewShot(b.features, b.dims, s.labels, s.drawMap);
    assert.deepEqual([...curve.keys()].map(String), Object.keys(e.few_shot_exact));
    for (const [shots, [mean, sd]] of curve) {
      const [m, d] = e.few_shot_exact[shots];
      assert.ok(Math.abs(mean - m) <= 1e-12 && Math.abs(sd - d) <= 1e-12, `${s.name}/${b.model} ${shots} shots`);
      points++;
      if (Math.abs(mean - e.few_shot[shots][0]) <= 1e-12) asLibrary++;
    }
  });
  assert.ok(asLibrary >= points - 4, `${asLibrary} of ${points} points as the library's`);
});

test("McNemar's exact test, Wilson's interval and the library's rounding", () => {
  for (const c of fixture.mcnemar) assert.ok(Math.abs(mcnemar(c.a, c.b) - c.p) <= 1e-12 * c.p, `${c.p}`);
  for (const [k, n, low, high] of fixture.wilson) assert.deepEqual(wilson(k, n), [low, high]);
  for (const [x, words] of fixture.percent) assert.equal(percent(x), words, `${x}`);
  for (const [p, words] of fixture.p_text) assert.equal(pText(p), words, `${p}`);
});

test("the comparison gives the library's verdict, word for word", () => {
  for (const s of studies) {
    const c = compareBackbones(s.backbones, s.labels, s.classes, { testFolds: s.folds, draws: s.drawMap });
    // On the same answers the paired test is the library's: its p from the library's own predictions.
    if (s.order.length > 1) {
      const [a, b] = s.order.map((/** @type {string} */ m) => s.labels.map((/** @type {number} */ y, /** @type {number} */ i) => s.models[m].probe[i] === y));
      assert.ok(Math.abs(mcnemar(a, b) - s.p_value) <= 1e-12 * s.p_value);
    }
    // On the optimum's answers, the library's verdict (its words, the winner, the p) is ours.
    assert.equal(c.verdict, s.verdict_exact, s.name);
    assert.equal(c.p === null ? null : Number(c.p.toPrecision(12)), s.p_exact === null ? null : Number(s.p_exact.toPrecision(12)));
    assert.equal(c.knnK, s.knn_k);
    for (const score of c.scores) {
      const e = s.models[score.model];
      assert.deepEqual(score.interval.length, 2);
      assert.equal(score.knnAccuracy, e.knn_accuracy);
      if (e.probe.every((/** @type {number} */ k, /** @type {number} */ i) => k === e.probe_exact[i])) {
        assert.deepEqual(score.confusion, e.confusion);
        assert.deepEqual(score.perClass, e.per_class);
        assert.deepEqual(score.interval, e.interval);
      }
    }
  }
  assert.match(studies[0].verdict_exact, /transfers best/);
  assert.match(studies[1].verdict_exact, /cannot tell/);
});

test("progress reaches the end, an aborted signal stops the study, and too few images are one sentence", () => {
  const s = studies[2];
  /** @type {number[]} */
  const seen = [];
  compareBackbones(s.backbones, s.labels, s.classes, { progress: (_, f) => seen.push(f) });
  assert.ok(seen.length > 3 && seen.every((f, i) => i === 0 || f >= seen[i - 1]) && seen.at(-1) === 1);
  const controller = new AbortController();
  controller.abort();
  assert.throws(() => compareBackbones(s.backbones, s.labels, s.classes, { signal: controller.signal }), { name: "AbortError" });
  const one = { model: "x", features: new Float32Array(6), dims: 2 };
  assert.throws(() => compareBackbones([one], [0, 0, 0], ["a"], {}), /at least two classes/);
  assert.throws(() => compareBackbones([one], [0, 0, 1], ["a", "b"], {}), /^Error: Each class needs at least two images/);
});

test("its own few-shot draws take that many of each class, below the smallest class", () => {
  const draws = fewShotDraws(studies[2].labels, SHOTS, DRAWS, 0);
  assert.deepEqual([...draws.keys()], [1, 2, 5]); // 9 images in the smaller class: 10 would leave none to test
  for (const [shots, trains] of draws) {
    assert.equal(trains.length, DRAWS);
    for (const t of trains) assert.deepEqual([0, 1].map((k) => t.filter((i) => studies[2].labels[i] === k).length), [shots, shots]);
  }
});

test("k-NN's ties: equal votes go to the class of the most similar, equal similarities to the lower index", () => {
  // Unit vectors at angles 0, 10, 30, 42 and 42 degrees (the last two the same image twice).
  const angles = [0, 10, 30, 42, 42].map((a) => (a * Math.PI) / 180);
  const x = new Float64Array(angles.flatMap((a) => [Math.cos(a), Math.sin(a)]));
  // Image 0's two nearest are 1 (class 1) and 2 (class 2): a tie, won by 1, the more similar.
  assert.equal(knnLoo(x, 2, [0, 1, 2, 0, 3], 2)[0], 1);
  // Image 2's nearest are 3 and 4, equally similar: 3, the lower index, is first, so its class wins the tie.
  assert.equal(knnLoo(x, 2, [0, 0, 1, 2, 3], 2)[2], 2);
  assert.equal(knnLoo(x, 2, [0, 0, 1, 3, 2], 2)[2], 3);
});
