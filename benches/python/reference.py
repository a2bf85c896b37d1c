#!/usr/bin/env python3
"""Reference implementation for the speed comparison in benches/python/compare.sh.

A deliberately straightforward per-subject search, in plain Python (standard library
only), of what `authpath analyze --format json` counts for two rules of docs/rules.md:

- transitive-privilege: subject S reaches a critical node N != S at effective level L and
  no standing walk (one edge of any kind, or a walk of member_of/grants edges) reaches N
  at L;
- external-critical-access: the same pair, S external, and a standing walk does reach N
  at L;

and the exposure totals: how many subjects there are, and how many reach some critical
node other than themselves at any level.

For every subject it runs one forward search over (node, level) states for effective
levels and one restricted to member_of/grants edges for standing levels. It is the
baseline of "authpath must be >= 100x faster than a per-subject search in Python" and
a cross-check of authpath's counts, not an optimised program.

    python3 benches/python/reference.py GRAPH.json   # prints one JSON object of counts
"""

import json
import time
import sys
from datetime import datetime, timezone

READ, WRITE, ADMIN = 0, 1, 2
LEVELS = {"read": READ, "write": WRITE, "admin": ADMIN}
SUBJECT_KINDS = {"partner", "service", "agent", "app"}
STANDING_KINDS = {"member_of", "grants"}


def parse_time(text):
    """An RFC 3339 instant, or None for an absent (or null) field."""
    if text is None:
        return None
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def load(path):
    with open(path, encoding="utf-8") as f:
        graph = json.load(f)
    as_of = parse_time(graph.get("as_of")) or datetime.now(timezone.utc)
    nodes = {n["id"]: n for n in graph["nodes"]}

    def node_usable(n):
        if n.get("status") not in (None, "active"):
            return False
        if n["kind"] == "credential":
            expires = parse_time(n.get("expires_at"))
            if expires is not None and expires < as_of:
                return False
        return True

    usable = {i for i, n in nodes.items() if node_usable(n)}
    # Usable edges between usable nodes: out[from] = [(to, kind, level, requires)].
    out = {i: [] for i in nodes}
    for e in graph["edges"]:
        expires = parse_time(e.get("expires_at"))
        if expires is not None and expires < as_of:
            continue
        if e["from"] not in usable or e["to"] not in usable:
            continue
        level = LEVELS[e.get("level") or "admin"]
        requires = LEVELS[e.get("requires") or "read"]
        out[e["from"]].append((e["to"], e["kind"], level, requires))
    return nodes, usable, out


def step(kind, level, requires, held):
    """The level carried past one edge when `held` is carried into it (None: not passable)."""
    if kind == "exposes":
        return ADMIN if held >= requires else None
    return min(held, level)


def search(start, out, kinds=None):
    """Highest level at which each node is reached from `start` (starting at admin),
    following only edges of `kinds` when given: a search over states (node, level), each
    visited once, so a node may be visited again at another level."""
    seen = {(start, ADMIN)}
    stack = [(start, ADMIN)]
    best = {}
    while stack:
        node, held = stack.pop()
        if held > best.get(node, -1):
            best[node] = held
        for to, kind, level, requires in out[node]:
            if kinds is not None and kind not in kinds:
                continue
            carried = step(kind, level, requires, held)
            if carried is not None and (to, carried) not in seen:
                seen.add((to, carried))
                stack.append((to, carried))
    return best


def org(nodes, i):
    n = nodes[i]
    return i if n["kind"] in ("tenant", "partner") else n.get("org")


def is_external(nodes, i):
    o = org(nodes, i)
    return o is not None and o in nodes and nodes[o]["kind"] == "partner"


def is_critical(n):
    return n.get("sensitivity") == "critical" or "tier0" in (n.get("tags") or [])


def analyse(nodes, usable, out):
    targets = {i for i in usable if is_critical(nodes[i])}
    subjects = sorted(
        i for i in usable
        if nodes[i]["kind"] in SUBJECT_KINDS
        or (nodes[i]["kind"] in ("human", "tenant") and is_external(nodes, i))
    )
    counts = {"transitive-privilege": 0, "external-critical-access": 0}
    pairs = []  # (rule, subject, target, level) for cross-checking small graphs
    exposed = 0
    for s in subjects:
        effective = search(s, out)
        reached = [(n, effective[n]) for n in targets if n != s and n in effective]
        if not reached:
            continue
        exposed += 1
        standing = search(s, out, STANDING_KINDS)
        for to, kind, level, requires in out[s]:  # one edge of any kind
            carried = step(kind, level, requires, ADMIN)
            if carried is not None and carried > standing.get(to, -1):
                standing[to] = carried
        external = is_external(nodes, s)
        for n, level in reached:
            if standing.get(n, -1) < level:
                rule = "transitive-privilege"
            elif external:
                rule = "external-critical-access"
            else:
                continue
            counts[rule] += 1
            pairs.append((rule, s, n, level))
    return counts, {"subjects": len(subjects), "exposed": exposed}, pairs


def main(argv):
    if len(argv) < 2 or len(argv) > 3 or (len(argv) == 3 and argv[2] != "--pairs"):
        sys.exit("usage: reference.py GRAPH.json [--pairs]")
    started = time.perf_counter()
    graph = load(argv[1])
    loaded = time.perf_counter()
    counts, exposure, pairs = analyse(*graph)
    done = time.perf_counter()
    result = {
        "by_rule": counts,
        "exposure": exposure,
        "seconds": {"load": round(loaded - started, 4), "analysis": round(done - loaded, 4)},
    }
    if len(argv) == 3:
        names = ["read", "write", "admin"]
        result["pairs"] = sorted([r, s, n, names[lv]] for r, s, n, lv in pairs)
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main(sys.argv)
