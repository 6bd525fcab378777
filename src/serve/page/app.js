// The page of `ludd serve`: controls built from the server's institution
// table and the chosen scenario, runs of the current settings and of the
// baseline on the same seeds, charts drawn as SVG as the runs finish, and
// the whole setting kept in the URL so that a shared link reproduces it.
//
// Nothing from a link, a scenario or the server ever becomes markup: every
// element is made by `el` or `svg` below, with text as text and attributes
// set one by one, and numbers from a link are checked as numbers. The
// server's Content-Security-Policy forbids inline script besides.
"use strict";

const $ = (id) => document.getElementById(id);
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

// An HTML element with attributes and children; a string child is text.
function el(tag, attributes = {}, ...children) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, value);
  e.append(...children);
  return e;
}

// The same for an SVG element.
function svg(tag, attributes = {}, ...children) {
  const e = document.createElementNS("http://www.w3.organization/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, value);
  e.append(...children);
  return e;
}

const page = {
  catalog: null,
  scenario: null,   // the chosen scenario as the server describes it
  experiment: null, // the chosen experiment, if any
  setting: null,    // what runs: {scenario | ron, set: {path: value}, policies, seeds, end_year}
  baseline: null,   // the baseline's setting
  pinned: false,    // the baseline is a pinned earlier setting
  jobs: { current: null, baseline: null },
  tokens: {},       // each job's cancel token, known only to this page
  data: { current: null, baseline: null },
  streams: [],
};

// A request to the server; every write is JSON, as the server requires.
async function api(method, path, body, token) {
  const options = { method, headers: {} };
  if (method !== "GET") options.headers["content-type"] = "application/json";
  if (body !== undefined) options.body = JSON.stringify(body);
  if (token) options.headers["x-ludd-token"] = token;
  const response = await fetch(path, options);
  const answer = await response.json();
  if (!response.ok) {
    const error = new Error((answer.errors || []).map((e) => e.message).join("\n"));
    error.errors = answer.errors || [];
    throw error;
  }
  return answer;
}

// ---- controls ----

function institutionPath(region, field) {
  return `regions.${region}.institutions.${field}`;
}

function buildControls() {
  const s = page.scenario;
  $("description").textContent = s.description;
  $("seeds").value = page.setting.seeds;
  $("seeds").max = page.catalog.max_seeds;
  $("end-year").value = page.setting.end_year ?? s.end_year;
  const box = $("institutions");
  box.replaceChildren();
  s.regions.forEach((region, r) => {
    const details = document.createElement("details");
    if (r === 0 || region.name === s.leading) details.open = true;
    const summary = document.createElement("summary");
    summary.textContent = region.name;
    details.append(summary);
    for (const inst of page.catalog.institutions) {
      const path = institutionPath(region.name, inst.name);
      const builtIn = region.institutions[inst.name];
      const value = path in page.setting.set ? Number(page.setting.set[path]) : builtIn;
      const id = `inst-${region.name}-${inst.name}`;
      const step = (inst.high - inst.low) / 100;
      const slider = el("input", { type: "range", id, min: inst.low, max: inst.high, step });
      const number = el("input", { type: "number", id: `num-${id}`, step: "any" });
      const row = el("div", { class: "field" },
        el("label", { for: id }, inst.name),
        slider,
        number,
        el("span", { class: "meaning" },
          `${inst.meaning}; ${inst.low} to ${inst.high}, built in ${builtIn}${later(region.name, inst.name)}`),
        el("span", { class: "error", "data-for": path }));
      row.dataset.path = path;
      slider.value = value;
      number.value = value;
      const changed = (v) => {
        if (Number(v) === builtIn) delete page.setting.set[path];
        else page.setting.set[path] = v;
        row.classList.toggle("changed", Number(v) !== builtIn);
        writeUrl();
      };
      slider.addEventListener("input", () => { number.value = slider.value; changed(slider.value); });
      number.addEventListener("change", () => { slider.value = number.value; changed(number.value); });
      row.classList.toggle("changed", value !== builtIn);
      details.append(row);
    }
    box.append(details);
  });
  buildPolicies();
}

// The dated policies that change an institution later in the run, so a
// slider's value is read as the value until the first of them.
function later(region, field) {
  const changes = policies().filter((p) => p.region === region && p.field === field);
  const change = (p) => `${p.value}${p.toward ? ` toward ${p.toward}` : ""} from ${p.year}`;
  return changes.length ? `; then ${changes.map(change).join(", ")} (dated policies)` : "";
}

function policies() {
  return page.setting.policies || page.scenario.policies;
}

function buildPolicies() {
  const body = $("policies").querySelector("tbody");
  body.replaceChildren();
  policies().forEach((p, i) => {
    const option = (name, chosen) => { const o = new Option(name, name); o.selected = name === chosen; return o; };
    const number = (k) => { const input = el("input", { type: "number", step: "any", "data-k": k }); input.value = p[k]; return input; };
    const note = el("input", { class: "note", "data-k": "note" });
    note.value = p.note || "";
    const tr = el("tr", {},
      el("td", {}, number("year")),
      el("td", {}, el("select", { "data-k": "region" }, ...page.scenario.regions.map((r) => option(r.name, p.region))),
        ...(p.toward ? [el("span", { class: "toward" }, ` toward ${p.toward}`)] : [])),
      el("td", {}, el("select", { "data-k": "field" }, ...page.catalog.institutions.map((f) => option(f.name, p.field)))),
      el("td", {}, number("value")),
      el("td", {}, note),
      el("td", {}, el("button", { type: "button", title: "Remove" }, "x")),
      el("td", { class: "error", "data-for": `policies.${i}` }));
    tr.querySelectorAll("[data-k]").forEach((input) => input.addEventListener("change", () => {
      const list = editablePolicies();
      const k = input.dataset.k;
      list[i][k] = k === "year" || k === "value" ? Number(input.value) : input.value;
      writeUrl();
    }));
    tr.querySelector("button").addEventListener("click", () => {
      editablePolicies().splice(i, 1);
      buildPolicies();
      writeUrl();
    });
    body.append(tr);
  });
}

function editablePolicies() {
  if (!page.setting.policies) page.setting.policies = JSON.parse(JSON.stringify(page.scenario.policies));
  return page.setting.policies;
}

function showErrors(errors) {
  document.querySelectorAll(".error").forEach((e) => { e.textContent = ""; });
  const general = $("field-errors");
  general.replaceChildren();
  for (const e of errors) {
    const path = e.field.startsWith("set:") ? e.field.slice(4) : e.field;
    const match = /^regions\[(.+?)\]\.institutions\.(.+)$/.exec(path);
    // The field's own slot, or that of the nearest enclosing part (a
    // policy's row for `policies.3.region`).
    let key = match ? institutionPath(match[1], match[2]) : path;
    let slot = null;
    while (key && !(slot = document.querySelector(`.error[data-for="${CSS.escape(key)}"]`))) {
      key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "";
    }
    if (slot) slot.textContent = e.message;
    else {
      const div = document.createElement("div");
      div.textContent = e.message;
      general.append(div);
    }
  }
}

// ---- running ----

function closeStreams() {
  page.streams.forEach((s) => s.close());
  page.streams = [];
}

async function run() {
  closeStreams();
  showErrors([]);
  $("message").textContent = "";
  page.setting.seeds = Number($("seeds").value);
  const end = Number($("end-year").value);
  page.setting.end_year = end && end !== page.scenario.end_year ? end : null;
  if (!page.pinned) page.baseline = builtInBaseline();
  page.baseline.seeds = page.setting.seeds;
  page.baseline.end_year = page.setting.end_year;
  writeUrl();
  document.body.dataset.state = "running";
  $("cancel").disabled = false;
  page.data = { current: null, baseline: null };
  try {
    const [current, baseline] = await Promise.all([
      api("POST", "/api/jobs", requestOf(page.setting)),
      api("POST", "/api/jobs", requestOf(page.baseline)),
    ]);
    page.jobs = { current: current.id, baseline: baseline.id };
    page.tokens = { [current.id]: current.token, [baseline.id]: baseline.token };
  } catch (e) {
    document.body.dataset.state = "error";
    $("cancel").disabled = true;
    showErrors(e.errors || [{ field: "", message: e.message }]);
    return;
  }
  const job = encodeURIComponent(page.jobs.current);
  $("download-ron").href = `/api/jobs/${job}/scenario.ron`;
  $("download-tables").href = `/api/jobs/${job}/tables.zip`;
  for (const which of ["current", "baseline"]) follow(which, page.jobs[which]);
}

// Each progress event fetches the ensemble so far and redraws: the first
// charts appear as soon as the first run finishes.
function follow(which, id) {
  const source = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
  page.streams.push(source);
  let busy = false, again = false;
  const refresh = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const data = await api("GET", `/api/jobs/${encodeURIComponent(id)}`);
      if (page.jobs[which] !== id) return;
      page.data[which] = data;
      draw();
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  };
  source.addEventListener("progress", refresh);
  source.addEventListener("settled", () => { source.close(); refresh(); });
  source.onerror = () => { source.close(); refresh(); };
}

