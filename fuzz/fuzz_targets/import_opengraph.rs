//! The OpenGraph importer on any text, without a mapping and with a small one.
#![no_main]
use authpath::import::opengraph::{Mapping, import_text, read_mapping};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut d = authpath::diagnostics::Diagnostics::new("m.toml");
    let mapping = read_mapping(
        "[nodes]\nUser = \"human\"\nGroup = \"group\"\nRepo = \"resource\"\n[edges]\nMemberOf = \"member_of\"\nCanWrite = { kind = \"grants\", level = \"write\" }\n[[tier0]]\nkind = \"Repo\"\n",
        &mut d,
    )
    .expect("the mapping parses");
    for m in [Mapping { name_property: "name".into(), ..Mapping::default() }, mapping] {
        let import = import_text("fuzz.json", text, &m, None);
        if let Some(g) = &import.graph {
            let loaded = authpath::load::load_bytes("imported.json", g.as_bytes());
            assert!(loaded.graph.is_some(), "{}", loaded.diagnostics.render());
        }
    }
});
