// The run page: draws the DAG (SVG laid out by Graphviz on the server),
// colours each step by its status from the run's live state (server-sent
// events), and shows a step's details in the side panel.
"use strict";
const id = document.body.dataset.id;
const run = document.body.dataset.run;
const q = (extra) => new URLSearchParams({ id, run, ...extra }).toString();
const graph = document.getElementById("graph");
const panel = document.getElementById("panel");
const nodes = new Map(); // step id -> <g> of its node
let view = null;
let selected = null;
const inner = new Map(); // loop step id -> its inner DAG's SVG, once shown

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

async function drawGraph() {
  const resp = await fetch("/api/graph.svg?" + q({}));
  if (!resp.ok) throw new Error(await resp.text());
  graph.innerHTML = await resp.text();
  for (const g of graph.querySelectorAll("g.node")) {
    const step = g.querySelector("title").textContent;
    g.classList.add("step");
    g.dataset.step = step;
    const texts = g.querySelectorAll("text");
    if (texts.length > 1) g.dataset.detail = texts[texts.length - 1].textContent;
    g.addEventListener("click", () => select(step));
    nodes.set(step, g);
  }
}

function stepState(step) {
  return view && view.state.steps.find((s) => s.id === step);
}

// loopText is a loop step's iterations done/total, live or final.
function loopText(step, st) {
  const live = view.loops && view.loops[step];
  if (live) {
    const c = live.counts || {};
    let t = (live.total ? `${live.done}/${live.total}` : `${live.done}`) + ` done, ${live.running} running`;
    if (c.failed) t += `, ${c.failed} failed`;
    return t;
  }
  if (st && st.loop) {
    const c = st.loop.counts || {};
    return `${c.succeeded || 0}/${st.loop.iterations} succeeded` + (c.failed ? `, ${c.failed} failed` : "");
  }
  return "";
}

function paint() {
  for (const [step, g] of nodes) {
    const st = stepState(step);
    const status = st ? st.status : "NOT_CREATED";
    for (const c of [...g.classList]) if (c.startsWith("st-")) g.classList.remove(c);
    g.classList.add("st-" + status);
    g.dataset.status = status;
    const texts = g.querySelectorAll("text");
    const kind = view.kinds[step];
    if (texts.length > 1 && (kind === "foreach" || kind === "while")) {
      const lt = loopText(step, st);
      texts[texts.length - 1].textContent = kind + (lt ? " · " + lt : "");
    }
  }
  const badge = document.getElementById("status");
  badge.textContent = view.state.status;
  badge.className = "badge st-" + view.state.status;
  tick();
  if (selected) showPanel(selected);
}

// tick shows the run's duration, counting while it runs.
function tick() {
  if (!view) return;
  const start = new Date(view.state.start_time);
  const end = view.state.end_time ? new Date(view.state.end_time) : new Date();
  document.getElementById("clock").textContent = `${((end - start) / 1000).toFixed(1)} s`;
}
setInterval(tick, 200);

function select(step) {
  if (selected && nodes.get(selected)) nodes.get(selected).classList.remove("selected");
  selected = step;
  nodes.get(step).classList.add("selected");
  showPanel(step);
}

function fmtTime(t) {
  return t ? new Date(t).toLocaleTimeString() : "–";
}

function showPanel(step) {
  const st = stepState(step) || { id: step, status: "NOT_CREATED", attempts: 0 };
  const kind = view.kinds[step] || "step";
  const dl = el("dl");
  const row = (k, v) => dl.append(el("dt", {}, k), el("dd", {}, v));
  row("status", el("span", { class: "badge st-" + st.status }, st.status));
  row("type", (st.type || kind) + (st.mode ? ` (${st.mode})` : ""));
  row("attempts", String(st.attempts || 0));
  const r = st.retries || {};
  row("retries", `error ${r.error || 0}, platform ${r.platform || 0}, timeout ${r.timeout || 0}`);
  row("started", fmtTime(st.start_time));
  row("ended", fmtTime(st.end_time));
  if (st.start_time) {
    const end = st.end_time ? new Date(st.end_time) : new Date();
    row("duration", `${((end - new Date(st.start_time)) / 1000).toFixed(3)} s`);
  }
  if (kind === "foreach" || kind === "while") row("iterations", loopText(step, st) || "–");
  const parts = [el("h2", {}, step), dl];
  if (st.error) parts.push(el("h3", {}, "Error"), el("pre", { class: "error step-error" }, st.error));
  if (st.params && Object.keys(st.params).length) {
    parts.push(el("h3", {}, "Params"), el("pre", { class: "params" }, JSON.stringify(st.params, null, 2)));
  }
  if (view.children && view.children[step]) {
    parts.push(el("p", {}, el("a", { href: view.children[step], class: "child" }, "Open the child run →")));
  }
  if (kind === "foreach" || kind === "while") {
    const box = el("div", { class: "inner" });
    if (inner.has(step)) {
      box.innerHTML = inner.get(step);
      parts.push(el("h3", {}, "Inner DAG"), box);
    } else {
      const btn = el("button", { type: "button", class: "expand" }, "Show the inner DAG");
      btn.addEventListener("click", async () => {
        const resp = await fetch("/api/graph.svg?" + q({ step }));
        if (resp.ok) inner.set(step, await resp.text());
        showPanel(step);
      });
      parts.push(btn, box);
    }
  }
  panel.replaceChildren(...parts);
}

function listen() {
  const es = new EventSource("/api/events?" + q({}));
  es.onmessage = (e) => {
    view = JSON.parse(e.data);
    paint();
  };
  es.addEventListener("failure", (e) => {
    document.getElementById("error").textContent = JSON.parse(e.data);
  });
  es.addEventListener("end", () => es.close());
}

drawGraph().then(listen).catch((err) => {
  document.getElementById("error").textContent = String(err);
});
