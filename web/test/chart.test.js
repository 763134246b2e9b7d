// The comparison chart's numerics against the library's Pareto front and the Python app's log ticks
// (fixture: python -m tests.export.fixtures_chart).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { logTicks, paretoFront } from "../src/chart.js";

const fixture = JSON.parse(readFileSync(new URL("fixtures/chart.json", import.meta.url), "utf8"));

const close = (/** @type {number[]} */ got, /** @type {number[]} */ want) => {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-12 * want[i], `${g} != ${want[i]}`));
};

test("the Pareto front is the library's, ties included", () => {
  for (const [name, chart] of Object.entries(fixture.charts)) assert.deepEqual(paretoFront(chart.cost, chart.top1), chart.front, name);
});

test("the log ticks are the Python app's", () => {
  for (const chart of Object.values(fixture.charts)) close(logTicks(Math.min(...chart.cost), Math.max(...chart.cost)), chart.ticks);
  for (const { low, high, ticks } of fixture.ticks) close(logTicks(low, high), ticks);
  assert.deepEqual(logTicks(0, 5), []);
});
