"""Opens authpath's HTML reports in a real browser (Debian's headless Chromium through
Playwright) and checks what a person would see.

    python3 tests/browser/check.py DIR

DIR holds, per sample, NAME.html (`authpath report`), NAME.json (`authpath analyze
--format json` of the same graph) and NAME.graph.json (the graph itself); hostile.html with hostile-names.json (the names that must
appear as text); diff.html with diff.json (`authpath diff --format json`). Each check that
fails is printed; the exit code is 1 if any did. The browser may not fetch anything: every
request other than the report's own file fails the check.
"""
import json
import os
import struct
import sys
import zlib

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("AUTHPATH_CHROMIUM", "/usr/bin/chromium")
SEVERITIES = ["critical", "high", "medium", "low", "info"]
failures = []


def fail(name, what):
    failures.append(f"{name}: {what}")


def png_pixels(data):
    """(width, height, rows of RGBA/RGB bytes) of an 8-bit PNG, enough to tell blank from not."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = {2: 3, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def not_blank(name, png):
    width, height, bpp, rows = png_pixels(png)
    colours, dark = set(), 0
    for row in rows[::4]:
        for x in range(0, width * bpp, bpp * 4):
            px = row[x:x + 3]
            colours.add(px)
            if sum(px) < 300:
                dark += 1
    if len(colours) < 8 or dark < 50:
        fail(name, f"the screenshot looks blank ({len(colours)} colours, {dark} dark samples)")


# Run in the page after a finding is drawn: every label of the picture (node names, kinds,
# edge and cluster labels) measured as drawn on screen. A node's text must lie inside its
# shape (inside the ellipse itself for a human), no two labels may intersect, and every label
# must be inside the picture's frame at the default zoom.
LAYOUT_JS = """() => {
  const tol = 0.5, frame = document.getElementById('graph').getBoundingClientRect();
  const problems = [];
  const show = r => `[${r.left.toFixed(1)},${r.top.toFixed(1)} ${r.width.toFixed(1)}x${r.height.toFixed(1)}]`;
  const texts = [...document.querySelectorAll('#graph text')]
    .filter(t => t.getAttribute('visibility') !== 'hidden' && t.textContent !== '');
  let inNodes = 0;
  for (const g of document.querySelectorAll('#graph g.node')) {
    const shape = g.querySelector('ellipse, rect, polygon');
    const b = shape.getBoundingClientRect();
    for (const t of g.querySelectorAll('text')) {
      inNodes++;
      const r = t.getBoundingClientRect();
      let inside;
      if (shape.tagName === 'ellipse') {
        const cx = b.left + b.width / 2, cy = b.top + b.height / 2, rx = b.width / 2 + tol, ry = b.height / 2 + tol;
        inside = [[r.left, r.top], [r.right, r.top], [r.left, r.bottom], [r.right, r.bottom]]
          .every(([x, y]) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1);
      } else {
        inside = r.left >= b.left - tol && r.right <= b.right + tol && r.top >= b.top - tol && r.bottom <= b.bottom + tol;
      }
      if (!inside) problems.push(`label ${JSON.stringify(t.textContent)} ${show(r)} is not inside its ${shape.tagName} ${show(b)}`);
    }
  }
  const rects = texts.map(t => [t.textContent, t.getBoundingClientRect()]);
  for (let i = 0; i < rects.length; i++) {
    const [a, r] = rects[i];
    if (r.left < frame.left - tol || r.right > frame.right + tol || r.top < frame.top - tol || r.bottom > frame.bottom + tol)
      problems.push(`label ${JSON.stringify(a)} ${show(r)} is outside the picture ${show(frame)}`);
    for (let j = i + 1; j < rects.length; j++) {
      const [c, q] = rects[j];
      if (r.left < q.right - tol && q.left < r.right - tol && r.top < q.bottom - tol && q.top < r.bottom - tol)
        problems.push(`labels ${JSON.stringify(a)} ${show(r)} and ${JSON.stringify(c)} ${show(q)} overlap`);
    }
  }
  return { labels: texts.length, inNodes, problems };
}"""

# Cells that must never wrap: their text lies on one line (one line box), however long the
# names in the other columns are.
NOWRAP_JS = """() => [...document.querySelectorAll('tr.finding td.c-level, tr.finding td.c-severity')]
  .filter(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
  }).map(td => td.textContent)"""

layout_totals = {}


def check_layout(page, name, fid):
    got = page.evaluate(LAYOUT_JS)
    t = layout_totals.setdefault(name, [0, 0, 0])
    t[0] += 1
    t[1] += got["labels"]
    t[2] += len(got["problems"])
    for p in got["problems"][:5]:
        fail(name, f"{fid}: {p}")
    if got["inNodes"] == 0:
        fail(name, f"{fid}: no node label drawn")


def check_names(page, name, graph, findings):
    """Cells, the organisation filter and the search speak in names; ids stay in titles."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    label_of, renamed, orgs_named = {}, 0, 0
    for row in page.eval_on_selector_all(
            "tr.finding", "rs => rs.map(r => [r.dataset.id, ...['subject', 'target'].map(k => {"
            " const td = r.querySelector('td.c-' + k); return td && [td.textContent, td.getAttribute('title')]; })])"):
        fid, cells = row[0], row[1:]
        f = findings[fid]
        for cell, node_id in zip(cells, [f["subject"], f["target"]]):
            if cell is None:
                fail(name, f"{fid}: no subject or target cell")
                continue
            text, title = cell
            if node_id is None:
                if text != "—":
                    fail(name, f"{fid}: a finding without a target shows {text!r}")
                continue
            node = nodes[node_id]
            want = node.get("name", node_id)
            if title != node_id:
                fail(name, f"{fid}: the cell of {node_id} has title {title!r}, not the id")
            if text != want and not (text.startswith(want + " ‹") and text.endswith("›")):
                fail(name, f"{fid}: shows {text!r} for {node_id}, whose name is {want!r}")
            renamed += want != node_id
            if label_of.setdefault(text, node_id) != node_id:
                fail(name, f"{text!r} stands for both {label_of[text]} and {node_id}")
    # The organisation filter: each organisation by its name.
    options = page.eval_on_selector_all("#org option", "os => os.map(o => [o.value, o.textContent])")
    for value, text in options:
        if value in nodes:
            want = nodes[value].get("name", value)
            orgs_named += want != value
            if not text.startswith(want):
                fail(name, f"the organisation filter shows {text!r} for {value}, named {want!r}")
    # Searching by a subject's name and by its id finds its finding.
    for fid, f in list(findings.items())[:3]:
        node = nodes[f["subject"]]
        for q in dict.fromkeys([node.get("name", node["id"]), node["id"]]):
            page.fill("#q", q)
            ids = page.eval_on_selector_all("tr.finding", "rs => rs.map(r => r.dataset.id)")
            if fid not in ids:
                fail(name, f"searching {q!r} does not find {fid}")
    page.fill("#q", "")
    return renamed, orgs_named


