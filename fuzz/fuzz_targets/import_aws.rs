//! The AWS IAM importer on any bytes: the authorization details, and after a 0xFF byte (if
//! any) a credential report.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (details, report) = match data.iter().position(|b| *b == 0xFF) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let (Ok(details), Ok(report)) = (std::str::from_utf8(details), report.map(std::str::from_utf8).transpose()) else {
        return;
    };
    let import = authpath::import::aws::import_text("authz.json", details, report.map(|r| ("report.csv", r)));
    if let Some(g) = &import.graph {
        let text = g.to_json(None);
        let loaded = authpath::load::load_bytes("imported.json", text.as_bytes());
        assert!(loaded.graph.is_some(), "{}", loaded.diagnostics.render());
    }
});
