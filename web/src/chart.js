// @ts-check
/**
 * Accessible SVG charts, as the Python app draws them. A scatter: accuracy against a cost, as its
 * comparison draws it (a log cost axis with 1-2-5 ticks, the Pareto front, where no other variant is
 * both cheaper and more accurate, as a dashed line), or against another accuracy on linear axes with a
 * given dashed line (the robustness page's supervised trend); one point per variant, the families told
 * apart by shape as well as colour (with a legend), each point focusable from the keyboard and named
 * with its values. Grouped bars: each way of training one architecture on every data set, drawn across
 * so that a phone can read them, each bar named and its value written beside it.
 * @module chart
 */

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 440, HEIGHT = 320;
const PAD = { left: 50, right: 14, top: 14, bottom: 48 };
const R = 6; // a marker's half-width

/** The Python app's family colours, darkened where a light one would fall below 3:1 on white. */
export const FAMILY_STYLE = /** @type {Record<string, {color: string, shape: string}>} */ ({
  SSL: { color: "#4c78a8", shape: "circle" },
  SWSL: { color: "#c2600a", shape: "square" },
  IG: { color: "#3b7d34", shape: "triangle" },
  "Supervised V1": { color: "#767676", shape: "diamond" },
  "Supervised V2": { color: "#3d3d3d", shape: "down" },
});

/** @typedef {{id: string, family: string, x: number, y: number}} Point */
/**
 * An axis: its label, what a point's name calls its value, how a value is written, and how a tick is
 * (default: as a value).
 * @typedef {{label: string, name: string, format: (v: number) => string, tick?: (v: number) => string}} Axis
 */
/**
 * A chart's names and axes. ``linear``: a linear x axis (default: log); ``line``: a dashed line to draw
 * instead of the Pareto front, named in the legend.
 * @typedef {{id: string, title: string, description: string, x: Axis, y: Axis, linear?: boolean, line?: Line}} Axes
 */
/** @typedef {{name: string, x: number[], y: number[]}} Line */

/**
 * An SVG element.
 * @param {string} tag
 * @param {Record<string, string | number>} [attributes]
 * @param {...(Node | string)} children
 * @returns {SVGElement}
 */
function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  element.append(...children);
  return element;
}

/**
 * A marker's outline, centred on (0, 0).
 * @param {string} shape
 * @returns {string} An SVG path.
 */
export function markerPath(shape) {
  switch (shape) {
    case "square": return `M${-R},${-R}H${R}V${R}H${-R}Z`;
    case "triangle": return `M0,${-R - 1}L${R + 1},${R}H${-R - 1}Z`;
    case "down": return `M0,${R + 1}L${R + 1},${-R}H${-R - 1}Z`;
    case "diamond": return `M0,${-R - 1}L${R + 1},0L0,${R + 1}L${-R - 1},0Z`;
    default: return `M${-R},0A${R},${R} 0 1,0 ${R},0A${R},${R} 0 1,0 ${-R},0Z`;
  }
}

/**
 * 1-2-5 ticks covering [low, high] on a log axis (as the Python app's ``_log_ticks``).
 * @param {number} low
 * @param {number} high
 * @returns {number[]}
 */
export function logTicks(low, high) {
  if (!(low > 0 && high > 0)) return [];
  const ticks = [];
  for (let e = Math.floor(Math.log10(low)) - 1; e <= Math.ceil(Math.log10(high)); e++) {
    for (const m of [1, 2, 5]) ticks.push(m * 10 ** e);
  }
  return ticks.filter((t) => low / 1.5 <= t && t <= high * 1.5);
}

/**
 * Round ticks covering [low, high] on a linear axis: the smallest step of 1, 2 or 5 times a power of ten
 * (at least 1) that gives at most eight intervals.
 * @param {number} low
 * @param {number} high
 * @returns {number[]}
 */
export function linearTicks(low, high) {
  const steps = (/** @type {number} */ k) => [1, 2, 5][k % 3] * 10 ** Math.floor(k / 3);
  let k = 0;
  while ((high - low) / steps(k) > 8) k++;
  const step = steps(k), ticks = [];
  for (let t = Math.ceil(low / step) * step; t <= high + 1e-9; t += step) ticks.push(t);
  return ticks;
}

