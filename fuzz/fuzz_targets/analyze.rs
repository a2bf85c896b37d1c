//! `analyze` end to end on whatever the loader accepts: every rule, the JSON report, and
//! the OpenGraph export.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some(graph) = authpath::load::load_bytes("fuzz.json", data).graph else { return };
    let opts = authpath::analyze::Options {
        now: None,
        subjects: Default::default(),
        policy: Default::default(),
        max_findings: Some(50),
        choke_points: Some(5),
    };
    let report = authpath::analyze::analyze(&graph, &opts);
    assert!(report.findings.len() <= 50);
    let facts = authpath::export::Facts::of(&graph, report.as_of);
    let _ = authpath::export::opengraph::document(&graph, &facts, None);
});