async function cancel() {
  closeStreams();
  for (const id of Object.values(page.jobs)) {
    if (id) await api("DELETE", `/api/jobs/${encodeURIComponent(id)}`, undefined, page.tokens[id]).catch(() => {});
  }
  $("cancel").disabled = true;
  document.body.dataset.state = "cancelled";
  $("message").textContent = "cancelled";
}

// ---- drawing ----

function draw() {
  const cur = page.data.current, base = page.data.baseline;
  if (!cur) return;
  const settled = cur.settled + (base ? base.settled : 0);
  const total = cur.total + (base ? base.total : cur.total);
  $("progress").value = settled / total;
  $("progress-text").textContent = `${cur.finished} of ${cur.total} runs (baseline ${base ? base.finished : 0} of ${cur.total})`;
  if (cur.error || (base && base.error)) $("message").textContent = cur.error || base.error;
  const box = $("charts");
  box.replaceChildren();
  for (const chart of cur.charts) box.append(drawChart(chart, cur, base));
  drawTargets(cur);
  const done = cur.settled >= cur.total && base && base.settled >= base.total;
  if (done) {
    $("cancel").disabled = true;
    compare().then(() => { document.body.dataset.state = "done"; });
  }
}

function meanOf(runs, k) {
  const v = runs.map((r) => r.measures[k]).filter((x) => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

function drawChart(chart, cur, base) {
  const W = 560, H = 260, L = 48, R = 10, T = 10, B = 28;
  const years = cur.years;
  const div = document.createElement("div");
  div.className = "chart";
  div.id = `chart-${chart.name}`;
  // Incomes as indices on a log scale: a group that grows eightfold and
  // one that halves both stay readable.
  const log = chart.name === "income";
  const tf = (arr) => arr.map((v) => (v === null ? null : log ? (v > 0 ? Math.log(v) : null) : v));
  const shown = (c) => c && { ...c, series: c.series.map((s) => ({ ...s, mean: tf(s.mean), p5: tf(s.p5), p95: tf(s.p95) })) };
  chart = shown(chart);
  const baseChart = shown(base && base.charts.find((c) => c.name === chart.name));
  let lo = Infinity, hi = -Infinity;
  const consider = (arr) => arr && arr.forEach((v) => { if (v !== null && isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
  chart.series.forEach((s) => { consider(s.p5); consider(s.p95); consider(s.mean); });
  if (baseChart) baseChart.series.forEach((s) => consider(s.mean));
  if (!isFinite(lo)) { lo = 0; hi = 1; }
  if (chart.name === "adoption" || chart.name === "spread" || chart.name === "vintages" || chart.name === "protest") lo = 0;
  if (hi - lo < 1e-9) hi = lo + 1;
  const x = (i) => L + (W - L - R) * (i / Math.max(1, years.length - 1));
  const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  const parts = [];
  // Stages of the leading region at the ensemble's mean dates.
  const k2 = cur.measures.findIndex((m) => m.name === "stage2_year");
  const k3 = cur.measures.findIndex((m) => m.name === "stage3_year");
  const s2 = meanOf(cur.runs, k2), s3 = meanOf(cur.runs, k3);
  const xYear = (yr) => x((yr - years[0]));
  const end = years[years.length - 1];
  if (s2 !== null) {
    parts.push(svg("rect", { class: "stage2", x: xYear(s2), y: T, width: Math.max(0, xYear(s3 ?? end) - xYear(s2)), height: H - T - B, fill: "#fde9c8" },
      svg("title", {}, `stage 2 from ${s2.toFixed(1)}`)));
  }
  if (s3 !== null) {
    parts.push(svg("rect", { class: "stage3", x: xYear(s3), y: T, width: Math.max(0, xYear(end) - xYear(s3)), height: H - T - B, fill: "#d9ecd9" },
      svg("title", {}, `stage 3 from ${s3.toFixed(1)}`)));
  }
  // Axes with a few ticks.
  for (let t = 0; t <= 4; t++) {
    const v = lo + (hi - lo) * t / 4;
    parts.push(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#eee" }));
    const tick = log ? Math.exp(v) : v;
    parts.push(svg("text", { x: L - 4, y: y(v) + 4, "font-size": 10, "text-anchor": "end" },
      Math.abs(tick) >= 100 ? tick.toFixed(0) : tick.toPrecision(3)));
  }
  const step = Math.max(1, Math.round(years.length / 6 / 10) * 10);
  for (let i = 0; i < years.length; i += step) {
    parts.push(svg("text", { x: x(i), y: H - 10, "font-size": 10, "text-anchor": "middle" }, String(years[i])));
  }
  // Policies on the protest chart, repression in red.
  if (chart.name === "protest") {
    for (const p of cur.policies) {
      if (p.year < years[0] || p.year > end) continue;
      const colour = p.field === "repression" ? "#c00" : "#999";
      parts.push(svg("line", { class: "policy", x1: xYear(p.year), x2: xYear(p.year), y1: T, y2: H - B, stroke: colour, "stroke-dasharray": "2,2" },
        svg("title", {}, `${p.year} ${p.region}: ${p.field} = ${p.value}${p.note ? " (" + p.note + ")" : ""}`)));
    }
  }
  const path = (arr) => {
    let d = "", pen = false;
    arr.forEach((v, i) => {
      if (v === null || !isFinite(v)) { pen = false; return; }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const keys = [];
  chart.series.forEach((s, k) => {
    const c = COLOURS[k % COLOURS.length];
    const upper = [], lower = [];
    s.p95.forEach((v, i) => { if (v !== null && s.p5[i] !== null) { upper.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`); lower.push(`${x(i).toFixed(1)},${y(s.p5[i]).toFixed(1)}`); } });
    if (upper.length) {
      parts.push(svg("polygon", { class: "band", points: `${upper.join(" ")} ${lower.reverse().join(" ")}`, fill: c, "fill-opacity": 0.15, stroke: "none" }));
    }
    parts.push(svg("path", { class: "mean", "data-series": s.name, d: path(s.mean), stroke: c, fill: "none", "stroke-width": 1.6 }));
    const b = baseChart && baseChart.series.find((q) => q.name === s.name);
    if (b) parts.push(svg("path", { class: "baseline", "data-series": s.name, d: path(b.mean), stroke: c, fill: "none", "stroke-width": 1.2, "stroke-dasharray": "5,3" }));
    // The key's colour as a style property: the policy forbids style
    // attributes written as markup, not properties set by the script.
    const key = el("span", {}, s.name);
    key.style.setProperty("--c", c);
    keys.push(key);
  });
  div.append(
    el("h3", {}, chart.title),
    svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": chart.title }, ...parts),
    el("div", { class: "keys" }, ...keys));
  // A checksum of the drawn means, for tests and for a reader to see that
  // two pages show the same ensemble.
  const sum = chart.series.reduce((a, s) => a + s.mean.reduce((b, v) => b + (v ?? 0), 0), 0);
  div.dataset.sum = sum.toPrecision(12);
  return div;
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function fmt(v, digits = 3) {
  return v === null || v === undefined ? "-" : Number(v).toFixed(digits);
}

function drawTargets(cur) {
  const body = $("targets-table").querySelector("tbody");
  body.replaceChildren();
  for (const t of cur.targets) {
    const tr = document.createElement("tr");
    const digits = t.statistic === "date" || t.statistic === "crossing" || t.statistic === "first_year_above" ? 1 : 3;
    tr.append(cell(t.id), cell(t.metric), cell(t.region), cell(t.statistic),
      cell(fmt(t.history, digits), "num"), cell(`${fmt(t.low, digits)} to ${fmt(t.high, digits)}`, "num"),
      cell(t.mean === null ? "not reached" : fmt(t.mean, digits), "num"),
      cell(t.p5 === null ? "-" : `${fmt(t.p5, digits)} to ${fmt(t.p95, digits)}`, "num"), cell(`${t.in_band}/${t.runs}`, "num"),
      cell(t.verdict, t.verdict));
    body.append(tr);
  }
}

async function compare() {
  const { current, baseline } = page.jobs;
  const answer = await api("GET", `/api/compare/${encodeURIComponent(baseline)}/${encodeURIComponent(current)}`);
  const body = $("compare-table").querySelector("tbody");
  body.replaceChildren();
  for (const r of answer.rows) {
    const digits = r.measure.endsWith("_year") ? 1 : 3;
    const tr = document.createElement("tr");
    tr.dataset.measure = r.measure;
    tr.append(cell(r.label), cell(fmt(r.baseline, digits), "num"), cell(fmt(r.setting, digits), "num"),
      cell(r.difference === null ? "-" : `${r.difference >= 0 ? "+" : ""}${fmt(r.difference, digits)} [${fmt(r.low, digits)}, ${fmt(r.high, digits)}]`, "num"),
      cell(String(r.pairs), "num"));
    body.append(tr);
  }
  const changes = Object.keys(page.setting.set).length + (page.setting.policies ? 1 : 0);
  $("baseline-text").textContent = page.pinned
    ? "Baseline: a pinned earlier setting, on the same seeds."
    : `Baseline: ${page.experiment ? "the experiment's first setting" : "the scenario as built in"}, on the same seeds; ${changes} change(s) in the current settings.`;
}

// ---- choosing a scenario ----

async function choose(value, fromUrl) {
  closeStreams();
  page.experiment = null;
  let setting = fromUrl;
  if (value.startsWith("exp:")) {
    page.experiment = await api("GET", `/api/experiments/${encodeURIComponent(value.slice(4))}`);
    page.scenario = await api("GET", `/api/scenarios/${encodeURIComponent(page.experiment.base)}`);
    if (!setting) {
      const last = page.experiment.settings[page.experiment.settings.length - 1];
      setting = { scenario: page.experiment.base, ron: null, set: {}, policies: null, seeds: page.catalog.default_seeds, end_year: null };
      for (const item of last.set) { const at = item.indexOf("="); setting.set[item.slice(0, at)] = item.slice(at + 1); }
    }
  } else if (value === "upload") {
    page.scenario = await api("POST", "/api/scenarios", { ron: setting.ron });
  } else {
    page.scenario = await api("GET", `/api/scenarios/${encodeURIComponent(value)}`);
  }
  page.setting = setting || { scenario: value, ron: null, set: {}, policies: null, seeds: page.catalog.default_seeds, end_year: null };
  if (!page.pinned) page.baseline = builtInBaseline();
  buildControls();
  writeUrl();
}

async function upload(file) {
  const text = await file.text();
  try {
    const described = await api("POST", "/api/scenarios", { ron: text });
    const select = $("scenario");
    let option = select.querySelector("option[value=upload]");
    if (!option) { option = new Option("uploaded: " + described.name, "upload"); select.add(option); }
    select.value = "upload";
    page.pinned = false;
    await choose("upload", { scenario: null, ron: text, set: {}, policies: null, seeds: page.catalog.default_seeds, end_year: null });
  } catch (e) {
    showErrors(e.errors || [{ field: "ron", message: e.message }]);
  }
}

async function start() {
  page.catalog = await api("GET", "/api/catalog");
  const select = $("scenario");
  const group = (label) => { const g = document.createElement("optgroup"); g.label = label; select.append(g); return g; };
  const sg = group("Scenarios"), eg = group("Experiments");
  for (const s of page.catalog.scenarios) sg.append(new Option(`${s.name}: ${s.description}`, s.name));
  for (const e of page.catalog.experiments) eg.append(new Option(`${e.name}: ${e.question}`, "exp:" + e.name));
  const params = new URLSearchParams(location.search);
  // A link that does not read as a setting is refused whole: the page
  // opens on the default scenario with the reason, and nothing runs.
  let fromUrl = null, pinned = null, refused = null;
  try {
    fromUrl = settingFromParams(params, "");
    pinned = settingFromParams(params, "b.");
  } catch (e) {
    refused = e;
  }
  let value = params.get("exp") && !refused ? "exp:" + params.get("exp") : (fromUrl && fromUrl.scenario) || "loom";
  if (fromUrl && fromUrl.ron) {
    value = "upload";
    select.add(new Option("uploaded scenario", "upload"));
  }
  select.value = value;
  if (pinned) { page.pinned = true; page.baseline = pinned; }
  let opened = !refused;
  try {
    await choose(value, fromUrl);
  } catch (e) {
    opened = false;
    showErrors(e.errors || [{ field: "", message: e.message }]);
  }
  if (refused) showErrors(refused.errors);
  select.addEventListener("change", () => { page.pinned = false; choose(select.value, null).catch((e) => showErrors(e.errors || [])); });
  $("upload").addEventListener("change", () => { if ($("upload").files[0]) upload($("upload").files[0]); });
  $("run").addEventListener("click", run);
  $("cancel").addEventListener("click", cancel);
  $("pin").addEventListener("click", () => {
    page.pinned = true;
    page.baseline = JSON.parse(JSON.stringify(page.setting));
    writeUrl();
  });
  $("unpin").addEventListener("click", () => { page.pinned = false; page.baseline = builtInBaseline(); writeUrl(); });
  $("add-policy").addEventListener("click", () => {
    editablePolicies().push({ year: page.scenario.start_year + 10, region: page.scenario.leading, field: "relief_replacement", value: 0.5, note: "" });
    buildPolicies();
    writeUrl();
  });
  $("reset-policies").addEventListener("click", () => { page.setting.policies = null; buildPolicies(); writeUrl(); });
  document.body.dataset.state = opened ? "ready" : "error";
  // A shared link runs at once: its runs are cached if anyone ran them.
  if (fromUrl && opened) run();
}

start();