/**
 * Which points no other beats: none is cheaper-or-equal and better-or-equal, strictly in one (the
 * library's ``resnext.catalog.compare.pareto_front``).
 * @param {number[]} cost What to minimise.
 * @param {number[]} benefit What to maximise.
 * @returns {boolean[]} True on the front.
 */
export function paretoFront(cost, benefit) {
  return cost.map((c, i) => !cost.some((d, j) => d <= c && benefit[j] >= benefit[i] && (d < c || benefit[j] > benefit[i])));
}

/**
 * The legend: each family's marker and name, as HTML beside the charts (and a dashed line's name).
 * @param {string[]} families
 * @param {string} [line] The name of the dashed line a chart draws, if any.
 * @returns {HTMLElement}
 */
export function legend(families, line) {
  const list = document.createElement("ul");
  list.className = "legend";
  list.setAttribute("aria-label", "Families");
  for (const family of families) {
    const style = FAMILY_STYLE[family] ?? FAMILY_STYLE.SSL;
    const item = document.createElement("li");
    item.append(s("svg", { width: 18, height: 18, viewBox: "-9 -9 18 18", "aria-hidden": "true" },
      s("path", { d: markerPath(style.shape), fill: style.color, stroke: "#1b1f24", "stroke-width": 1 })), family);
    list.append(item);
  }
  if (line) {
    const item = document.createElement("li");
    item.append(s("svg", { width: 24, height: 18, viewBox: "0 0 24 18", "aria-hidden": "true" },
      s("line", { x1: 1, x2: 23, y1: 9, y2: 9, class: "dash" })), line);
    list.append(item);
  }
  return list;
}

/**
 * The chart.
 * @param {Point[]} points Those with a value on both axes are drawn.
 * @param {Axes} axes
 * @returns {SVGElement}
 */