def open_page(browser, path, name):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = "file://" + os.path.abspath(path)
    page.on("request", lambda r: requests.append(r.url) if r.url != url else None)
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']", timeout=10000)
    return page, errors, requests


def check_report(browser, d, name):
    report = json.load(open(os.path.join(d, name + ".json")))
    page, errors, requests = open_page(browser, os.path.join(d, name + ".html"), name)
    # The totals shown are analyze's.
    for s in SEVERITIES:
        shown = page.inner_text(f"#total-{s}")
        if shown != str(report["summary"][s]):
            fail(name, f"{s}: shows {shown}, analyze says {report['summary'][s]}")
    if page.inner_text("#total-all") != str(sum(report["summary"].values())):
        fail(name, "the total differs from analyze's")
    findings = {f["id"]: f for f in report["findings"] + (report.get("waived") or [])}
    rows = page.eval_on_selector_all("tr.finding", "rs => rs.map(r => r.dataset.id)")
    if sorted(rows) != sorted(findings):
        fail(name, f"the table lists {len(rows)} findings, analyze {len(findings)}")
    # Filtering by severity shows exactly that severity's rows.
    for keep in SEVERITIES:
        for s in SEVERITIES:
            box = page.locator(f"input[data-sev='{s}']")
            if box.is_checked() != (s == keep):
                box.click()
        got = page.eval_on_selector_all("tr.finding", "rs => rs.map(r => r.dataset.severity)")
        want = sum(1 for f in findings.values() if f["severity"] == keep)
        if len(got) != want or any(g != keep for g in got):
            fail(name, f"filtered to {keep}: {len(got)} rows {sorted(set(got))}, expected {want}")
    for s in SEVERITIES:
        box = page.locator(f"input[data-sev='{s}']")
        if not box.is_checked():
            box.click()
    graph = json.load(open(os.path.join(d, name + ".graph.json")))
    renamed, orgs_named = check_names(page, name, graph, findings)
    # An import whose ids are opaque must be shown by names, cells and filter alike.
    if name == "githound" and not (renamed and orgs_named):
        fail(name, f"{renamed} cells and {orgs_named} organisations shown by a name that is not their id")
    wrapped = page.evaluate(NOWRAP_JS)
    if wrapped:
        fail(name, f"{len(wrapped)} level or severity cell(s) wrap: {wrapped[:5]}")
    # Selecting a finding highlights exactly its path's nodes, and draws it legibly.
    for fid, f in list(findings.items())[:12]:
        page.click(f"tr.finding[data-id='{fid}']")
        check_layout(page, name, fid)
        on = page.eval_on_selector_all("g.node.on-path", "gs => gs.map(g => g.dataset.node)")
        want = set(f["path"]) if f["path"] else {f["subject"]}
        if set(on) != want:
            fail(name, f"{fid}: highlights {sorted(on)}, its path is {sorted(want)}")
        page.click(f"tr.finding[data-id='{fid}']")  # collapse again
    # A node's details: its fields and queries.
    nodes = page.locator("g.node")
    if nodes.count():
        nodes.first.dispatch_event("click")
        if "Blast radius" not in page.inner_text("#details"):
            fail(name, "clicking a node shows no blast radius")
    page.screenshot(path=os.path.join(d, name + ".png"))
    not_blank(name, open(os.path.join(d, name + ".png"), "rb").read())
    if errors:
        fail(name, f"console errors: {errors}")
    if requests:
        fail(name, f"network requests: {requests}")
    page.close()


