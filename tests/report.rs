//! The HTML report in a real browser: every sample's report opened in headless Chromium
//! (Debian's `chromium`, driven by Playwright for Python; `scripts/test` installs both), checked
//! against `analyze --format json`: no console error, no network request, the totals,
//! filtering by severity, the path a selected finding highlights, a screenshot that is not
//! blank; names, not ids, in the table, the organisation filter and the search; pictures whose
//! labels fit their boxes and never overlap, and level cells that do not wrap (the sample
//! graphs and GitHound's real organisation import, whose ids are opaque); the hostile-names graph shows every name as text and runs nothing injected; the
//! diff view marks new and resolved findings and draws new paths in red.

mod common;

use common::{authpath, root, write};

#[test]
fn reports_open_in_a_real_browser_and_show_what_analyze_found() {
    let python = common::python_with("playwright.sync_api");
    // tests/browser/check.py launches the same browser.
    let chromium = std::env::var("AUTHPATH_CHROMIUM").unwrap_or("/usr/bin/chromium".into());
    common::require(
        &format!("Chromium ({chromium})"),
        std::path::Path::new(&chromium).exists(),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let mut count = 0;
    // NAME.html, analyze's NAME.json and the graph as NAME.graph.json, for check.py.
    let mut add = |name: &str, file: &str, extra: &[&str]| {
        let html = out(&format!("{name}.html"));
        let run = authpath(&[&["report", file, "-o", &html][..], extra].concat());
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let json = out(&format!("{name}.json"));
        let run = authpath(
            &[
                &["analyze", file, "--format", "json", "-o", &json][..],
                extra,
            ]
            .concat(),
        );
        assert!(run.code <= 1, "{}", run.stderr);
        std::fs::copy(file, out(&format!("{name}.graph.json"))).unwrap();
        count += 1;
    };
    for f in std::fs::read_dir(root().join("graphs")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_none_or(|x| x != "json") {
            continue;
        }
        add(
            f.file_stem().unwrap().to_str().unwrap(),
            f.to_str().unwrap(),
            &[],
        );
    }
    // GitHound's real organisation, imported through the committed mapping (as
    // tests/interop.rs does); every subject, so that users' paths to the organisation show.
    let imported = out("githound-import.json");
    let run = authpath(&[
        "import",
        "opengraph",
        root()
            .join("tests/data/real/bloodhound-opengraph/githound_O_kgDOCoV2OQ.json")
            .to_str()
            .unwrap(),
        "--mapping",
        root()
            .join("graphs/opengraph/githound-mapping.toml")
            .to_str()
            .unwrap(),
        "--as-of",
        "2026-03-20T00:00:00Z",
        "-o",
        &imported,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    add("githound", &imported, &["--subjects", "all"]);

    // Hostile names, and a name that tries to run a script.
    let mut names = common::HOSTILE_NAMES.to_vec();
    names.extend([
        "</script><script>window.__pwned=1</script>",
        "<img src=x onerror=\"window.__pwned=1\">",
    ]);
    let hostile = write(
        dir.path(),
        "hostile-graph.json",
        common::hostile_names_graph(&names).as_bytes(),
    );
    let run = authpath(&[
        "report",
        hostile.to_str().unwrap(),
        "-o",
        &out("hostile.html"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(dir.path().join("hostile.html")).unwrap();
    assert_eq!(
        html.matches("<script").count(),
        2,
        "only the report's own two script elements"
    );
    assert!(!html.contains("window.__pwned=1</script>"));
    write(
        dir.path(),
        "hostile-names.json",
        serde_json::to_string(&names).unwrap().as_bytes(),
    );

    // A diff: the sample against itself without its first ten edges.
    let sample = root().join("graphs/msp-delegated-admin.json");
    let mut old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sample).unwrap()).unwrap();
    old["edges"].as_array_mut().unwrap().drain(..10);
    let old_file = write(dir.path(), "old-graph.json", old.to_string().as_bytes());
    let (o, n) = (old_file.to_str().unwrap(), sample.to_str().unwrap());
    let run = authpath(&["diff", o, n, "--format", "html", "-o", &out("diff.html")]);
    assert!(run.code <= 1, "{}", run.stderr);
    let run = authpath(&["diff", o, n, "--format", "json", "-o", &out("diff.json")]);
    assert!(run.code <= 1, "{}", run.stderr);

    let check = std::process::Command::new(python)
        .arg(root().join("tests/browser/check.py"))
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    // What was measured (pictures and labels per report), shown with --nocapture.
    println!("{stdout}");
    assert!(
        check.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        stdout.contains(&format!("checked {count} reports, 0 failure(s)")),
        "{stdout}"
    );
}
