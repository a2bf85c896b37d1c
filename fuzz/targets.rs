//! What each fuzz target does with its input, shared by the libFuzzer targets
//! (`fuzz/fuzz_targets/`) and the regression test that replays the seeds and every input a
//! fuzzer once broke (`tests/fuzz_corpus.rs`). Each function must neither panic nor hang.

#![allow(dead_code)]

/// The graph loader on any bytes: a graph or problems.
pub fn load(data: &[u8]) {
    let loaded = authpath::load::load_bytes("fuzz.json", data);
    // A graph is only returned without errors; rendering the problems must not panic either.
    assert!(loaded.graph.is_none() || !loaded.diagnostics.has_errors());
    let _ = loaded.diagnostics.render();
}

/// The policy parser (`authpath.toml`) on any text.
pub fn policy(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(d) = authpath::policy::parse("fuzz.toml", text)
    {
        let _ = d.render();
    }
}

/// What an importer writes must load as a valid graph.
fn valid(text: &str) {
    let loaded = authpath::load::load_bytes("imported.json", text.as_bytes());
    assert!(loaded.graph.is_some(), "{}", loaded.diagnostics.render());
}

/// The Kubernetes importer on any bytes (YAML, multi-document, JSON, Lists).
pub fn import_k8s(data: &[u8]) {
    let opts = authpath::import::k8s::Options::default();
    let import = authpath::import::k8s::import_bytes("fuzz.yaml", data, &opts);
    if let Some(g) = &import.graph {
        valid(&g.to_json(None));
    }
}

/// The AWS IAM importer: the authorization details, and after a 0xFF byte (if any) a
/// credential report.
pub fn import_aws(data: &[u8]) {
    let (details, report) = match data.iter().position(|b| *b == 0xFF) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let (Ok(details), Ok(report)) = (
        std::str::from_utf8(details),
        report.map(std::str::from_utf8).transpose(),
    ) else {
        return;
    };
    // Judged at an instant, so the time conditions' judgement is exercised too.
    let at = authpath::timestamp::Timestamp::parse("2026-11-01T00:00:00Z").ok();
    let import = authpath::import::aws::import_text_at(
        "authz.json",
        details,
        report.map(|r| ("report.csv", r)),
        at,
    );
    if let Some(g) = &import.graph {
        valid(&g.to_json(None));
    }
}

/// The OpenGraph importer, without a mapping and with a small one.
pub fn import_opengraph(data: &[u8]) {
    use authpath::import::opengraph::{Mapping, import_text, read_mapping};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut d = authpath::diagnostics::Diagnostics::new("m.toml");
    let mapping = read_mapping(
        "[nodes]\nUser = \"human\"\nGroup = \"group\"\nRepo = \"resource\"\n[edges]\nMemberOf = \"member_of\"\nCanWrite = { kind = \"grants\", level = \"write\" }\n[[tier0]]\nkind = \"Repo\"\n",
        &mut d,
    )
    .expect("the mapping parses");
    for m in [
        Mapping {
            name_property: "name".into(),
            ..Mapping::default()
        },
        mapping,
    ] {
        let import = import_text("fuzz.json", text, &m, None);
        if let Some(g) = &import.graph {
            valid(g);
        }
    }
}

/// The OpenGraph mapping reader (`--mapping MAP.toml`) on any text: a mapping, or problems
/// that render; a mapping it accepts then imports a small document without panicking.
pub fn mapping(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut d = authpath::diagnostics::Diagnostics::new("fuzz.toml");
    let mapping = authpath::import::opengraph::read_mapping(text, &mut d);
    let _ = d.render();
    if let Some(m) = mapping {
        let doc = r#"{"graph":{"nodes":[{"id":"a","kinds":["User"],"properties":{"name":"A"}},{"id":"b","kinds":["Repo"],"properties":{}}],"edges":[{"kind":"CanWrite","start":{"value":"a"},"end":{"value":"b"}}]}}"#;
        let import = authpath::import::opengraph::import_text("fuzz.json", doc, &m, None);
        if let Some(g) = &import.graph {
            valid(g);
        }
    }
}

/// The EKS answers reader on any text, then the Kubernetes importer with what it read (a
/// cluster of one aws-auth ConfigMap): problems that render, and a graph that loads.
pub fn eks(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (eks, d) = authpath::import::eks::read_answers("fuzz.json", text, Some("c"));
    let _ = d.render();
    if d.has_errors() {
        return;
    }
    let opts = authpath::import::k8s::Options {
        eks: Some(eks),
        ..Default::default()
    };
    let manifest = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/a\n      groups: [system:masters]\n";
    let import = authpath::import::k8s::import_bytes("fuzz.yaml", manifest, &opts);
    if let Some(g) = &import.graph {
        valid(&g.to_json(None));
    }
}

/// The IAM Identity Center answers reader on any text: problems that render, never a panic.
pub fn identity_center(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut ic = authpath::import::identity_center::IdentityCenter::default();
    let d = authpath::import::identity_center::read_text("fuzz.json", text, &mut ic);
    let _ = d.render();
}

/// The organization reader (`import aws-iam --organization`) on any text: its answers
/// read, the scope of an account worked out, problems that render.
pub fn organization(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut org = authpath::import::aws::organization::Organization::default();
    let mut d =
        authpath::import::aws::organization::read_text("targets-p-fuzz0001.json", text, &mut org);
    authpath::import::aws::organization::finish(&org, &mut d);
    let _ = d.render();
    for account in org.accounts.keys().take(4) {
        let _ = org.scope(account);
    }
}

/// The Entra importer (`import entra`) on any text as an AzureHound file: a graph or
/// problems that render.
pub fn entra(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let import = authpath::import::entra::import_text("fuzz.json", text);
    for d in &import.problems {
        let _ = d.render();
    }
    if let Some(g) = import.graph {
        let _ = g.to_json(None);
    }
}

/// The estate manifest reader (`estate.toml`) on any text: a manifest and its warnings, or
/// problems that render; nothing is imported (paths resolve under a directory that does
/// not exist).
pub fn estate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = std::path::Path::new("/nonexistent-estate");
    match authpath::estate::manifest::parse("fuzz.toml", text, dir) {
        Ok((m, warnings)) => {
            assert!(!warnings.has_errors());
            assert!(!m.sources.is_empty());
            let _ = warnings.render();
        }
        Err(d) => {
            assert!(d.has_errors());
            let _ = d.render();
        }
    }
}

/// `analyze` end to end on whatever the loader accepts: every rule, the JSON report, and the
/// OpenGraph export.
pub fn analyze(data: &[u8]) {
    let Some(graph) = authpath::load::load_bytes("fuzz.json", data).graph else {
        return;
    };
    let opts = authpath::analyze::Options {
        max_findings: Some(50),
        choke_points: Some(5),
        ..Default::default()
    };
    let report = authpath::analyze::analyze(&graph, &opts);
    assert!(report.findings.len() <= 50);
    let mut out = Vec::new();
    authpath::render::json::write_document(&report, &mut out).expect("writing to memory");
    let facts = authpath::export::Facts::of(&graph, report.as_of);
    let _ = authpath::export::opengraph::document(&graph, &facts, None);
}
