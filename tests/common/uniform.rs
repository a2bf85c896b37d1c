//! A plain, valid graph of any size for load tests and benchmarks: services and groups with
//! names, owners and purposes, joined by governed `member_of` edges. Deterministic.
//! (Realistic enterprise shapes are the job of a synthetic generator, not of this file.)

use std::fmt::Write;

pub fn uniform_graph(nodes: usize, edges: usize) -> String {
    generate(nodes, edges, false)
}

/// The same shape with something to find: every 1000th node (a group) is critical and every
/// 10th edge is `assumes` instead of `member_of`, so subjects reach critical groups through
/// other identities.
pub fn privileged_graph(nodes: usize, edges: usize) -> String {
    generate(nodes, edges, true)
}

fn generate(nodes: usize, edges: usize, privileged: bool) -> String {
    let nodes = nodes.max(10);
    let mut text = String::with_capacity(nodes * 150 + edges * 140);
    text.push_str("{\"version\": 1, \"as_of\": \"2026-11-01T00:00:00Z\",\n\"nodes\": [\n");
    for i in 0..nodes {
        let kind = if i % 10 == 0 { "group" } else { "service" };
        if i > 0 {
            text.push_str(",\n");
        }
        let critical = if privileged && i % 1000 == 0 {
            ", \"sensitivity\": \"critical\""
        } else {
            ""
        };
        let _ = write!(
            text,
            "{{\"id\": \"node-{i:07}\", \"kind\": \"{kind}\"{critical}, \"name\": \"Node number {i}\", \"owner\": \"node-{:07}\", \"purpose\": \"generated for load testing\"}}",
            (i * 7) % nodes
        );
    }
    text.push_str("\n],\n\"edges\": [\n");
    for j in 0..edges {
        if j > 0 {
            text.push_str(",\n");
        }
        let from = (j * 31) % nodes;
        let to = (j * 17 % (nodes / 10)) * 10;
        let kind = if privileged && j % 10 == 0 {
            "assumes"
        } else {
            "member_of"
        };
        let _ = write!(
            text,
            "{{\"from\": \"node-{from:07}\", \"to\": \"node-{to:07}\", \"kind\": \"{kind}\", \"granted_by\": \"generator\", \"expires_at\": \"2027-01-01T00:00:00Z\"}}"
        );
    }
    text.push_str("\n]}\n");
    text
}
