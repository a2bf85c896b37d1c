//! The Kubernetes importer on any bytes (YAML, multi-document, JSON, Lists).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let opts = authpath::import::k8s::Options::default();
    let import = authpath::import::k8s::import_bytes("fuzz.yaml", data, &opts);
    if let Some(g) = &import.graph {
        let text = g.to_json(None);
        // What an importer writes is a valid graph.
        let loaded = authpath::load::load_bytes("imported.json", text.as_bytes());
        assert!(loaded.graph.is_some(), "{}", loaded.diagnostics.render());
    }
});
