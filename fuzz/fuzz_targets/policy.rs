//! The policy parser (`authpath.toml`) on any text.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match authpath::policy::parse("fuzz.toml", text) {
            Ok(_) => {}
            Err(d) => {
                let _ = d.render();
            }
        }
    }
});
