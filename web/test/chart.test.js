// The comparison chart's numerics against the library's Pareto front and the Python app's log ticks
// (fixture: python -m tests.export.fixtures_chart).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { linearTicks, logTicks, paretoFront } from "../src/chart.js";

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

test("the linear ticks are round, at most eight intervals, and the comparison's as before", () => {
  assert.deepEqual(linearTicks(76, 87), [76, 78, 80, 82, 84, 86]); // the comparison's top-1 axis: steps of 2 past 8 points
  assert.deepEqual(linearTicks(80, 86), [80, 81, 82, 83, 84, 85, 86]);
  assert.deepEqual(linearTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(linearTicks(36, 81), [40, 50, 60, 70, 80]);
  assert.deepEqual(linearTicks(76.6, 86.3), [78, 80, 82, 84, 86]);
});
