//! A synthetic enterprise, deterministic by seed, for benchmarks and scale tests: written
//! straight to graph-format JSON.
//!
//! Proportions of `nodes` (documented in `benches/README.md`): humans 4%, services 52%,
//! apps 6%, agents 3%, groups 7%, credentials 20%, resources 7% (2% of them critical, some
//! groups tagged `tier0`), tenants `max(10, n/20000)`, partners `max(20, n/5000)`, the rest
//! services. About five edges per node. Memberships are heavy-tailed: a member picks group
//! `⌊G·u³⌋` for uniform `u`, so the first groups gather tens of thousands of members.
//! Partners hold keys, assume roles and administer tenants and groups, some re-delegably,
//! and a few partner roles administer each other (delegation cycles). Credentials carry
//! issue, use, rotation and expiry times spread over three years before `as_of`; a few
//! humans are disabled or offboarded, a few services disabled, a few edges expired.

use std::fmt::Write;

const AS_OF: i64 = 1_793_491_200; // 2026-11-01T00:00:00Z

/// Counts per kind for `nodes` nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub tenants: usize,
    pub partners: usize,
    pub humans: usize,
    pub services: usize,
    pub apps: usize,
    pub agents: usize,
    pub groups: usize,
    pub credentials: usize,
    pub resources: usize,
}

impl Shape {
    pub fn of(nodes: usize) -> Shape {
        let n = nodes.max(200);
        let pct = |p: usize| (n * p / 100).max(1);
        let tenants = (n / 20_000).max(10);
        let partners = (n / 5_000).max(20);
        let humans = pct(4);
        let apps = pct(6);
        let agents = pct(3);
        let groups = pct(7);
        let credentials = pct(20);
        let resources = pct(7);
        let used = tenants + partners + humans + apps + agents + groups + credentials + resources;
        Shape {
            tenants,
            partners,
            humans,
            services: n.saturating_sub(used).max(1),
            apps,
            agents,
            groups,
            credentials,
            resources,
        }
    }

    pub fn total(&self) -> usize {
        self.tenants
            + self.partners
            + self.humans
            + self.services
            + self.apps
            + self.agents
            + self.groups
            + self.credentials
            + self.resources
    }
}

fn time(secs: i64) -> String {
    crate::timestamp::Timestamp::from_unix(secs).to_string()
}

