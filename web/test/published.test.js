// @ts-check
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { FAMILY_COLORS, architecturesTrainedWays, beyondImagenet, claimNotes, claimRows, robustnessTable, trainingCompared }
  from "../src/published/robustness.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/published.json", import.meta.url), "utf8"));
const catalog = JSON.parse(readFileSync(new URL("../public/models/catalog.json", import.meta.url), "utf8"));
/** @typedef {{name: string, x: (number | string)[], y: number[], hovertext: string[] | null, color: string, dash: string | null}} Trace */

/**
 * @param {number[]} got
 * @param {number[]} want
 * @param {string} what
 */
function close(got, want, what) {
  assert.equal(got.length, want.length, what);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-9, `${what} ${i}: ${v} ${want[i]}`));
}

test("the colours and the architectures compared are the app's", () => {
  assert.deepEqual({ ...FAMILY_COLORS }, fixture.family_colors);
  assert.deepEqual(architecturesTrainedWays(catalog), fixture.architectures);
});

test("the table of every model on every data set is the app's, for top-1 and top-5", () => {
  for (const metric of /** @type {const} */ (["top1", "top5"])) assert.deepEqual(robustnessTable(catalog, metric), fixture.metrics[metric].table);
});

test("the chart against ImageNet-1k has the app's series, points and trend line on every data set", () => {
  for (const metric of /** @type {const} */ (["top1", "top5"])) {
    for (const [key, want] of Object.entries(fixture.metrics[metric].beyond)) {
      const got = beyondImagenet(catalog, key, metric), traces = /** @type {Trace[]} */ (want.traces);
      const points = traces.filter((t) => t.dash === null), line = traces.find((t) => t.dash !== null);
      assert.deepEqual(got.series.map((s) => [s.name, s.color, s.models]), points.map((t) => [t.name, t.color, t.hovertext]), key);
      got.series.forEach((s, i) => { close(/** @type {number[]} */ (s.x), /** @type {number[]} */ (points[i].x), key); close(s.y, points[i].y, key); });
      assert.deepEqual([got.xTitle, got.yTitle], [want.x_title, want.y_title]);
      assert.ok(line && got.trend, key);
      assert.deepEqual([got.trend.name, got.trend.color, got.trend.dash], [line.name, line.color, line.dash]);
      close(/** @type {number[]} */ (got.trend.x), /** @type {number[]} */ (line.x), `${key} trend`);
      close(got.trend.y, line.y, `${key} trend`);
    }
  }
});

test("the bars of one architecture trained different ways are the app's", () => {
  for (const metric of /** @type {const} */ (["top1", "top5"])) {
    for (const [architecture, want] of Object.entries(fixture.metrics[metric].training)) {
      const got = trainingCompared(catalog, architecture, metric), traces = /** @type {Trace[]} */ (want.traces);
      assert.deepEqual(got.series.map((s) => [s.name, s.color, s.x]), traces.map((t) => [t.name, t.color, t.x]), architecture);
      got.series.forEach((s, i) => close(s.y, traces[i].y, architecture));
      assert.equal(got.yTitle, want.y_title);
    }
  }
});

test("the claims and their notes are the app's", () => {
  assert.deepEqual(claimRows(catalog).map((r) => [r.model, r.claimed, r.measured, r.gap, r.flag]), fixture.claims);
  assert.deepEqual(claimNotes(catalog), fixture.claim_notes);
});
