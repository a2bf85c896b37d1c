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
  var choke = $("choke");
  D.choke_nodes.forEach(function (cn) { choke.appendChild(el("li", null, cn[0] + " — " + cn[1] + " pairs")); });
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
  function fillSelect(sel, values) {
    values.forEach(function (v) { sel.appendChild(el("option", { value: v }, v || "(home organisation)")); });
    sel.addEventListener("change", render);
  }
  var ruleSet = {}, orgSet = {};
  D.findings.forEach(function (f) { ruleSet[f.rule] = 1; f.orgs.forEach(function (o) { orgSet[o] = 1; }); });
  fillSelect($("rule"), Object.keys(ruleSet).sort());
  fillSelect($("org"), Object.keys(orgSet).sort());
  $("q").addEventListener("input", render);

  // ---------------------------------------------------------------- table
  var sortKey = "severity", asc = true, selected = -1, expanded = {};
  var columns = [["severity", "severity"], ["rule", "rule"], ["subject", "subject"], ["target", "target"], ["level", "level"]];
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
    var v = f[k];
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
      if (q) {
        var hay = [f.id, f.rule, f.subject, f.target || "", f.message].join(" ").toLowerCase();
        if (hay.indexOf(q) < 0) return;
      }
      out.push(i);
    });
    out.sort(function (a, b) {
      var x = key(D.findings[a], sortKey), y = key(D.findings[b], sortKey);
      var c = x < y ? -1 : x > y ? 1 : a - b;
      return asc ? c : -c;
    });
    return out;
  }
  function pathText(f) {
    if (!f.path.length) return "";
    var parts = [D.nodes[f.path[0]].id];
    for (var i = 1; i < f.path.length; i++) parts.push(" -" + f.path_edges[i - 1] + "-> " + D.nodes[f.path[i]].id);
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
        var v = f[col[0]];
        var td = el("td", col[0] === "severity" ? { "class": "sev-" + f.severity } :
          col[0] === "status" ? { "class": "status-" + f.status } : null, v === null ? "—" : v);
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
        if (f.path.length) td.appendChild(el("div", { "class": "path" }, "path: " + pathText(f)));
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

  function shape(n, x, y, cls) {
    var g = sv("g", { "class": cls, "data-node": n.id, transform: "translate(" + x + "," + y + ")" });
    var fill = n.inactive ? "#e5e7eb" : (FILL[n.kind] || "#fff");
    var w = 150, h = 34, s;
    if (n.kind === "human") s = sv("ellipse", { rx: w / 2, ry: h / 2, fill: fill });
    else if (n.kind === "resource") s = sv("rect", { x: -w / 2, y: -h / 2, width: w, height: h, rx: 14, fill: fill });
    else if (n.kind === "partner") s = sv("polygon", { points: [-w / 2, h / 2, -w / 2, -h / 6, 0, -h / 2 - 6, w / 2, -h / 6, w / 2, h / 2].join(" "), fill: fill });
    else if (n.kind === "agent") s = sv("polygon", { points: [-w / 2, 0, -w / 2 + 12, -h / 2, w / 2 - 12, -h / 2, w / 2, 0, w / 2 - 12, h / 2, -w / 2 + 12, h / 2].join(" "), fill: fill });
    else s = sv("rect", { x: -w / 2, y: -h / 2, width: w, height: h, rx: n.kind === "service" ? 8 : 2, fill: fill });
    if (n.inactive) s.setAttribute("stroke-dasharray", "4 3");
    g.appendChild(s);
    var label = n.name.length > 24 ? n.name.slice(0, 23) + "…" : n.name;
    g.appendChild(sv("text", { "text-anchor": "middle", y: -2 }, label));
    g.appendChild(sv("text", { "text-anchor": "middle", y: 11, fill: "#6b7280" }, n.kind + (n.critical ? " · critical" : "")));
    var t = sv("title", null, n.id);
    g.appendChild(t);
    g.addEventListener("click", function (ev) { ev.stopPropagation(); details(D.nodes.indexOf(n)); });
    return g;
  }

  function draw(i) {
    clear(svg);
    var f = D.findings[i];
    var path = f.path.length ? f.path : (function () {
      for (var k = 0; k < D.nodes.length; k++) if (D.nodes[k].id === f.subject) return [k];
      return [];
    })();
    var pos = {}, onPath = {};
    path.forEach(function (n, k) { if (!(n in pos)) pos[n] = [k * 230, 0]; onPath[n] = 1; });
    // Neighbours: above the path node they point into, below the one they leave.
    var above = {}, below = {};
    path.forEach(function (n, k) {
      adj[n].forEach(function (ek) {
        var e = D.edges[ek], m = e.from === n ? e.to : e.from;
        if (m in pos) return;
        var side = e.to === n ? above : below;
        side[k] = (side[k] || 0) + 1;
        if (side[k] > 4) return;
        pos[m] = [k * 230 + ((side[k] - 1) % 2) * 70 - 35, (e.to === n ? -1 : 1) * (80 + 55 * (side[k] - 1))];
      });
    });
    var ids = Object.keys(pos).map(Number);
    // Organisations as clusters around their nodes.
    var orgs = {};
    ids.forEach(function (n) { var o = D.nodes[n].org; (orgs[o] = orgs[o] || []).push(n); });
    Object.keys(orgs).sort().forEach(function (o) {
      if (!o) return;
      var xs = orgs[o].map(function (n) { return pos[n][0]; }), ys = orgs[o].map(function (n) { return pos[n][1]; });
      var x0 = Math.min.apply(null, xs) - 85, x1 = Math.max.apply(null, xs) + 85;
      var y0 = Math.min.apply(null, ys) - 36, y1 = Math.max.apply(null, ys) + 30;
      svg.appendChild(sv("rect", { "class": "cluster", x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 8, "data-org": o }));
      var on = D.nodes.filter(function (n) { return n.id === o; })[0];
      svg.appendChild(sv("text", { "class": "cluster-label", x: x0 + 6, y: y0 + 12 }, on ? on.name : o));
    });
    var pathEdge = {};
    for (var k = 1; k < path.length; k++) pathEdge[path[k - 1] + ">" + path[k] + ">" + f.path_edges[k - 1]] = 1;
    var color = f.status === "new" ? NEW_PATH : (COLOR[f.severity] || "#000");
    var defs = sv("defs");
    var marker = sv("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" });
    marker.appendChild(sv("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#6b7280" }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    var labels = [];
    D.edges.forEach(function (e) {
      if (!(e.from in pos) || !(e.to in pos)) return;
      var a = pos[e.from], b = pos[e.to];
      var on = pathEdge[e.from + ">" + e.to + ">" + e.kind];
      var bend = e.from === e.to ? 40 : 0;
      var d = e.from === e.to ? ("M " + (a[0] - 20) + " " + (a[1] - 17) + " C " + (a[0] - 40) + " " + (a[1] - 70) + " " + (a[0] + 40) + " " + (a[1] - 70) + " " + (a[0] + 20) + " " + (a[1] - 17))
        : ("M " + (a[0] + 75 * Math.sign(b[0] - a[0] || 0)) + " " + a[1] + " L " + (b[0] - 75 * Math.sign(b[0] - a[0] || 0)) + " " + (b[1] + bend));
      var p = sv("path", { "class": "edge" + (on ? " on-path" : ""), d: d, "marker-end": "url(#arrow)" });
      var what = e.kind + (e.kind === "exposes" ? " (needs " + e.level + ")" : " (" + e.level + ")");
      p.appendChild(sv("title", null, D.nodes[e.from].id + " -" + what + "-> " + D.nodes[e.to].id));
      if (on) {
        p.setAttribute("stroke", color);
        labels.push([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2 - 8, what]);
      }
      svg.appendChild(p);
    });
    ids.forEach(function (n) {
      var node = D.nodes[n];
      var cls = "node" + (onPath[n] ? " on-path" : "") + (node.critical ? " critical" : "") + (node.inactive ? " inactive" : "");
      var g = shape(node, pos[n][0], pos[n][1], cls);
      if (onPath[n]) Array.prototype.forEach.call(g.querySelectorAll("rect,ellipse,polygon"), function (s) { s.setAttribute("stroke", color); });
      svg.appendChild(g);
    });
    // The path's edge labels last, over everything, with a white halo.
    labels.forEach(function (l) {
      svg.appendChild(sv("text", { "class": "elabel", x: l[0], y: l[1], "text-anchor": "middle", fill: color }, l[2]));
    });
    var xs = ids.map(function (n) { return pos[n][0]; }), ys = ids.map(function (n) { return pos[n][1]; });
    view = { x: Math.min.apply(null, xs.concat([0])) - 120, y: Math.min.apply(null, ys.concat([0])) - 80,
      w: Math.max.apply(null, xs.concat([0])) - Math.min.apply(null, xs.concat([0])) + 240,
      h: Math.max.apply(null, ys.concat([0])) - Math.min.apply(null, ys.concat([0])) + 160 };
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
      q.first.forEach(function (x) { ul.appendChild(el("li", null, x[0] + " (" + x[1] + ")")); });
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
      var li = el("li", { "class": "access-" + a.change });
      li.appendChild(el("b", null, a.change + ": "));
      li.appendChild(document.createTextNode(a.subject + " → " + a.target + " (" + (a.before || "none") + " → " + (a.after || "none") + ") " + a.message));
      acc.appendChild(li);
    });
    if (!D.access.length) acc.appendChild(el("li", { "class": "note" }, "no access changes"));
  }

  render();
  if (D.findings.length) select(0);
  document.body.setAttribute("data-ready", "1");
})();
