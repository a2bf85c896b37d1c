// authpath: the main questions about an exported graph, in openCypher.
//
// Written for Neo4j 5, Amazon Neptune (openCypher) and Kùzu 0.11, which load the CSV files
// beside this one. Each query starts with a `// name:` line; `$target` and `$source` are
// parameters. Reachability follows AP_PASSES, the edges that pass authority at the
// instant of judgement (unexpired, between usable nodes). Plain Cypher reachability does
// not carry authpath's levels: it ignores that an edge caps the level carried, and that an
// `exposes` edge needs a level over its resource (`requires`) — so it can list a subject
// that authpath, which walks levels, does not. For levels, read the findings (`--findings`)
// or ask authpath. Paths are bounded at 30 edges (Kùzu's default bound).

// name: critical_reach
// Every subject that reaches a critical node, per critical node.
MATCH (s:AP_Node)-[:AP_PASSES*1..30]->(t:AP_Node)
WHERE t.critical AND s.subject AND s.id <> t.id
RETURN DISTINCT t.id AS target, s.id AS subject
ORDER BY target, subject;

// name: who_can
// Every subject that reaches $target.
MATCH (s:AP_Node)-[:AP_PASSES*1..30]->(t:AP_Node)
WHERE t.id = $target AND s.subject AND s.id <> t.id
RETURN DISTINCT s.id AS subject
ORDER BY subject;

// name: blast_radius
// Everything $source reaches.
MATCH (s:AP_Node)-[:AP_PASSES*1..30]->(t:AP_Node)
WHERE s.id = $source AND t.id <> s.id
RETURN DISTINCT t.id AS reached
ORDER BY reached;

// name: partner_blast_radius
// How many nodes, and how many critical nodes, each live partner reaches.
MATCH (p:AP_Node)-[:AP_PASSES*1..30]->(t:AP_Node)
WHERE p.kind = 'partner' AND p.usable AND t.id <> p.id
RETURN p.id AS partner, count(DISTINCT t.id) AS reached
ORDER BY partner;

// name: delegation_cycles
// Every node on a cycle of unexpired admin_of and assumes edges between live nodes.
MATCH (a:AP_Node)-[:AP_DELEGATES*1..30]->(b:AP_Node)
WHERE a.id = b.id
RETURN DISTINCT a.id AS member
ORDER BY member;

// name: findings_by_severity
// How many findings of each severity and rule (export with --findings).
MATCH (f:AP_Finding)
RETURN f.severity AS severity, f.rule AS rule, count(*) AS findings
ORDER BY severity, rule;

// name: critical_access
// Who reaches which critical node at which level, with the rule that reports it
// (export with --findings).
MATCH (f:AP_Finding)
WHERE f.level IS NOT NULL AND f.level <> '' AND f.target IS NOT NULL AND f.target <> ''
RETURN f.subject AS subject, f.target AS target, f.level AS level, f.rule AS rule
ORDER BY subject, target, rule;

// name: finding_paths
// The nodes on each finding's path, in order (export with --findings).
MATCH (f:AP_Finding)-[i:AP_INVOLVES]->(n:AP_Node)
WHERE i.role = 'path'
RETURN f.id AS finding, i.position AS position, n.id AS node
ORDER BY finding, position;