/// A graph of about `nodes` nodes as JSON, the same for the same `seed`.
pub fn generate(nodes: usize, seed: u64) -> String {
    let s = Shape::of(nodes);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = String::with_capacity(s.total() * 330);
    let _ = write!(
        out,
        "{{\"version\": 1, \"as_of\": \"{}\",\n\"nodes\": [\n",
        time(AS_OF)
    );
    let day = 86_400i64;
    let mut first = true;
    let mut node = |out: &mut String, body: String| {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        out.push('{');
        out.push_str(&body);
        out.push('}');
    };
    // Organisation of a node: a tenant for 30%, a partner for 5%, home otherwise.
    let org = |rng: &mut fastrand::Rng| -> String {
        let r = rng.u32(0..100);
        if r < 30 {
            format!(", \"org\": \"tenant:{}\"", rng.usize(0..s.tenants))
        } else if r < 35 {
            format!(", \"org\": \"partner:{}\"", rng.usize(0..s.partners))
        } else {
            String::new()
        }
    };
    let owner = |rng: &mut fastrand::Rng| -> String {
        if rng.u32(0..100) < 90 {
            format!(", \"owner\": \"human:{}\"", rng.usize(0..s.humans))
        } else {
            String::new()
        }
    };
    for t in 0..s.tenants {
        node(
            &mut out,
            format!("\"id\": \"tenant:{t}\", \"kind\": \"tenant\", \"name\": \"Tenant {t}\""),
        );
    }
    for p in 0..s.partners {
        let end = AS_OF + rng.i64(-400..800) * day;
        node(
            &mut out,
            format!(
                "\"id\": \"partner:{p}\", \"kind\": \"partner\", \"name\": \"Partner {p}\", \"contract_end\": \"{}\"",
                time(end)
            ),
        );
    }
    for h in 0..s.humans {
        let status = match rng.u32(0..100) {
            0..=3 => ", \"status\": \"disabled\"",
            4 => ", \"status\": \"offboarded\"",
            _ => "",
        };
        let o = org(&mut rng);
        node(
            &mut out,
            format!("\"id\": \"human:{h}\", \"kind\": \"human\"{o}{status}"),
        );
    }
    for (prefix, kind, count) in [
        ("svc", "service", s.services),
        ("app", "app", s.apps),
        ("agent", "agent", s.agents),
    ] {
        for i in 0..count {
            let status = if rng.u32(0..100) < 2 {
                ", \"status\": \"disabled\""
            } else {
                ""
            };
            let (o, w) = (org(&mut rng), owner(&mut rng));
            node(
                &mut out,
                format!("\"id\": \"{prefix}:{i}\", \"kind\": \"{kind}\"{o}{w}{status}"),
            );
        }
    }
    for g in 0..s.groups {
        let tier0 = if g % 997 == 3 {
            ", \"tags\": [\"tier0\"]"
        } else {
            ""
        };
        let o = org(&mut rng);
        node(
            &mut out,
            format!("\"id\": \"grp:{g}\", \"kind\": \"group\"{o}{tier0}"),
        );
    }
    let types = [
        "api_key",
        "oauth_token",
        "client_secret",
        "certificate",
        "ssh_key",
        "pat",
    ];
    for c in 0..s.credentials {
        let issued = AS_OF - rng.i64(1..1100) * day;
        let mut extra = format!(", \"issued_at\": \"{}\"", time(issued));
        if rng.bool() {
            let used = issued + rng.i64(0..(AS_OF - issued) / day + 1) * day;
            let _ = write!(extra, ", \"last_used_at\": \"{}\"", time(used));
        }
        if rng.u32(0..100) < 55 {
            let _ = write!(
                extra,
                ", \"expires_at\": \"{}\"",
                time(issued + rng.i64(30..1500) * day)
            );
        }
        if rng.u32(0..100) < 30 {
            let _ = write!(
                extra,
                ", \"rotated_at\": \"{}\"",
                time(issued + rng.i64(0..(AS_OF - issued) / day + 1) * day)
            );
        }
        if rng.u32(0..100) < 15 {
            extra.push_str(
                ", \"scopes\": [\"read\", \"write\", \"admin\"], \"used_scopes\": [\"read\"]",
            );
        }
        let (o, w) = (org(&mut rng), owner(&mut rng));
        node(
            &mut out,
            format!(
                "\"id\": \"key:{c}\", \"kind\": \"credential\", \"credential_type\": \"{}\"{o}{w}{extra}",
                types[rng.usize(0..types.len())]
            ),
        );
    }
    // Resources that lead nowhere further (not critical, exposing nothing): the targets of
    // the everyday data-access grants added last.
    let mut dead_end = vec![true; s.resources];
    for (r, dead) in dead_end.iter_mut().enumerate() {
        let sens = match rng.u32(0..100) {
            0..=1 => "critical",
            2..=14 => "high",
            15..=60 => "medium",
            _ => "low",
        };
        *dead = sens != "critical";
        let o = org(&mut rng);
        node(
            &mut out,
            format!("\"id\": \"res:{r}\", \"kind\": \"resource\", \"sensitivity\": \"{sens}\"{o}"),
        );
    }
    out.push_str("\n],\n\"edges\": [\n");

    let mut first = true;
    let mut edge = |out: &mut String, from: String, to: String, kind: &str, extra: &str| {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        let _ = write!(
            out,
            "{{\"from\": \"{from}\", \"to\": \"{to}\", \"kind\": \"{kind}\"{extra}}}"
        );
    };
    let heavy = |rng: &mut fastrand::Rng, n: usize| -> usize {
        let u = rng.f64();
        ((n as f64) * u * u * u) as usize % n
    };
    let level = |rng: &mut fastrand::Rng| -> &'static str {
        match rng.u32(0..10) {
            0..=3 => ", \"level\": \"read\"",
            4..=6 => ", \"level\": \"write\"",
            _ => "",
        }
    };
    let governed = |rng: &mut fastrand::Rng| -> String {
        match rng.u32(0..10) {
            0..=5 => format!(
                ", \"granted_by\": \"human:{}\", \"purpose\": \"integration\", \"expires_at\": \"{}\"",
                rng.usize(0..s.humans),
                time(AS_OF + rng.i64(-60..700) * 86_400)
            ),
            6..=7 => ", \"purpose\": \"legacy\"".to_owned(),
            _ => String::new(),
        }
    };
    for h in 0..s.humans {
        for _ in 0..rng.usize(2..7) {
            let g = heavy(&mut rng, s.groups);
            edge(
                &mut out,
                format!("human:{h}"),
                format!("grp:{g}"),
                "member_of",
                "",
            );
        }
    }
    for (prefix, count) in [("svc", s.services), ("app", s.apps), ("agent", s.agents)] {
        for i in 0..count {
            for _ in 0..rng.usize(2..6) {
                let g = heavy(&mut rng, s.groups);
                edge(
                    &mut out,
                    format!("{prefix}:{i}"),
                    format!("grp:{g}"),
                    "member_of",
                    "",
                );
            }
            for _ in 0..rng.usize(0..3) {
                let r = rng.usize(0..s.resources);
                let lv = level(&mut rng);
                edge(
                    &mut out,
                    format!("{prefix}:{i}"),
                    format!("res:{r}"),
                    "grants",
                    lv,
                );
            }
            if rng.u32(0..100) < 8 {
                let other = rng.usize(0..s.services);
                let lv = level(&mut rng);
                edge(
                    &mut out,
                    format!("{prefix}:{i}"),
                    format!("svc:{other}"),
                    "assumes",
                    lv,
                );
            }
        }
    }
    for g in 0..s.groups {
        if rng.bool() && g > 0 {
            let parent = heavy(&mut rng, g);
            edge(
                &mut out,
                format!("grp:{g}"),
                format!("grp:{parent}"),
                "member_of",
                "",
            );
        }
        for _ in 0..rng.usize(2..9) {
            let r = rng.usize(0..s.resources);
            let lv = level(&mut rng);
            edge(
                &mut out,
                format!("grp:{g}"),
                format!("res:{r}"),
                "grants",
                lv,
            );
        }
        if rng.u32(0..100) < 2 {
            let other = rng.usize(0..s.groups);
            edge(
                &mut out,
                format!("grp:{g}"),
                format!("grp:{other}"),
                "admin_of",
                "",
            );
        }
    }
    for c in 0..s.credentials {
        let holder = match rng.u32(0..100) {
            0..=69 => format!("svc:{}", rng.usize(0..s.services)),
            70..=79 => format!("human:{}", rng.usize(0..s.humans)),
            80..=89 => format!("partner:{}", rng.usize(0..s.partners)),
            _ => format!("app:{}", rng.usize(0..s.apps)),
        };
        let gov = if holder.starts_with("partner") {
            governed(&mut rng)
        } else {
            String::new()
        };
        edge(&mut out, holder, format!("key:{c}"), "holds", &gov);
        let lv = level(&mut rng);
        edge(
            &mut out,
            format!("key:{c}"),
            format!("svc:{}", rng.usize(0..s.services)),
            "authenticates_as",
            lv,
        );
        if rng.u32(0..100) < 5 {
            let requires = if rng.bool() {
                ", \"requires\": \"write\""
            } else {
                ""
            };
            let r = rng.usize(0..s.resources);
            dead_end[r] = false;
            edge(
                &mut out,
                format!("res:{r}"),
                format!("key:{c}"),
                "exposes",
                requires,
            );
        }
    }
    for p in 0..s.partners {
        for _ in 0..rng.usize(1..4) {
            let target = if rng.bool() {
                format!("tenant:{}", rng.usize(0..s.tenants))
            } else {
                format!("grp:{}", rng.usize(0..s.groups))
            };
            let mut extra = governed(&mut rng);
            if rng.u32(0..100) < 10 {
                extra.push_str(", \"redelegable\": true");
            }
            edge(&mut out, format!("partner:{p}"), target, "admin_of", &extra);
        }
        let gov = governed(&mut rng);
        edge(
            &mut out,
            format!("partner:{p}"),
            format!("grp:{}", heavy(&mut rng, s.groups)),
            "assumes",
            &gov,
        );
        if p % 10 == 0 && p + 1 < s.partners {
            // Two partners administering each other: a delegation cycle across orgs.
            edge(
                &mut out,
                format!("partner:{p}"),
                format!("partner:{}", p + 1),
                "admin_of",
                "",
            );
            edge(
                &mut out,
                format!("partner:{}", p + 1),
                format!("partner:{p}"),
                "assumes",
                "",
            );
        }
    }
    for t in 0..s.tenants {
        for _ in 0..3 {
            edge(
                &mut out,
                format!("tenant:{t}"),
                format!("res:{}", rng.usize(0..s.resources)),
                "admin_of",
                "",
            );
        }
    }
    // Everyday data access: each service, app and agent reads or writes one to three data
    // stores that lead nowhere further. It brings the graph to about five edges per node
    // without adding paths to critical nodes. A separate generator keeps everything above
    // the same for the same seed.
    let stores: Vec<usize> = (0..s.resources).filter(|r| dead_end[*r]).collect();
    let mut data = fastrand::Rng::with_seed(seed ^ 0xDA7A_5EED);
    if !stores.is_empty() {
        for (prefix, count) in [("svc", s.services), ("app", s.apps), ("agent", s.agents)] {
            for i in 0..count {
                for _ in 0..data.usize(1..4) {
                    let r = stores[data.usize(0..stores.len())];
                    let lv = if data.bool() {
                        ", \"level\": \"read\""
                    } else {
                        ", \"level\": \"write\""
                    };
                    edge(
                        &mut out,
                        format!("{prefix}:{i}"),
                        format!("res:{r}"),
                        "grants",
                        lv,
                    );
                }
            }
        }
    }
    out.push_str("\n]}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_valid_graph() {
        let a = generate(5_000, 7);
        assert_eq!(a, generate(5_000, 7));
        assert_ne!(a, generate(5_000, 8));
        let loaded = crate::load::load_bytes("synth.json", a.as_bytes());
        let g = loaded
            .graph
            .unwrap_or_else(|| panic!("{}", loaded.diagnostics.render()));
        let shape = Shape::of(5_000);
        assert_eq!(g.nodes.len(), shape.total());
        let per_node = g.edges.len() as f64 / g.nodes.len() as f64;
        assert!((2.0..8.0).contains(&per_node), "{per_node} edges per node");
        assert!(g.nodes.iter().any(|n| n.is_critical()));
    }
}