export function scatter(points, axes) {
  const linear = axes.linear === true;
  const shown = points.filter((p) => (linear ? Number.isFinite(p.x) : p.x > 0) && Number.isFinite(p.y));
  const xs = shown.map((p) => p.x), ys = shown.map((p) => p.y);
  const [lineX, lineY] = [axes.line?.x ?? [], axes.line?.y ?? []];
  const scale = linear ? (/** @type {number} */ x) => x : Math.log10;
  const [low, high] = [Math.min(...xs, ...lineX), Math.max(...xs, ...lineX)].map(scale);
  const [x0, x1] = [low - 0.04 * (high - low), high + 0.04 * (high - low)]; // room for the end points' markers
  const xTicks = linear ? linearTicks(x0, x1) : logTicks(Math.min(...xs), Math.max(...xs));
  const inside = xTicks.filter((t) => scale(t) >= x0 && scale(t) <= x1);
  const y0 = Math.floor(Math.min(...ys, ...lineY)) - 1, y1 = Math.ceil(Math.max(...ys, ...lineY)) + 1;
  const yTicks = linearTicks(y0, y1);
  const px = (/** @type {number} */ x) => PAD.left + (scale(x) - x0) / (x1 - x0) * (WIDTH - PAD.left - PAD.right);
  const py = (/** @type {number} */ y) => HEIGHT - PAD.bottom - (y - y0) / (y1 - y0) * (HEIGHT - PAD.top - PAD.bottom);
  const bottom = HEIGHT - PAD.bottom;
  const grid = s("g", { class: "grid", "aria-hidden": "true" },
    ...inside.map((t) => s("g", {}, s("line", { x1: px(t), x2: px(t), y1: PAD.top, y2: bottom }),
      s("text", { x: px(t), y: bottom + 16, "text-anchor": "middle" }, (axes.x.tick ?? axes.x.format)(t)))),
    ...yTicks.map((t) => s("g", {}, s("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: py(t), y2: py(t) }),
      s("text", { x: PAD.left - 6, y: py(t) + 4, "text-anchor": "end" }, String(t)))),
    s("text", { class: "axis", x: (PAD.left + WIDTH - PAD.right) / 2, y: HEIGHT - 8, "text-anchor": "middle" }, axes.x.label),
    s("text", { class: "axis", x: -(PAD.top + bottom) / 2, y: 14, transform: "rotate(-90)", "text-anchor": "middle" }, axes.y.label));
  const front = paretoFront(xs, ys);
  const edge = axes.line ? lineX.map((x, i) => ({ x, y: lineY[i] })) : shown.filter((_, i) => front[i]).sort((a, b) => a.x - b.x);
  const line = edge.length > 1 ? s("polyline", { class: axes.line ? "front trend" : "front", "aria-hidden": "true",
    points: edge.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ") }) : "";
  const marks = shown.map((p) => {
    const style = FAMILY_STYLE[p.family] ?? FAMILY_STYLE.SSL;
    const [cx, cy] = [px(p.x), py(p.y)];
    const values = `${axes.y.name} ${axes.y.format(p.y)}, ${axes.x.name} ${axes.x.format(p.x)}`;
    const name = `${p.id} (${p.family}): ${values}`;
    return s("g", { class: "point", tabindex: 0, role: "img", "aria-label": name, "data-model": p.id, "data-x": p.x, "data-y": p.y,
      "data-values": values, transform: `translate(${cx.toFixed(1)},${cy.toFixed(1)})` },
    s("title", {}, name), s("path", { d: markerPath(style.shape), fill: style.color }));
  });
  const tip = s("text", { class: "tip", "aria-hidden": "true", visibility: "hidden" });
  /** Show the values of the point focused or pointed at, above every marker. */
  const show = (/** @type {Event} */ event) => {
    const point = /** @type {SVGGElement | null} */ (/** @type {Element} */ (event.target).closest?.(".point"));
    if (!point) { tip.setAttribute("visibility", "hidden"); return; }
    const { e: cx, f: cy } = point.transform.baseVal.consolidate()?.matrix ?? { e: 0, f: 0 };
    const anchor = cx < WIDTH / 3 ? "start" : cx > 2 * WIDTH / 3 ? "end" : "middle";
    const x = cx + { start: -4, middle: 0, end: 4 }[anchor];
    const y = cy < PAD.top + 40 ? cy + 24 : cy - 28; // near the top, under the point
    tip.setAttribute("text-anchor", anchor);
    tip.replaceChildren(s("tspan", { x, y }, point.dataset.model ?? ""), s("tspan", { x, dy: "1.2em" }, point.dataset.values ?? ""));
    tip.setAttribute("visibility", "visible");
  };
  const hide = () => tip.setAttribute("visibility", "hidden");
  const layer = s("g", { class: "points" }, ...marks);
  for (const [type, listener] of /** @type {const} */ ([["focusin", show], ["mouseover", show], ["focusout", hide], ["mouseleave", hide]])) {
    layer.addEventListener(type, listener);
  }
  return s("svg", { id: axes.id, class: "chart", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "group",
    "aria-labelledby": `${axes.id}-title`, "aria-describedby": `${axes.id}-desc` },
  s("title", { id: `${axes.id}-title` }, axes.title), s("desc", { id: `${axes.id}-desc` }, axes.description),
  grid, line, layer, tip);
}

/**
 * A bar series: its name (a family) and a value per category.
 * @typedef {{name: string, x: (number | string)[], y: number[]}} Bars
 */

/**
 * Grouped bars drawn across: a group per category (its name above it), a bar per series in the
 * series' order from the zero line, each bar named with its series, category and value (``<title>``
 * and ``aria-label``) and its value and series written at its end, so that neither colour nor hover
 * is needed to read it.
 * @param {Bars[]} series
 * @param {string[]} categories In the order to draw them.
 * @param {{id: string, title: string, description: string, x: Axis}} axes ``x``: the values' axis.
 * @returns {SVGElement}
 */
export function bars(series, categories, axes) {
  const BAR = 15, GAP = 3, HEAD = 20, AFTER = 10;
  const values = series.flatMap((b) => b.y).filter(Number.isFinite);
  const ticks = linearTicks(0, Math.max(100, ...values));
  const [x0, x1] = [0, ticks[ticks.length - 1]];
  const right = WIDTH - PAD.right - 130; // room for the value and series at a full bar's end
  const px = (/** @type {number} */ x) => PAD.right + (x - x0) / (x1 - x0) * (right - PAD.right);
  /** @type {SVGElement[]} */
  const groups = [];
  let y = 6;
  for (const category of categories) {
    const own = series.map((b) => ({ name: b.name, value: b.y[b.x.indexOf(category)] })).filter((b) => Number.isFinite(b.value));
    if (!own.length) continue;
    const heading = s("text", { class: "category", x: PAD.right, y: y + 14 }, category);
    y += HEAD;
    const marks = own.map((b) => {
      const style = FAMILY_STYLE[b.name] ?? FAMILY_STYLE.SSL;
      const text = `${axes.x.format(b.value)} ${b.name}`;
      const name = `${b.name}, ${category}: ${axes.x.name} ${axes.x.format(b.value)}`;
      const mark = s("g", { class: "bar", role: "img", "aria-label": name, "data-family": b.name, "data-category": category, "data-value": b.value },
        s("title", {}, name),
        s("rect", { x: px(0), y, width: Math.max(1, px(b.value) - px(0)).toFixed(1), height: BAR, fill: style.color }),
        s("text", { x: (px(b.value) + 4).toFixed(1), y: y + BAR - 3, "aria-hidden": "true" }, text));
      y += BAR + GAP;
      return mark;
    });
    groups.push(s("g", { class: "group" }, heading, ...marks));
    y += AFTER;
  }
  const height = y + 36;
  const grid = s("g", { class: "grid", "aria-hidden": "true" },
    ...ticks.map((t) => s("g", {}, s("line", { x1: px(t), x2: px(t), y1: 6, y2: y }),
      s("text", { x: px(t), y: y + 14, "text-anchor": "middle" }, String(t)))),
    s("text", { class: "axis", x: (PAD.right + right) / 2, y: height - 6, "text-anchor": "middle" }, axes.x.label));
  return s("svg", { id: axes.id, class: "chart bars", viewBox: `0 0 ${WIDTH} ${height}`, role: "group",
    "aria-labelledby": `${axes.id}-title`, "aria-describedby": `${axes.id}-desc` },
  s("title", { id: `${axes.id}-title` }, axes.title), s("desc", { id: `${axes.id}-desc` }, axes.description), grid, ...groups);
}

/**
 * One series of a ``plot``: its points in order, drawn with one colour and marker.
 * @typedef {{name: string, color: string, shape: string, points: {x: number, y: number, error?: number, name: string}[]}} Series
 *   ``error``: a bar of plus and minus that much; ``name``: what the point says when it is focused or pointed at.
 */
/**
 * A ``plot``'s axes: the labels, how a tick is written, and a log x axis where asked.
 * @typedef {{id: string, title: string, description: string, lines: boolean, focusable: boolean,
 *   x: {label: string, log?: boolean, ticks?: number[], format: (v: number) => string},
 *   y: {label: string, format: (v: number) => string}}} PlotAxes
 *   ``lines``: join each series' points; ``focusable``: each point a stop of the Tab key (for a few points).
 */

/** Markers for series told apart by shape as well as colour, in order. */
export const SHAPES = ["circle", "square", "triangle", "diamond", "down"];
/** Colours for series, each at least 3:1 on white. */
export const COLOURS = ["#4c78a8", "#c2600a", "#3b7d34", "#b8336a", "#6b4fa0", "#3d3d3d", "#8a6d00", "#007a7a"];

/**
 * About five evenly spaced round ticks covering [low, high], on any scale (a map's coordinates, a
 * fraction): ``linearTicks`` keeps whole steps for percentages and counts.
 * @param {number} low
 * @param {number} high
 * @returns {number[]}
 */
export function plotTicks(low, high) {
  if (!(high > low)) return [low];
  const raw = (high - low) / 5;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * unit).find((s) => s >= raw) ?? 10 * unit;
  const ticks = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * Series of points (a curve with error bars, or a map coloured by class) as an accessible SVG: a
 * labelled group with a title and a description, each point named with its values (its ``title``,
 * and its label for a screen reader where it is focusable), and a legend beside it.
 * @param {Series[]} series
 * @param {PlotAxes} axes
 * @returns {HTMLElement} The chart and its legend.
 */
export function plot(series, axes) {
  const all = series.flatMap((line) => line.points);
  const fx = (/** @type {number} */ v) => (axes.x.log ? Math.log10(v) : v);
  const xs = all.map((p) => fx(p.x));
  const ys = all.flatMap((p) => [p.y - (p.error ?? 0), p.y + (p.error ?? 0)]);
  const pad = (/** @type {number[]} */ v) => {
    const [low, high] = [Math.min(...v), Math.max(...v)];
    const room = (high - low) * 0.06 || Math.abs(low) * 0.1 || 1;
    return [low - room, high + room];
  };
  const [x0, x1] = pad(xs), [y0, y1] = pad(ys);
  const px = (/** @type {number} */ x) => PAD.left + (fx(x) - x0) / (x1 - x0) * (WIDTH - PAD.left - PAD.right);
  const py = (/** @type {number} */ y) => HEIGHT - PAD.bottom - (y - y0) / (y1 - y0) * (HEIGHT - PAD.top - PAD.bottom);
  const bottom = HEIGHT - PAD.bottom;
  const xTicks = (axes.x.ticks ?? (axes.x.log ? logTicks(10 ** x0, 10 ** x1) : plotTicks(x0, x1))).filter((t) => fx(t) >= x0 && fx(t) <= x1);
  const grid = s("g", { class: "grid", "aria-hidden": "true" },
    ...xTicks.map((t) => s("g", {}, s("line", { x1: px(t), x2: px(t), y1: PAD.top, y2: bottom }),
      s("text", { x: px(t), y: bottom + 16, "text-anchor": "middle" }, axes.x.format(t)))),
    ...plotTicks(y0, y1).map((t) => s("g", {}, s("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: py(t), y2: py(t) }),
      s("text", { x: PAD.left - 6, y: py(t) + 4, "text-anchor": "end" }, axes.y.format(t)))),
    s("text", { class: "axis", x: (PAD.left + WIDTH - PAD.right) / 2, y: HEIGHT - 8, "text-anchor": "middle" }, axes.x.label),
    s("text", { class: "axis", x: -(PAD.top + bottom) / 2, y: 14, transform: "rotate(-90)", "text-anchor": "middle" }, axes.y.label));
  const layers = series.map((line) => s("g", { class: "series", "data-series": line.name },
    axes.lines && line.points.length > 1 ? s("polyline", { class: "curve", stroke: line.color, "aria-hidden": "true",
      points: line.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ") }) : "",
    ...line.points.map((p) => s("g", { class: "point", transform: `translate(${px(p.x).toFixed(1)},${py(p.y).toFixed(1)})`,
      "data-x": p.x, "data-y": p.y, ...(axes.focusable ? { tabindex: 0, role: "img", "aria-label": p.name } : {}) },
    s("title", {}, p.name),
    p.error ? s("line", { class: "error", stroke: line.color, "aria-hidden": "true", x1: 0, x2: 0,
      y1: (py(p.y - p.error) - py(p.y)).toFixed(1), y2: (py(p.y + p.error) - py(p.y)).toFixed(1) }) : "",
    s("path", { d: markerPath(line.shape), fill: line.color })))));
  const svg = s("svg", { id: axes.id, class: "chart", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "group",
    "aria-labelledby": `${axes.id}-title`, "aria-describedby": `${axes.id}-desc` },
  s("title", { id: `${axes.id}-title` }, axes.title), s("desc", { id: `${axes.id}-desc` }, axes.description), grid, ...layers);
  const key = document.createElement("ul");
  key.className = "legend";
  key.setAttribute("aria-label", "Series");
  for (const line of series) {
    const item = document.createElement("li");
    item.append(s("svg", { width: 18, height: 18, viewBox: "-9 -9 18 18", "aria-hidden": "true" },
      s("path", { d: markerPath(line.shape), fill: line.color, stroke: "#1b1f24", "stroke-width": 1 })), line.name);
    key.append(item);
  }
  const figure = document.createElement("div");
  figure.className = "plot";
  figure.append(/** @type {Node} */ (/** @type {unknown} */ (svg)), key);
  return figure;
}
