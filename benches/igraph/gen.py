# 1M nodes / 10M random edges (seeded); writes authpath JSON and an edge list for igraph.
import random, sys
random.seed(7)
N, M = 1_000_000, 10_000_000
with open('edges.txt', 'w') as el, open('g.json', 'w') as out:
    out.write('{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [\n')
    out.write(',\n'.join('{"id": "n%d", "kind": "service"}' % i for i in range(N)))
    out.write('\n], "edges": [\n')
    first = True
    buf = []
    for k in range(M):
        a = random.randrange(N); b = random.randrange(N)
        el.write('%d %d\n' % (a, b))
        buf.append('{"from": "n%d", "to": "n%d", "kind": "assumes"}' % (a, b))
        if len(buf) == 100000:
            out.write(('' if first else ',\n') + ',\n'.join(buf)); first = False; buf = []
    if buf:
        out.write(('' if first else ',\n') + ',\n'.join(buf))
    out.write('\n]}\n')
