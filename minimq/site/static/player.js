// The lesson player: builds one slide per step from the JSON embedded in the page
// (#lesson-data), shows one at a time, and keeps the slide's id in the address
// (#intro, #r2s3, #r2end, #end) so that a link opens that step. No network, no library.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("lesson-data").textContent);
  const ui = data.ui;
  const deck = document.getElementById("deck");
  const slides = [];

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function panel(title, cls) {
    const box = el("div", "panel " + (cls || ""));
    if (title) box.appendChild(el("h2", "", title));
    return box;
  }
  function paragraphs(box, text, cls) {
    for (const part of String(text).split(/\n\n+/)) if (part) box.appendChild(el("p", cls || "", part));
  }
  function table(spec) {
    const t = el("table");
    if (spec.title) t.appendChild(el("caption", "", spec.title));
    const head = el("tr");
    for (const h of spec.headers) head.appendChild(el("th", "", h));
    t.appendChild(el("thead")).appendChild(head);
    const body = t.appendChild(el("tbody"));
    for (const row of spec.rows) {
      const tr = body.appendChild(el("tr"));
      for (const cell of row) tr.appendChild(el("td", "", cell));
    }
    if (spec.caption) {
      const tr = body.appendChild(el("tr"));
      const td = tr.appendChild(el("td", "note", spec.caption));
      td.colSpan = spec.headers.length;
    }
    return t;
  }
  function events(rows, stepOf, current) {
    const t = el("table", "events");
    for (const row of rows) {
      const tr = t.appendChild(el("tr", row.mark ? "mark-" + row.mark : ""));
      if (stepOf) tr.classList.add(stepOf(row) === current ? "now" : stepOf(row) > current ? "later" : "before");
      tr.appendChild(el("td", "t", row.t));
      tr.appendChild(el("td", "lane", row.lane));
      const td = tr.appendChild(el("td", "", row.text));
      if (row.mark) td.appendChild(el("span", "badge " + row.mark, ui.marks[row.mark] || row.mark));
    }
    return t;
  }
  // A run's sequence diagram (SVG from minimq.render.sequence), its lane headings kept in
  // view while it scrolls: a copy cropped to the headings sticks to the top and covers the
  // picture's own. On a step slide (``current``) the step's band is highlighted, the steps
  // before it are dimmed and the ones after it are not there yet.
  function picture(svgText, current) {
    const box = el("div", "picture");
    box.insertAdjacentHTML("beforeend", svgText);
    const svg = box.querySelector("svg");
    const width = svg.viewBox.baseVal.width;
    const headEnd = Number((svg.dataset.head || "0 0").split(" ")[1]);
    const head = svg.cloneNode(true);
    head.setAttribute("viewBox", "0 0 " + width + " " + headEnd);
    head.removeAttribute("height");
    head.querySelectorAll("g.sq-ev, g[data-step], g.sq-break, g.sq-legend").forEach((g) => g.remove());
    head.classList.add("sq-heads");
    box.insertBefore(el("div", "sticky"), svg).appendChild(head);
    svg.style.marginTop = (-100 * headEnd) / width + "%";
    if (current !== undefined) {
      for (const node of svg.querySelectorAll("[data-step]")) {
        const n = Number(node.dataset.step);
        node.classList.add(n === current ? "sq-now" : n < current ? "sq-before" : "sq-later");
      }
    }
    return box;
  }
  // Scrolls a slide's picture to what it is there for: the current step's first duplicate,
  // else the current step's band, else (a verdict) the run's first duplicate.
  function aim(s) {
    const box = s.querySelector(".picture");
    if (!box) return;
    const target =
      box.querySelector("g.sq-ev.sq-dup.sq-now") ||
      box.querySelector("rect.sq-step-bg.sq-now") ||
      (box.querySelector(".sq-now") ? null : box.querySelector("g.sq-ev.sq-dup"));
    if (!target) return;
    const sticky = box.querySelector(".sticky").getBoundingClientRect().height;
    const band = target.tagName === "rect";
    const room = box.clientHeight - sticky;
    const offset = band ? 4 : room / 3;
    box.scrollTop += target.getBoundingClientRect().top - box.getBoundingClientRect().top - sticky - offset;
  }
  function slide(id, cls, heading) {
    const s = el("section", "slide " + cls);
    s.id = id;
    s.dataset.heading = heading;
    deck.appendChild(s);
    slides.push(s);
    return s;
  }

  // the opening: the ticket, the setting, how to read ids
  const intro = slide("intro", "text", data.opening ? ui.opening : ui.setting);
  const left = intro.appendChild(panel(data.opening ? ui.opening : ui.setting, "narr"));
  if (data.opening) paragraphs(left, data.opening, "say");
  paragraphs(left, data.world);
  const right = intro.appendChild(panel(ui.setting));
  paragraphs(right, data.setting);
  const legend = right.appendChild(el("details"));
  legend.appendChild(el("summary", "", ui.legend));
  paragraphs(legend, data.legend);

  for (const run of data.runs) {
    for (const step of run.steps) {
      const s = slide("r" + run.n + "s" + step.n, "step", run.heading + " · " + ui.step.replace("{n}", step.n));
      const narr = s.appendChild(panel(ui.step.replace("{n}", step.n), "narr"));
      if (step.n === 1) paragraphs(narr, run.explain, "explain");
      paragraphs(narr, step.narration, "say");
      const ev = s.appendChild(panel(ui.happened, "events-panel"));
      const toggle = ev.querySelector("h2").appendChild(el("button", "view", ""));
      toggle.addEventListener("click", flip);
      if (run.svg_steps) ev.appendChild(picture(run.svg_steps, step.n));
      const list = ev.appendChild(el("div", "list"));
      if (step.events.length) list.appendChild(events(step.events));
      else if (!step.note) list.appendChild(el("p", "note", ui.nothing));
      if (step.note) ev.appendChild(el("p", "note", step.note));
      const st = s.appendChild(panel(ui.state, "state-panel"));
      if (!step.tables.length) st.appendChild(el("p", "note", ui.no_state));
      for (const spec of step.tables) st.appendChild(table(spec));
    }
    const end = slide("r" + run.n + "end", "runend", run.heading + " · " + ui.verdict);
    const v = end.appendChild(panel(ui.verdict, "verdict" + (run.verdict.ok ? " ok" : "")));
    for (const line of run.verdict.lines) v.appendChild(el("p", line.strong ? "strong" : "", line.text));
    v.appendChild(el("h2", "", ui.moral));
    paragraphs(v, run.moral, "moral");
    // The timeline picture: minimq.render.sequence's SVG when it was there at build time,
    // else every listed event of the run, step by step.
    const tl = end.appendChild(panel(run.timeline_title, "timeline"));
    if (run.svg) tl.appendChild(picture(run.svg));
    else {
      const rows = [];
      for (const step of run.steps) for (const row of step.events) rows.push(row);
      tl.appendChild(events(rows));
    }
  }

  const last = slide("end", "text", data.summary.title);
  const sum = last.appendChild(panel(data.summary.title));
  const t = sum.appendChild(table({ title: "", headers: data.summary.headers, rows: data.summary.rows.map((r) => r.cells), caption: "" }));
  data.summary.rows.forEach((r, i) => t.tBodies[0].rows[i].classList.add(r.ok ? "good" : "bad"));
  if (data.summary.point) sum.appendChild(el("p", "note", data.summary.point));
  const diag = last.appendChild(panel(ui.diagnosis));
  paragraphs(diag, data.diagnosis);
  diag.appendChild(el("h2", "", ui.limits));
  paragraphs(diag, data.limits);

  // navigation: the address holds the slide's id
  const pos = document.getElementById("pos");
  const heading = document.getElementById("heading");
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  const notes = document.getElementById("notes");
  // The speaker window (``s``): this page with ?speaker, notes shown; the two windows
  // follow each other through localStorage (file:// pages share it; nothing leaves the machine).
  const channel = "minimq:" + data.slug + ":" + data.lang;
  const speaker = new URLSearchParams(location.search).has("speaker");
  if (speaker) document.body.classList.add("speaker", "notes-on");
  function tell(id) {
    try {
      if (localStorage.getItem(channel) !== id) localStorage.setItem(channel, id);
    } catch (e) {
      /* storage refused (a private window): each window steps on its own */
    }
  }
  window.addEventListener("storage", (e) => {
    if (e.key !== channel || !e.newValue) return;
    const i = slides.findIndex((s) => s.id === e.newValue);
    if (i >= 0 && i !== at) show(i);
  });
  let at = 0;
  function show(i) {
    at = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach((s, j) => s.classList.toggle("current", j === at));
    pos.textContent = ui.slide_of.replace("{n}", at + 1).replace("{total}", slides.length);
    heading.textContent = data.title + " — " + slides[at].dataset.heading;
    prev.disabled = at === 0;
    next.disabled = at === slides.length - 1;
    if (location.hash !== "#" + slides[at].id) history.replaceState(null, "", "#" + slides[at].id);
    aim(slides[at]);
    const note = (data.notes || {})[slides[at].id];
    notes.replaceChildren(el("h2", "", ui.notes));
    // "Ask: ...", "Answer: ...": the label in bold, one line each
    for (const line of (note || ui.no_notes).split("\n")) {
      const p = notes.appendChild(el("p", note ? "" : "note"));
      const cut = line.search(/[:：]/);
      if (note && cut > 0 && cut < 12) {
        p.appendChild(el("b", "", line.slice(0, cut + 1)));
        p.appendChild(document.createTextNode(line.slice(cut + 1)));
      } else p.textContent = line;
    }
    tell(slides[at].id);
    const other = document.getElementById("other-lang");
    if (other) other.hash = slides[at].id;
  }
  function fromHash() {
    const id = decodeURIComponent(location.hash.slice(1));
    const i = slides.findIndex((s) => s.id === id);
    show(i < 0 ? 0 : i);
  }
  // A step's events as a picture (the default) or as a list: one choice for every slide.
  function flip() {
    document.body.classList.toggle("list-view");
    label();
    aim(slides[at]);
  }
  function label() {
    const list = document.body.classList.contains("list-view");
    for (const b of document.querySelectorAll("button.view")) b.textContent = list ? ui.as_picture : ui.as_list;
  }
  function present() {
    document.body.classList.toggle("present");
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.body.classList.contains("present") && document.documentElement.requestFullscreen)
      document.documentElement.requestFullscreen().catch(() => {});
  }
  prev.addEventListener("click", () => show(at - 1));
  next.addEventListener("click", () => show(at + 1));
  document.getElementById("present").addEventListener("click", present);
  document.getElementById("print").addEventListener("click", () => window.print());
  window.addEventListener("hashchange", fromHash);
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (["ArrowRight", "PageDown", " ", "Enter"].includes(e.key)) show(at + 1);
    else if (["ArrowLeft", "PageUp", "Backspace"].includes(e.key)) show(at - 1);
    else if (e.key === "Home") show(0);
    else if (e.key === "End") show(slides.length - 1);
    else if (e.key === "f") present();
    else if (e.key === "l") flip();
    else if (e.key === "n") document.body.classList.toggle("notes-on");
    else if (e.key === "s" && !speaker) {
      const url = new URL(location.href);
      url.search = "?speaker";
      window.open(url.href, "minimq-speaker", "width=1000,height=720");
    }
    else return;
    e.preventDefault();
  });
  if (!data.runs.some((run) => run.svg_steps)) document.body.classList.add("list-view");
  label();
  fromHash();
})();
