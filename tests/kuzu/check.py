"""The Cypher export, loaded into a real Cypher engine (Kùzu, embedded) and asked the
shipped questions; the answers are compared with authpath's own on the same graph.

Usage: python3 check.py AUTHPATH GRAPH.json [GRAPH.json ...]

For each graph: `authpath export cypher --findings`; both layouts (neo4j/, neptune/)
loaded into their own Kùzu database, with tables made from the files' headers (so a
wrong column name or type fails the load); every query of queries.cypher run on both.
Then, against authpath:

- critical_reach and who_can: `authpath who-can --reach N` for every critical node N, on
  a copy of the graph whose `exposes` edges require only `read` (plain Cypher reachability
  carries no levels, so it cannot hold a walk to an `exposes` requirement: on that copy
  the two must agree exactly);
- blast_radius and partner_blast_radius: `authpath blast-radius --from P` for every
  partner, on the same copy;
- delegation_cycles: the members of `analyze`'s delegation-cycle findings;
- findings_by_severity, critical_access, finding_paths: `analyze`'s findings.

Exit 0 when everything agrees; otherwise every difference is printed and the exit is 1.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import kuzu
except ImportError:
    sys.exit("kuzu is not installed: run scripts/test, which installs it into target/test-env")

NEO4J_TYPES = {"": "STRING", "string": "STRING", "boolean": "BOOLEAN", "int": "INT64", "string[]": "STRING"}
NEPTUNE_TYPES = {"String": "STRING", "Bool": "BOOLEAN", "Int": "INT64", "String[]": "STRING"}


def run(args, ok=(0,)):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode not in ok:
        sys.exit(f"{' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p.stdout


def header(path):
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def columns(layout, cells):
    """(name, Kùzu type, role) per header cell; role: pk, from, to or None."""
    out = []
    for c in cells:
        if layout == "neo4j":
            if c.startswith("id:ID("):
                out.append(("id", "STRING", "pk"))
            elif c.startswith(":START_ID("):
                out.append(("from", None, "from"))
            elif c.startswith(":END_ID("):
                out.append(("to", None, "to"))
            elif c == ":LABEL":
                out.append(("labels", "STRING", None))
            elif c == ":TYPE":
                out.append(("type", "STRING", None))
            else:
                name, _, ty = c.partition(":")
                out.append((name, NEO4J_TYPES[ty], None))
        else:
            if c == "~id":
                out.append(("id", "STRING", "pk"))
            elif c == "~from":
                out.append(("from", None, "from"))
            elif c == "~to":
                out.append(("to", None, "to"))
            elif c == "~label":
                out.append(("labels", "STRING", None))
            else:
                name, _, ty = c.partition(":")
                out.append((name, NEPTUNE_TYPES[ty], None))
    return out


def load(layout, folder, db_path):
    db = kuzu.Database(db_path)
    conn = kuzu.Connection(db)
    tables = [("AP_Node", "nodes.csv"), ("AP_Finding", "findings.csv")]
    rels = [
        ("AP_EDGE", "edges.csv", "AP_Node", "AP_Node"),
        ("AP_PASSES", "passes.csv", "AP_Node", "AP_Node"),
        ("AP_DELEGATES", "delegates.csv", "AP_Node", "AP_Node"),
        ("AP_INVOLVES", "involves.csv", "AP_Finding", "AP_Node"),
    ]
    for table, file in tables:
        path = os.path.join(folder, file)
        cols = columns(layout, header(path))
        props = ", ".join(f"`{n}` {t}" for n, t, _ in cols)
        conn.execute(f"CREATE NODE TABLE {table}({props}, PRIMARY KEY(id))")
        conn.execute(f"COPY {table} FROM '{path}' (HEADER=true, PARALLEL=false)")
    for table, file, frm, to in rels:
        path = os.path.join(folder, file)
        cols = columns(layout, header(path))
        assert [r for _, _, r in cols[:2]] == ["from", "to"], f"{path}: the first two columns must be the ends"
        props = "".join(f", `{n}` {t}" for n, t, r in cols[2:] if r is None and n != "id")
        if layout == "neptune":
            props = "".join(f", `{n}` {t}" for n, t, r in cols[2:])
            props = props.replace("`id` STRING", "`rid` STRING")
        conn.execute(f"CREATE REL TABLE {table}(FROM {frm} TO {to}{props})")
        conn.execute(f"COPY {table} FROM '{path}' (HEADER=true, PARALLEL=false)")
    return db, conn


def queries(text):
    """name -> query text, from the `// name:` markers."""
    out, name, lines = {}, None, []
    for line in text.splitlines():
        if line.startswith("// name:"):
            if name:
                out[name] = "\n".join(lines).strip().rstrip(";")
            name, lines = line.split(":", 1)[1].strip(), []
        elif name and not line.startswith("//"):
            lines.append(line)
    if name:
        out[name] = "\n".join(lines).strip().rstrip(";")
    return out


def ask(conn, q, params=None):
    r = conn.execute(q, params or {})
    rows = []
    while r.has_next():
        rows.append(tuple(r.get_next()))
    return rows


def main():
    authpath, graphs = sys.argv[1], sys.argv[2:]
    problems = []
    work = tempfile.mkdtemp(prefix="authpath-kuzu-")
    try:
        for graph in graphs:
            problems += check(authpath, graph, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"kuzu: {len(graphs)} graph(s): every answer agrees")


def check(authpath, graph, work):
    name = os.path.splitext(os.path.basename(graph))[0]
    out = os.path.join(work, name)
    run([authpath, "-q", "export", "cypher", graph, "-o", out, "--findings"])
    qs = queries(open(os.path.join(out, "queries.cypher"), encoding="utf-8").read())
    doc = json.load(open(graph, encoding="utf-8"))
    nodes = doc["nodes"]
    critical = [n["id"] for n in nodes if n.get("sensitivity") == "critical" or "tier0" in (n.get("tags") or [])]
    partners = [n["id"] for n in nodes if n["kind"] == "partner"]
    # The copy whose exposes edges need no level: what plain reachability answers.
    lowered = dict(doc)
    lowered["edges"] = [{k: v for k, v in e.items() if k != "requires"} for e in doc["edges"]]
    low_path = os.path.join(work, name + ".lowered.json")
    json.dump(lowered, open(low_path, "w", encoding="utf-8"))

    answers = {}
    for layout in ("neo4j", "neptune"):
        _db, conn = load(layout, os.path.join(out, layout), os.path.join(work, f"{name}.{layout}.kuzu"))
        a = {
            "critical_reach": sorted(ask(conn, qs["critical_reach"])),
            "delegation_cycles": sorted(r[0] for r in ask(conn, qs["delegation_cycles"])),
            "findings_by_severity": sorted(ask(conn, qs["findings_by_severity"])),
            "critical_access": sorted(ask(conn, qs["critical_access"])),
            "finding_paths": sorted(ask(conn, qs["finding_paths"])),
            "partner_blast_radius": sorted(ask(conn, qs["partner_blast_radius"])),
        }
        a["who_can"] = {t: sorted(r[0] for r in ask(conn, qs["who_can"], {"target": t})) for t in critical}
        a["blast_radius"] = {p: sorted(r[0] for r in ask(conn, qs["blast_radius"], {"source": p})) for p in partners}
        answers[layout] = a
    problems = []
    if answers["neo4j"] != answers["neptune"]:
        for k in answers["neo4j"]:
            if answers["neo4j"][k] != answers["neptune"][k]:
                problems.append(f"{name}: {k}: the Neo4j and Neptune layouts answer differently")
    a = answers["neo4j"]

    # authpath's answers.
    expected_reach = []
    expected_who = {}
    for t in critical:
        w = json.loads(run([authpath, "who-can", low_path, "--reach", t, "--format", "json"], ok=(0, 1)))
        subjects = sorted(s["node"] for s in w["subjects"])
        expected_who[t] = subjects
        expected_reach += [(t, s) for s in subjects]
    expected_blast = {}
    for p in partners:
        b = json.loads(run([authpath, "blast-radius", low_path, "--from", p, "--format", "json"], ok=(0, 1)))
        expected_blast[p] = sorted(r["node"] for r in b["reached"])
    report = json.loads(run([authpath, "analyze", graph, "--format", "json"], ok=(0, 1)))
    findings = report["findings"]
    cycles = sorted({m for f in findings if f["rule"] == "delegation-cycle" for m in f["nodes"]})
    by_severity = {}
    for f in findings:
        by_severity[(f["severity"], f["rule"])] = by_severity.get((f["severity"], f["rule"]), 0) + 1
    critical_access = sorted((f["subject"], f["target"], f["level"], f["rule"]) for f in findings if f["level"] and f["target"])
    paths = sorted((f["id"], i, n) for f in findings for i, n in enumerate(f["path"]))
    partner_counts = sorted((p, len(r)) for p, r in expected_blast.items() if r)

    for key, got, want in [
        ("critical_reach", a["critical_reach"], sorted(expected_reach)),
        ("who_can", a["who_can"], expected_who),
        ("blast_radius", a["blast_radius"], expected_blast),
        ("partner_blast_radius", a["partner_blast_radius"], partner_counts),
        ("delegation_cycles", a["delegation_cycles"], cycles),
        ("findings_by_severity", a["findings_by_severity"], sorted((s, r, n) for (s, r), n in by_severity.items())),
        ("critical_access", a["critical_access"], critical_access),
        ("finding_paths", a["finding_paths"], paths),
    ]:
        if got != want:
            problems.append(f"{name}: {key}: Cypher answered\n  {got}\nauthpath answered\n  {want}")
    print(f"{name}: {len(a['critical_reach'])} (subject, critical node) pairs, "
          f"{sum(len(v) for v in a['blast_radius'].values())} nodes in partners' blast radii, "
          f"{len(a['delegation_cycles'])} cycle members, {len(findings)} findings: "
          f"{'agree' if not problems else 'DIFFER'}")
    return problems


if __name__ == "__main__":
    main()
