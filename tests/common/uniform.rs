//! A plain, valid graph of any size for load tests and benchmarks: services and groups with
//! names, owners and purposes, joined by governed `member_of` edges. Deterministic.
//! (Realistic enterprise shapes are the job of a synthetic generator, not of this file.)

use std::fmt::Write;

pub fn uniform_graph(nodes: usize, edges: usize) -> String {
    let nodes = nodes.max(10);
    let mut text = String::with_capacity(nodes * 150 + edges * 140);
    text.push_str("{\"version\": 1, \"as_of\": \"2026-11-01T00:00:00Z\",\n\"nodes\": [\n");
    for i in 0..nodes {
        let kind = if i % 10 == 0 { "group" } else { "service" };
        if i > 0 {
            text.push_str(",\n");
        }
        let _ = write!(
            text,
            "{{\"id\": \"node-{i:07}\", \"kind\": \"{kind}\", \"name\": \"Node number {i}\", \"owner\": \"node-{:07}\", \"purpose\": \"generated for load testing\"}}",
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
        let _ = write!(
            text,
            "{{\"from\": \"node-{from:07}\", \"to\": \"node-{to:07}\", \"kind\": \"member_of\", \"granted_by\": \"generator\", \"expires_at\": \"2027-01-01T00:00:00Z\"}}"
        );
    }
    text.push_str("\n]}\n");
    text
}
