//! The graph loader on any bytes: it returns a graph or problems, never panics.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let loaded = authpath::load::load_bytes("fuzz.json", data);
    // A graph is only returned without errors; rendering the problems must not panic either.
    assert!(loaded.graph.is_none() || !loaded.diagnostics.has_errors());
    let _ = loaded.diagnostics.render();
});
