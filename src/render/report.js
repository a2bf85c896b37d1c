// authpath's interactive report. Every value from the graph reaches the page through
// textContent or an attribute set with setAttribute: never parsed as markup.
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("authpath-data").textContent);
  var SEV = ["critical", "high", "medium", "low", "info"];
  var COLOR = { critical: "#b91c1c", high: "#ea580c", medium: "#ca8a04", low: "#2563eb", info: "#0891b2" };
  var FILL = { human: "#dbeafe", service: "#e0e7ff", agent: "#ede9fe", app: "#e0f2fe", partner: "#fde68a",
    tenant: "#d1fae5", group: "#f3f4f6", credential: "#fef3c7", resource: "#fee2e2" };
  var NEW_PATH = "#dc2626";
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function $(id) { return document.getElementById(id); }
  // What the page calls a node: its name (with part of its id when another node shares the
  // name); the id itself stays on hover and in the details.
  function label(n) { return n.label || n.name; }
  // Every id the page names, to its label: shown nodes, then the data's table for the rest.
  // A prototype-free object, so that an id like "constructor" is only ever a key.
  var names = Object.create(null);
  D.nodes.forEach(function (n) { names[n.id] = label(n); });
  Object.keys(D.labels).forEach(function (id) { names[id] = D.labels[id]; });
  function nameOf(id) { return id in names ? names[id] : id; }
  function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); }

  // ---------------------------------------------------------------- headline
  $("title").textContent = D.title;
  $("asof").textContent = "judged at " + D.as_of + " (" + D.as_of_source + ") · " +
    D.graph.nodes + " nodes, " + D.graph.edges + " edges";
  var cards = $("cards");
  var total = 0;
  SEV.forEach(function (s) { total += D.summary[s]; });
  var c = el("div", { "class": "card", "data-total": "all" });
  c.appendChild(el("b", { id: "total-all" }, total));
  c.appendChild(document.createTextNode("findings"));
  cards.appendChild(c);
  SEV.forEach(function (s) {
    var c = el("div", { "class": "card sev-" + s });
    c.appendChild(el("b", { id: "total-" + s }, D.summary[s]));
    c.appendChild(document.createTextNode(s));
    cards.appendChild(c);
  });
  if (D.exposure) {
    var share = D.exposure.subjects ? (100 * D.exposure.exposed / D.exposure.subjects) : 0;
    var e = el("div", { "class": "card" });
    e.appendChild(el("b", { id: "exposure" }, share.toFixed(1) + "%"));
    e.appendChild(document.createTextNode("exposure: " + D.exposure.exposed + " of " + D.exposure.subjects + " subjects reach a critical node"));
    cards.appendChild(e);
  }
  var rules = $("rules");
  Object.keys(D.by_rule).forEach(function (r) {
    var t = D.by_rule[r];
    rules.appendChild(el("li", { "data-rule": r }, r + ": " + t[0] + (t[1] < t[0] ? " (" + t[1] + " shown)" : "")));
  });
  var cov = $("coverage");
  D.coverage_lines.forEach(function (l) {
    cov.appendChild(el("li", { "class": /^undecided|not evaluated/.test(l) ? "gap" : "" }, l));
  });
  var choke = $("choke");
  D.choke_nodes.forEach(function (cn) { choke.appendChild(el("li", { title: cn[0] }, nameOf(cn[0]) + " — " + cn[1] + " pairs")); });
  if (!D.choke_nodes.length) choke.appendChild(el("li", { "class": "note" }, "none"));
  var notes = [];
  if (D.omitted.findings) notes.push(D.omitted.findings + " finding(s) not drawn: their paths did not fit the report's node budget");
  if (D.omitted.nodes) notes.push(D.omitted.nodes + " neighbour node(s) left out");
  var shownTotal = D.findings.filter(function (f) { return f.status !== "waived"; }).length;
  if (shownTotal < total) notes.push("the table lists " + shownTotal + " of " + total + " findings (the most severe first); the totals count all");
  $("omitted").textContent = notes.join("; ");

  // ---------------------------------------------------------------- filters
  var sevBoxes = $("sevs");
  SEV.forEach(function (s) {
    var l = el("label", { "class": "sev-" + s });
    var b = el("input", { type: "checkbox", value: s, "data-sev": s });
    b.checked = true;
    b.addEventListener("change", render);
    l.appendChild(b);
    l.appendChild(document.createTextNode(" " + s));
    sevBoxes.appendChild(l);
  });
  // values: [value, text]
  function fillSelect(sel, values) {
    values.forEach(function (v) { sel.appendChild(el("option", { value: v[0], title: v[0] }, v[1])); });
    sel.addEventListener("change", render);
  }
  function orgLabel(o) { return o ? nameOf(o) : "(home organisation)"; }
  var ruleSet = {}, orgSet = {};
  D.findings.forEach(function (f) { ruleSet[f.rule] = 1; f.orgs.forEach(function (o) { orgSet[o] = 1; }); });
  fillSelect($("rule"), Object.keys(ruleSet).sort().map(function (r) { return [r, r]; }));
  // By what the reader sees; the id breaks ties so the order never depends on the data's.
  fillSelect($("org"), Object.keys(orgSet).map(function (o) { return [o, orgLabel(o)]; })
    .sort(function (a, b) { return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : 1; }));
  $("q").addEventListener("input", render);

  // ---------------------------------------------------------------- table
  var sortKey = "severity", asc = true, selected = -1, expanded = {};
  var columns = [["severity", "severity"], ["rule", "rule"], ["subject", "subject"], ["target", "target"], ["level", "level"]];
  // Cells show labels, sort by them, and keep the id in their title.
  D.findings.forEach(function (f) {
    f.subject_label = nameOf(f.subject);
    f.target_label = f.target === null ? null : nameOf(f.target);
  });
  var SHOWN = { subject: "subject_label", target: "target_label" };
  // What the search looks through: ids and labels of the subject, target and path nodes,
  // the rule and the sentence; built once, not per keystroke.
  var hay = D.findings.map(function (f) {
    var words = [f.id, f.rule, f.subject, f.subject_label, f.target || "", f.target_label || "", f.message];
    f.path.forEach(function (n) { words.push(D.nodes[n].id, label(D.nodes[n])); });
    return words.join("\n").toLowerCase();
  });
  if (D.kind === "diff" || D.findings.some(function (f) { return f.status === "waived"; })) columns.unshift(["status", "status"]);
  var head = $("head");
  columns.forEach(function (col) {
    var th = el("th", { "data-key": col[0] }, col[1]);
    th.addEventListener("click", function () {
      if (sortKey === col[0]) asc = !asc; else { sortKey = col[0]; asc = true; }
      render();
    });
    head.appendChild(th);
  });
  function key(f, k) {
    if (k === "severity") return SEV.indexOf(f.severity);
    var v = f[SHOWN[k] || k];
    return v === null || v === undefined ? "" : String(v);
  }
  function visible() {
    var sevs = {};
    Array.prototype.forEach.call(sevBoxes.querySelectorAll("input"), function (b) { if (b.checked) sevs[b.value] = 1; });
    var r = $("rule").value, o = $("org").value, q = $("q").value.toLowerCase();
    var out = [];
    D.findings.forEach(function (f, i) {
      if (!sevs[f.severity]) return;
      if (r && f.rule !== r) return;
      if (o !== "*" && f.orgs.indexOf(o) < 0) return;
      if (q && hay[i].indexOf(q) < 0) return;
      out.push(i);
    });
    out.sort(function (a, b) {
      var x = key(D.findings[a], sortKey), y = key(D.findings[b], sortKey);
      var c = x < y ? -1 : x > y ? 1 : a - b;
      return asc ? c : -c;
    });
    return out;
  }
  function pathText(f, of) {
    if (!f.path.length) return "";
    var parts = [of(D.nodes[f.path[0]])];
    for (var i = 1; i < f.path.length; i++) parts.push(" -" + f.path_edges[i - 1] + "-> " + of(D.nodes[f.path[i]]));
    return parts.join("");
  }
  function render() {
    Array.prototype.forEach.call(head.children, function (th) {
      th.className = th.getAttribute("data-key") === sortKey ? ("sorted" + (asc ? " asc" : "")) : "";
    });
    var body = $("rows");
    clear(body);
    var list = visible();
    $("count").textContent = list.length + " of " + D.findings.length + " shown";
    list.forEach(function (i) {
      var f = D.findings[i];
      var tr = el("tr", { "class": "finding" + (i === selected ? " selected" : ""), "data-index": String(i), "data-id": f.id, "data-severity": f.severity });
      columns.forEach(function (col) {
        var k = col[0], v = f[SHOWN[k] || k];
        var cls = "c-" + k + (k === "severity" ? " sev-" + f.severity : k === "status" ? " status-" + f.status : "");
        var td = el("td", { "class": cls }, v === null || v === undefined ? "—" : v);
        if (SHOWN[k] && f[k]) td.setAttribute("title", f[k]);
        tr.appendChild(td);
      });
      tr.addEventListener("click", function () {
        expanded[i] = !expanded[i];
        select(i);
      });
      body.appendChild(tr);
      if (expanded[i]) {
        var d = el("tr", { "class": "detail" });
        var td = el("td", { colspan: String(columns.length) });
        td.appendChild(el("div", null, f.message));
        if (f.path.length) td.appendChild(el("div", { "class": "path", title: pathText(f, function (n) { return n.id; }) }, "path: " + pathText(f, label)));
        td.appendChild(el("div", { "class": "note" }, f.id + " · authpath explain " + f.rule));
        d.appendChild(td);
        body.appendChild(d);
      }
    });
  }

  // ---------------------------------------------------------------- graph
  var svg = $("graph");
  var view = { x: 0, y: 0, w: 800, h: 500 };
  function setView() { svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h); }
  var adj = D.nodes.map(function () { return []; });
  D.edges.forEach(function (e, k) { adj[e.from].push(k); adj[e.to].push(k); });

  // Boxes are sized from the text as this browser draws it, so no label is cut off; the
  // layout then keeps boxes, edge labels and cluster labels apart.
  var LINE = 14, PADX = 10, PADY = 5, WRAP = 240, MIN_W = 80, VGAP = 18, HGAP = 44, MARGIN = 24;
  var measurer = null, sizes = {};
  // [width, height] of a string drawn in the picture with this class; the height is the
  // fonts' own line box, which a fallback font for some characters makes taller.
  function textSize(s, cls) {
    var k = (cls || "") + "\u0000" + s;
    if (k in sizes) return sizes[k];
    if (!measurer || measurer.parentNode !== svg) {
      measurer = sv("text", { visibility: "hidden" });
      svg.appendChild(measurer);
    }
    measurer.setAttribute("class", cls || "");
    measurer.textContent = s;
    var b = measurer.getBBox();
    return (sizes[k] = [Math.max(measurer.getComputedTextLength(), b.width), b.height]);
  }
  function textWidth(s, cls) { return textSize(s, cls)[0]; }
  function lineHeight(strings, cls) {
    return Math.max.apply(null, [LINE].concat(strings.map(function (s) { return Math.ceil(textSize(s, cls)[1]) + 1; })));
  }
  // A name wider than WRAP goes onto as few lines as fit it (MAX_LINES at most), of even
  // widths, each broken after a separator when one is in its last third. Only a name longer
  // than MAX_LINES lines is cut, with "…": the whole name is on hover and in the details.
  var SEP = /[\/\\\s._:@-]/, MAX_LINES = 3;
  function nameLines(s) {
    var total = textWidth(s);
    if (total <= WRAP) return [s];
    var chars = Array.from(s), lines = [], start = 0;
    var target = Math.min(WRAP, total / Math.ceil(total / WRAP) + 8);
    // The most characters from `from` whose text (and `tail`) fits `width`: at least one.
    function fit(from, width, tail) {
      var lo = from + 1, hi = chars.length;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (textWidth(chars.slice(from, mid).join("") + tail) <= width) lo = mid; else hi = mid - 1;
      }
      return lo;
    }
    while (start < chars.length && lines.length < MAX_LINES) {
      var end = fit(start, target, "");
      if (lines.length === MAX_LINES - 1 && end < chars.length) {
        lines.push(chars.slice(start, fit(start, target, "…")).join("") + "…");
        return lines;
      }
      for (var k = end; end < chars.length && k > start + (end - start) * 2 / 3; k--) {
        if (SEP.test(chars[k - 1])) { end = k; break; }
      }
      lines.push(chars.slice(start, end).join(""));
      start = end;
    }
    return lines;
  }
  function geometry(n) {
    var lines = nameLines(label(n)), kind = n.kind + (n.critical ? " · critical" : "");
    var tw = Math.max.apply(null, lines.map(function (l) { return textWidth(l); }).concat([textWidth(kind)]));
    var line = lineHeight(lines.concat([kind])), th = (lines.length + 1) * line, w, h, roof = 0;
    // An ellipse holds the text's box when its radii are √2 times the box's half sides.
    if (n.kind === "human") { w = tw * Math.SQRT2 + 2 * PADX; h = th * Math.SQRT2 + 2 * PADY; }
    else if (n.kind === "agent") { w = tw + 2 * PADX + 24; h = th + 2 * PADY; }
    else { w = tw + 2 * PADX; h = th + 2 * PADY; }
    if (n.kind === "partner") roof = 10;
    w = Math.max(w, MIN_W);
    return { lines: lines, kind: kind, w: w, h: h + 2 * roof, body: h, roof: roof, th: th, line: line };
  }

  function shape(n, geo, x, y, cls) {
    var g = sv("g", { "class": cls, "data-node": n.id, transform: "translate(" + x + "," + y + ")" });
    var fill = n.inactive ? "#e5e7eb" : (FILL[n.kind] || "#fff");
    var w = geo.w, h = geo.body, s;
    if (n.kind === "human") s = sv("ellipse", { rx: w / 2, ry: h / 2, fill: fill });
    else if (n.kind === "resource") s = sv("rect", { x: -w / 2, y: -h / 2, width: w, height: h, rx: 14, fill: fill });
    else if (n.kind === "partner") s = sv("polygon", { points: [-w / 2, h / 2, -w / 2, -h / 2, 0, -h / 2 - geo.roof, w / 2, -h / 2, w / 2, h / 2].join(" "), fill: fill });
    else if (n.kind === "agent") s = sv("polygon", { points: [-w / 2, 0, -w / 2 + 12, -h / 2, w / 2 - 12, -h / 2, w / 2, 0, w / 2 - 12, h / 2, -w / 2 + 12, h / 2].join(" "), fill: fill });
    else s = sv("rect", { x: -w / 2, y: -h / 2, width: w, height: h, rx: n.kind === "service" ? 8 : 2, fill: fill });
    s.setAttribute("class", "box");
    if (n.inactive) s.setAttribute("stroke-dasharray", "4 3");
    g.appendChild(s);
    var top = -geo.th / 2 + geo.line / 2;
    geo.lines.forEach(function (l, k) {
      g.appendChild(sv("text", { "class": "nlabel", "text-anchor": "middle", "dominant-baseline": "central", y: top + k * geo.line }, l));
    });
    g.appendChild(sv("text", { "class": "nkind", "text-anchor": "middle", "dominant-baseline": "central", y: top + geo.lines.length * geo.line, fill: "#6b7280" }, geo.kind));
    g.appendChild(sv("title", null, n.name + "\n" + n.id));
    g.addEventListener("click", function (ev) { ev.stopPropagation(); details(D.nodes.indexOf(n)); });
    return g;
  }

  function overlaps(a, b) { return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h; }
  // The first candidate box that meets no obstacle (else the first), taken as an obstacle.
  function place(candidates, obstacles) {
    var free = candidates.filter(function (c) { return !obstacles.some(function (o) { return overlaps(c, o); }); })[0] || candidates[0];
    obstacles.push(free);
    return free;
  }
  // Where the line from a node's centre towards (tx, ty) leaves its shape.
  function rim(p, tx, ty) {
    var dx = tx - p.x, dy = ty - p.y;
    if (!dx && !dy) return [p.x, p.y];
    var a = p.geo.w / 2, b = p.geo.body / 2 + p.geo.roof, t;
    if (p.human) t = 1 / Math.sqrt((dx * dx) / (a * a) + (dy * dy) / (b * b));
    else t = Math.min(dx ? a / Math.abs(dx) : Infinity, dy ? b / Math.abs(dy) : Infinity);
    return [p.x + dx * t, p.y + dy * t];
  }

  function draw(i) {
    clear(svg);
    var f = D.findings[i];
    var path = f.path.length ? f.path : (function () {
      for (var k = 0; k < D.nodes.length; k++) if (D.nodes[k].id === f.subject) return [k];
      return [];
    })();
    // Columns: each path node once, left to right; above it what points into it, below what
    // it points to (four each at most), stacked.
    var cols = [], col = {}, onPath = {}, pos = {};
    path.forEach(function (n) { onPath[n] = 1; if (!(n in col)) { col[n] = cols.length; cols.push({ node: n, above: [], below: [] }); } });
    cols.forEach(function (c) {
      adj[c.node].forEach(function (ek) {
        var e = D.edges[ek], m = e.from === c.node ? e.to : e.from;
        if (m in col) return;
        var side = e.to === c.node ? c.above : c.below;
        if (side.length >= 4) return;
        col[m] = col[c.node];
        side.push(m);
      });
    });
    var geo = {};
    Object.keys(col).forEach(function (n) { geo[n] = geometry(D.nodes[n]); });
    function what(e) { return e.kind + (e.kind === "exposes" ? " (needs " + e.level + ")" : " (" + e.level + ")"); }
    var pathEdges = [];
    for (var k = 1; k < path.length; k++) {
      for (var j = 0; j < D.edges.length; j++) {
        var e = D.edges[j];
        if (e.from === path[k - 1] && e.to === path[k] && e.kind === f.path_edges[k - 1]) { pathEdges.push(j); break; }
      }
    }
    var onPathEdge = {};
    pathEdges.forEach(function (j) { onPathEdge[j] = 1; });
    // The gap before each column fits the label of the path edge that crosses it.
    var gaps = cols.map(function () { return HGAP; });
    pathEdges.forEach(function (j) {
      var e = D.edges[j], a = col[e.from], b = col[e.to];
      if (b === a + 1) gaps[b] = Math.max(gaps[b], textWidth(what(e), "elabel") + 2 * PADX);
    });
    // A path wider than the frame continues on a new row, so the picture keeps the page's
    // text size instead of shrinking to fit one long row.
    var room = Math.max((svg.clientWidth || 800) - 2 * MARGIN, 300), rows = [], x = 0;
    cols.forEach(function (c, k) {
      var members = [c.node].concat(c.above, c.below);
      c.w = Math.max.apply(null, members.map(function (n) { return geo[n].w; }));
      c.up = geo[c.node].h / 2; c.down = geo[c.node].h / 2;
      c.above.forEach(function (n) { c.up += VGAP + geo[n].h; });
      c.below.forEach(function (n) { c.down += VGAP + geo[n].h; });
      var step = k ? cols[k - 1].w / 2 + gaps[k] + c.w / 2 : c.w / 2;
      if (!k || x + step + c.w / 2 > room) { rows.push([]); x = c.w / 2; } else x += step;
      c.x = x;
      c.row = rows.length - 1;
      rows[c.row].push(c);
    });
    var rowY = 0, edgeH = lineHeight(["Ag"], "elabel");
    rows.forEach(function (r, i) {
      var up = Math.max.apply(null, r.map(function (c) { return c.up; }));
      if (i) rowY += up + 3 * edgeH + 2 * VGAP;
      r.forEach(function (c) {
        c.y = rowY;
        pos[c.node] = { x: c.x, y: rowY, geo: geo[c.node], slot: -1 };
        var y = rowY - geo[c.node].h / 2;
        c.above.forEach(function (n, s) { y -= VGAP + geo[n].h / 2; pos[n] = { x: c.x, y: y, geo: geo[n], slot: s }; y -= geo[n].h / 2; });
        y = rowY + geo[c.node].h / 2;
        c.below.forEach(function (n, s) { y += VGAP + geo[n].h / 2; pos[n] = { x: c.x, y: y, geo: geo[n], slot: s }; y += geo[n].h / 2; });
      });
      r.bottom = rowY + Math.max.apply(null, r.map(function (c) { return c.down; }));
      rowY = r.bottom;
    });
    var ids = Object.keys(pos).map(Number);
    ids.forEach(function (n) { pos[n].human = D.nodes[n].kind === "human"; });
    function box(p) { return { x: p.x - p.geo.w / 2, y: p.y - p.geo.h / 2, w: p.geo.w, h: p.geo.h }; }
    var obstacles = ids.map(function (n) { return box(pos[n]); });
    var bottom = Math.max.apply(null, obstacles.map(function (b) { return b.y + b.h; }).concat([0]));
    var color = f.status === "new" ? NEW_PATH : (COLOR[f.severity] || "#000");

    // Edges: geometry first, labels placed after, nodes drawn over both.
    var edgeEls = [], labels = [], arcs = 0;
    D.edges.forEach(function (e, j) {
      if (!(e.from in pos) || !(e.to in pos)) return;
      var a = pos[e.from], b = pos[e.to], d, mid;
      var stacked = !onPath[e.from] !== !onPath[e.to] && col[e.from] === col[e.to];
      if (e.from === e.to) {
        var r = a.x + a.geo.w / 2;
        d = "M " + r + " " + (a.y - 6) + " C " + (r + 30) + " " + (a.y - 26) + " " + (r + 30) + " " + (a.y + 26) + " " + r + " " + (a.y + 6);
        mid = [r + 24, a.y];
      } else if (onPath[e.from] && onPath[e.to] && col[e.to] === col[e.from] + 1 && cols[col[e.to]].row === cols[col[e.from]].row) {
        var p0 = [a.x + a.geo.w / 2, a.y], p1 = [b.x - b.geo.w / 2, b.y];
        d = "M " + p0[0] + " " + p0[1] + " L " + p1[0] + " " + p1[1];
        mid = [(p0[0] + p1[0]) / 2, a.y];
      } else if (onPath[e.from] && onPath[e.to] && col[e.to] === col[e.from] + 1) {
        // On to the next row: out of the right side, along the band between the rows, into
        // the left side of the row's first node.
        var ca = cols[col[e.from]], cb = cols[col[e.to]];
        var band = rows[ca.row].bottom + VGAP + 1.5 * edgeH;
        var r0 = a.x + ca.w / 2 + 12, l0 = b.x - cb.w / 2 - 12;
        d = "M " + (a.x + a.geo.w / 2) + " " + a.y + " L " + r0 + " " + a.y + " L " + r0 + " " + band + " L " + l0 + " " + band +
          " L " + l0 + " " + b.y + " L " + (b.x - b.geo.w / 2) + " " + b.y;
        mid = [(r0 + l0) / 2, band];
      } else if (onPath[e.from] && onPath[e.to]) {
        // Backwards or skipping columns: an arc under everything.
        var y = bottom + 24 + 18 * arcs++;
        var s0 = [a.x, a.y + a.geo.h / 2], s1 = [b.x, b.y + b.geo.h / 2];
        d = "M " + s0[0] + " " + s0[1] + " C " + s0[0] + " " + y + " " + s1[0] + " " + y + " " + s1[0] + " " + s1[1];
        mid = [(s0[0] + s1[0]) / 2, s0[1] + (y - s0[1]) * 0.75];
      } else if (stacked) {
        // Between a path node and a neighbour in its column: straight for the nearest, the
        // others round the column's left side so that no line runs under a box.
        var pn = onPath[e.from] ? a : b, nb = onPath[e.from] ? b : a, up = nb.y < pn.y;
        var ey = pn.y + (up ? -1 : 1) * pn.geo.h / 2, pts;
        if (nb.slot === 0) pts = [[nb.x, nb.y + (up ? 1 : -1) * nb.geo.h / 2], null, null, [pn.x, ey]];
        else {
          var bus = cols[col[pn === a ? e.from : e.to]].x - cols[col[pn === a ? e.from : e.to]].w / 2 - 8 - 4 * nb.slot;
          var ex = pn.x - pn.geo.w / 2 + 10 + 5 * nb.slot;
          if (pn.human) ex = pn.x - pn.geo.w / 4 + 5 * nb.slot;
          var sx = nb.x - nb.geo.w / 2;
          pts = [[sx, nb.y], [bus, nb.y], [bus, ey + (up ? -16 : 16)], [ex, ey + (pn.human ? (up ? 4 : -4) : 0)]];
        }
        if (pn === a) pts.reverse();
        d = "M " + pts[0].join(" ") + (pts[1] ? " C " + pts[1].join(" ") + " " + pts[2].join(" ") + " " : " L ") + pts[3].join(" ");
        mid = [(pts[0][0] + pts[3][0]) / 2, (pts[0][1] + pts[3][1]) / 2];
      } else {
        var q0 = rim(a, b.x, b.y), q1 = rim(b, a.x, a.y);
        d = "M " + q0.join(" ") + " L " + q1.join(" ");
        mid = [(q0[0] + q1[0]) / 2, (q0[1] + q1[1]) / 2];
      }
      var on = onPathEdge[j];
      var p = sv("path", { "class": "edge" + (on ? " on-path" : ""), d: d, "marker-end": "url(#arrow)" });
      p.appendChild(sv("title", null, D.nodes[e.from].id + " -" + what(e) + "-> " + D.nodes[e.to].id));
      if (on) {
        // The stylesheet's edge colour outranks a presentation attribute; the style does not.
        p.setAttribute("stroke", color);
        p.style.stroke = color;
        labels.push([mid, what(e)]);
      }
      edgeEls.push(p);
    });
    // Path edge labels just above their line, else below it, else further off.
    var placed = labels.map(function (l) {
      var w = textWidth(l[1], "elabel") + 4, h = lineHeight([l[1]], "elabel"), cands = [];
      // Centred 2px off the line, one line height further out at each try.
      [-1, 1, -2, 2, -3, 3].forEach(function (k) {
        var cy = l[0][1] + Math.sign(k) * ((Math.abs(k) - 0.5) * h + 2);
        cands.push({ x: l[0][0] - w / 2, y: cy - h / 2, w: w, h: h });
      });
      return [place(cands, obstacles), l[1]];
    });
    // Organisations as clusters around their nodes, labelled where the label meets nothing.
    var orgs = {};
    ids.forEach(function (n) { var o = D.nodes[n].org; (orgs[o] = orgs[o] || []).push(n); });
    var clusters = [];
    Object.keys(orgs).sort().forEach(function (o) {
      if (!o) return;
      var bs = orgs[o].map(function (n) { return box(pos[n]); });
      var x0 = Math.min.apply(null, bs.map(function (b) { return b.x; })) - 10;
      var x1 = Math.max.apply(null, bs.map(function (b) { return b.x + b.w; })) + 10;
      var y0 = Math.min.apply(null, bs.map(function (b) { return b.y; })) - LINE - 8;
      var y1 = Math.max.apply(null, bs.map(function (b) { return b.y + b.h; })) + 10;
      var text = orgLabel(o), w = textWidth(text, "cluster-label") + 4, h = lineHeight([text], "cluster-label"), cands = [];
      for (var cx = x0 + 4; cx + w <= x1 || cx === x0 + 4; cx += 20) cands.push({ x: cx, y: y0 + 3, w: w, h: h });
      for (var k = 0; k < 12; k++) cands.push({ x: x0 + 4, y: y0 - (k + 1) * h - 3, w: w, h: h });
      clusters.push([o, x0, y0, x1, y1, place(cands, obstacles), text]);
    });
    clusters.forEach(function (c) {
      svg.appendChild(sv("rect", { "class": "cluster", x: c[1], y: c[2], width: c[3] - c[1], height: c[4] - c[2], rx: 8, "data-org": c[0] }));
    });
    var defs = sv("defs");
    var marker = sv("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" });
    marker.appendChild(sv("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#6b7280" }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    edgeEls.forEach(function (p) { svg.appendChild(p); });
    ids.forEach(function (n) {
      var node = D.nodes[n];
      var cls = "node" + (onPath[n] ? " on-path" : "") + (node.critical ? " critical" : "") + (node.inactive ? " inactive" : "");
      var g = shape(node, geo[n], pos[n].x, pos[n].y, cls);
      if (onPath[n]) g.querySelector(".box").setAttribute("stroke", color);
      svg.appendChild(g);
    });
    clusters.forEach(function (c) {
      var t = sv("text", { "class": "cluster-label", x: c[5].x + 2, y: c[5].y + c[5].h / 2, "dominant-baseline": "central" }, c[6]);
      t.appendChild(sv("title", null, c[0]));
      svg.appendChild(t);
    });
    // The path's edge labels last, over everything, with a white halo.
    placed.forEach(function (l) {
      svg.appendChild(sv("text", { "class": "elabel", x: l[0].x + l[0].w / 2, y: l[0].y + l[0].h / 2, "text-anchor": "middle", "dominant-baseline": "central", fill: color }, l[1]));
    });
    // Everything in view, never enlarged past the page's own text size.
    var all = obstacles.concat(clusters.map(function (c) { return { x: c[1], y: c[2], w: c[3] - c[1], h: c[4] - c[2] }; }));
    var bx0 = Math.min.apply(null, all.map(function (b) { return b.x; }).concat([0])) - MARGIN;
    var by0 = Math.min.apply(null, all.map(function (b) { return b.y; }).concat([0])) - MARGIN;
    var bx1 = Math.max.apply(null, all.map(function (b) { return b.x + b.w; }).concat([0])) + MARGIN;
    var by1 = Math.max.apply(null, all.map(function (b) { return b.y + b.h; }).concat([0])) + MARGIN + 18 * arcs;
    // The frame grows with a tall picture (up to twice its height) rather than shrink it.
    svg.style.height = "";
    var base = svg.clientHeight || 500;
    if (by1 - by0 > base) svg.style.height = Math.min(by1 - by0, 2 * base) + "px";
    var w = Math.max(bx1 - bx0, svg.clientWidth || 0), h = Math.max(by1 - by0, svg.clientHeight || 0);
    view = { x: (bx0 + bx1 - w) / 2, y: (by0 + by1 - h) / 2, w: w, h: h };
    setView();
    $("graph-note").textContent = f.message;
  }

  function select(i) {
    selected = i;
    render();
    draw(i);
  }

  // Pan and zoom.
  var drag = null;
  svg.addEventListener("pointerdown", function (e) { drag = [e.clientX, e.clientY, view.x, view.y]; svg.setPointerCapture(e.pointerId); });
  svg.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var s = view.w / svg.clientWidth;
    view.x = drag[2] - (e.clientX - drag[0]) * s; view.y = drag[3] - (e.clientY - drag[1]) * s; setView();
  });
  svg.addEventListener("pointerup", function () { drag = null; });
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var k = e.deltaY > 0 ? 1.15 : 1 / 1.15;
    var r = svg.getBoundingClientRect();
    var px = view.x + (e.clientX - r.left) / r.width * view.w, py = view.y + (e.clientY - r.top) / r.height * view.h;
    view.w *= k; view.h *= k; view.x = px - (px - view.x) * k; view.y = py - (py - view.y) * k; setView();
  }, { passive: false });

  // ---------------------------------------------------------------- node details
  function details(n) {
    var node = D.nodes[n], box = $("details");
    clear(box);
    box.appendChild(el("h2", null, node.name));
    var t = el("table");
    [["id", node.id], ["kind", node.kind], ["organisation", node.org || "home"], ["critical", node.critical ? "yes" : "no"]]
      .concat(node.fields.map(function (f) { return [f[0], typeof f[1] === "string" ? f[1] : JSON.stringify(f[1])]; }))
      .forEach(function (r) { var tr = el("tr"); tr.appendChild(el("td", null, r[0])); tr.appendChild(el("td", null, r[1])); t.appendChild(tr); });
    box.appendChild(t);
    if (node.hidden) box.appendChild(el("p", { "class": "note" }, node.hidden + " neighbour(s) not drawn"));
    function query(title, q, cmd) {
      box.appendChild(el("h2", null, title));
      if (!q) { box.appendChild(el("p", { "class": "note" }, "not computed for this node: run " + cmd)); return; }
      box.appendChild(el("p", null, q.count + " node(s), " + q.critical + " critical"));
      var ul = el("ul");
      q.first.forEach(function (x) { ul.appendChild(el("li", { title: x[0] }, nameOf(x[0]) + " (" + x[1] + ")")); });
      box.appendChild(ul);
      if (q.count > q.first.length) box.appendChild(el("p", { "class": "note" }, "and " + (q.count - q.first.length) + " more: run " + cmd));
    }
    query("Blast radius: what it reaches", node.blast, "authpath blast-radius FILE --from " + node.id);
    query("Who can reach it", node.who_can, "authpath who-can FILE --reach " + node.id);
  }

  // ---------------------------------------------------------------- access changes (diff)
  if (D.kind === "diff") {
    var acc = $("access");
    acc.parentNode.hidden = false;
    D.access.forEach(function (a) {
      var li = el("li", { "class": "access-" + a.change, title: a.subject + " → " + a.target });
      li.appendChild(el("b", null, a.change + ": "));
      li.appendChild(document.createTextNode(nameOf(a.subject) + " → " + nameOf(a.target) + " (" + (a.before || "none") + " → " + (a.after || "none") + ") " + a.message));
      acc.appendChild(li);
    });
    if (!D.access.length) acc.appendChild(el("li", { "class": "note" }, "no access changes"));
  }

  render();
  if (D.findings.length) select(0);
  document.body.setAttribute("data-ready", "1");
})();