def check_hostile(browser, d):
    names = json.load(open(os.path.join(d, "hostile-names.json")))
    page, errors, requests = open_page(browser, os.path.join(d, "hostile.html"), "hostile")
    if page.evaluate("() => window.__pwned"):
        fail("hostile", "an injected script ran")
    scripts = page.evaluate("() => document.scripts.length")
    if scripts != 2:
        fail("hostile", f"{scripts} script elements; the report has 2")
    injected = page.evaluate(
        "() => document.querySelectorAll('img, iframe, object, embed, [onerror], [onload]').length"
        " + [...document.querySelectorAll('b')].filter(b => b.textContent === 'bold').length")
    if injected:
        fail("hostile", f"{injected} injected elements")
    # Every name shows as text: in the node details of each node drawn (names are in the
    # embedded data; each path node's details panel prints its name).
    seen = set()
    for fid in page.eval_on_selector_all("tr.finding", "rs => rs.map(r => r.dataset.id)"):
        page.click(f"tr.finding[data-id='{fid}']")
        # Markup, bidirectional overrides and a 10,000-character id still fit and stay apart.
        check_layout(page, "hostile", fid)
        count = page.locator("g.node").count()
        for i in range(count):
            page.locator("g.node").nth(i).dispatch_event("click")
            seen.add(page.inner_text("#details h2"))
    for n in names:
        if n.replace("\n", " ") not in {s.replace("\n", " ") for s in seen}:
            fail("hostile", f"name {n!r} not shown as text (saw {sorted(seen)[:20]})")
    if errors:
        fail("hostile", f"console errors: {errors}")
    if requests:
        fail("hostile", f"network requests: {requests}")
    page.close()


def check_diff(browser, d):
    diff = json.load(open(os.path.join(d, "diff.json")))
    page, errors, requests = open_page(browser, os.path.join(d, "diff.html"), "diff")
    statuses = page.eval_on_selector_all("tr.finding td.status-new", "ts => ts.length")
    if statuses != len(diff["new_findings"]):
        fail("diff", f"{statuses} new rows, diff says {len(diff['new_findings'])}")
    resolved = page.eval_on_selector_all("tr.finding td.status-resolved", "ts => ts.length")
    if resolved != len(diff["resolved_findings"]):
        fail("diff", f"{resolved} resolved rows, diff says {len(diff['resolved'])}")
    changes = page.eval_on_selector_all("#access li[class^='access-']", "ls => ls.length")
    if changes != len(diff["access_changes"]):
        fail("diff", f"{changes} access changes, diff says {len(diff['access'])}")
    first_new = page.locator("tr.finding:has(td.status-new)").first
    if first_new.count():
        first_new.click()
        colours = page.eval_on_selector_all("path.edge.on-path", "ps => ps.map(p => p.getAttribute('stroke'))")
        if not colours or any(c != "#dc2626" for c in colours):
            fail("diff", f"a new finding's path is drawn in {colours}, not red")
    if errors:
        fail("diff", f"console errors: {errors}")
    if requests:
        fail("diff", f"network requests: {requests}")
    page.close()


def main():
    d = sys.argv[1]
    names = sorted(f[:-5] for f in os.listdir(d) if f.endswith(".html") and f not in ("hostile.html", "diff.html"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name in names:
            check_report(browser, d, name)
        if os.path.exists(os.path.join(d, "hostile.html")):
            check_hostile(browser, d)
        if os.path.exists(os.path.join(d, "diff.html")):
            check_diff(browser, d)
        browser.close()
    for name, (pictures, labels, problems) in sorted(layout_totals.items()):
        print(f"layout {name}: {pictures} pictures, {labels} labels, {problems} problem(s)")
    for f in failures:
        print("FAIL", f)
    print(f"checked {len(names)} reports, {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


main()
