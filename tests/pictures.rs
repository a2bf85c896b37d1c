//! Pictures: every bundled graph renders cleanly, hostile names stay text, focus options and
//! the node cap narrow the picture, and the DOT of one small graph is pinned.

mod common;

use common::dotcheck::{self, graphviz_available, graphviz_svg};
use common::{authpath, root, write};

fn graph_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("graphs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    files.sort();
    files
}

/// Graphviz renders every picture the tests check; without it they fail, saying how to set it up.
fn require_graphviz() {
    common::require("Graphviz (`dot`)", graphviz_available());
}

#[test]
fn every_bundled_graph_renders_without_errors_or_warnings() {
    require_graphviz();
    for f in graph_files() {
        for args in [
            vec!["dot", f.as_str()],
            vec!["analyze", f.as_str(), "--format", "dot"],
            vec!["analyze", f.as_str(), "--format", "dot", "--paths-only"],
        ] {
            let run = authpath(&args);
            assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
            let parsed = dotcheck::parse(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert!(!parsed.node_ids.is_empty());
            let (ok, svg, stderr) = graphviz_svg(&run.stdout);
            assert!(ok, "{args:?}: dot failed: {stderr}");
            assert!(stderr.trim().is_empty(), "{args:?}: dot warned: {stderr}");
            assert!(svg.contains("<svg"), "{args:?}");
        }
    }
}

#[test]
fn svg_and_png_go_through_graphviz_or_say_how_to_install_it() {
    let file = root().join("graphs/ci-secrets.json");
    let file = file.to_str().unwrap();
    require_graphviz();
    let run = authpath(&["analyze", file, "--format", "svg"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("<svg") && run.stdout.contains("Production Postgres"));
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("p.png");
    let run = authpath(&["dot", file, "--format", "png", "-o", png.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    // Without Graphviz on the PATH: exit 2 and how to install it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_authpath"))
        .args(["analyze", file, "--format", "svg"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Graphviz `dot` is not installed"),
        "{stderr}"
    );
    assert!(stderr.contains("apt-get install graphviz"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// The text of every `<text>` element of an SVG, entities decoded.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let after = &rest[start..];
        let open_end = after.find('>').unwrap() + 1;
        let close = after.find("</text>").unwrap();
        out.push(decode(&after[open_end..close]));
        rest = &after[close..];
    }
    out
}

fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';').unwrap() + amp;
        let entity = &rest[amp + 1..semi];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            e if e.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap()
            }
            e if e.starts_with('#') => char::from_u32(e[1..].parse().unwrap()).unwrap(),
            e => panic!("unknown entity {e}"),
        };
        out.push(c);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    out
}

/// The SVG with every `<text>` and `<title>` element's content removed: what is left is
/// markup, where no user value may appear.
fn markup_only(svg: &str) -> String {
    let mut out = String::new();
    let mut rest = svg;
    loop {
        let next = ["<text", "<title"]
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min();
        let Some((i, tag)) = next else {
            out.push_str(rest);
            return out;
        };
        let open_end = rest[i..].find('>').unwrap() + i + 1;
        out.push_str(&rest[..open_end]);
        let close = format!("</{}>", &tag[1..]);
        let end = rest[open_end..].find(&close).unwrap() + open_end;
        rest = &rest[end..];
    }
}

#[test]
fn hostile_names_render_as_text_and_inject_nothing() {
    let long_id = "x".repeat(10_000);
    let names = common::HOSTILE_NAMES;
    let text = common::hostile_names_graph(&names);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "hostile.json", text.as_bytes());
    let run = authpath(&["analyze", file.to_str().unwrap(), "--format", "dot"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let dot = run.stdout;
    // Strict parse: generated ids only, known attributes only.
    let parsed = dotcheck::parse(&dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    let labels = parsed.strings.join("\n");
    for shown in [
        r#"Quote "the" partner"#,
        r"back\slash\nnot a newline\",
        r"line one\nline two",
        r#""]; n0 [image="/etc/passwd"#,
        "<b>bold</b> & <script>alert(1)</script>",
        "🔑 partner key 🚀",
        "مفتاح الشريك",
        r"safe\u{202e}txt.exe",
        r#"id "with" quotes } { | <>"#,
    ] {
        assert!(labels.contains(shown), "label lacks {shown:?}");
    }
    assert!(!dot.contains(&long_id), "a 10 kB id is cut in labels");
    assert!(labels.contains(&format!("{}…", "x".repeat(68))));
    require_graphviz();
    let (ok, svg, stderr) = graphviz_svg(&dot);
    assert!(ok && stderr.trim().is_empty(), "{stderr}");
    let texts = svg_texts(&svg).join("\n");
    for shown in [
        r#"Quote "the" partner"#,
        r"back\slash\nnot a newline\",
        r"line one\nline two",
        r#""]; n0 [image="/etc/passwd"#,
        "<b>bold</b> & <script>alert(1)</script>",
        "🔑 partner key 🚀",
        "مفتاح الشريك",
        r"safe\u{202e}txt.exe",
    ] {
        assert!(
            texts.contains(shown),
            "the SVG does not show {shown:?} as text:\n{texts}"
        );
    }
    let markup = markup_only(&svg);
    assert!(!markup.contains("<image"), "an image element was injected");
    assert!(
        !markup.contains("passwd"),
        "a user value reached SVG markup"
    );
    assert!(
        !markup.contains("<script"),
        "a user value reached SVG markup"
    );
}

#[test]
fn focus_paths_only_rules_and_the_node_cap_narrow_the_picture() {
    let msp = root().join("graphs/msp-delegated-admin.json");
    let msp = msp.to_str().unwrap();
    let count = |dot: &str| {
        dotcheck::parse(dot)
            .unwrap()
            .node_ids
            .iter()
            .filter(|id| !id.starts_with("legend_"))
            .count()
    };
    let all = authpath(&["dot", msp]);
    assert_eq!(all.code, 0);
    assert_eq!(count(&all.stdout), 49);

    let capped = authpath(&["dot", msp, "--max-nodes", "5"]);
    assert_eq!(count(&capped.stdout), 5);
    assert!(
        capped
            .stderr
            .contains("the picture shows 5 of 49 nodes (44 left out"),
        "{}",
        capped.stderr
    );
    assert!(capped.stderr.contains("--paths-only, --focus ID --depth N"));
    assert!(
        capped.stdout.contains("44 left out"),
        "the note is in the picture too"
    );

    let focus = authpath(&[
        "dot",
        msp,
        "--focus",
        "partner:tailspin-noc",
        "--depth",
        "1",
    ]);
    let labels = dotcheck::parse(&focus.stdout).unwrap().strings.join("\n");
    assert_eq!(
        count(&focus.stdout),
        2,
        "Tailspin NOC and its on-call group"
    );
    assert!(labels.contains("grp:tailspin-oncall"));

    let bad = authpath(&["dot", msp, "--focus", "partner:tailspin"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("--focus \"partner:tailspin\" names no node"),
        "{}",
        bad.stderr
    );

    let cycle = authpath(&[
        "analyze",
        msp,
        "--format",
        "dot",
        "--paths-only",
        "--rule",
        "delegation-cycle",
    ]);
    assert_eq!(count(&cycle.stdout), 2);
    assert!(cycle.stdout.contains("1 finding(s) drawn"));

    let paths = authpath(&[
        "analyze",
        msp,
        "--format",
        "dot",
        "--paths-only",
        "--min-severity",
        "critical",
    ]);
    assert!(paths.stdout.contains("11 finding(s) drawn"));
    assert!(
        !paths.stdout.contains("#ea580c\""),
        "no high-severity colour when only critical is drawn"
    );
    let unknown = authpath(&["analyze", msp, "--format", "dot", "--rule", "no-such-rule"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("unknown rule; use one of: transitive-privilege")
    );
}

/// docs/format.md's example with one more edge: an expired, read-capped `assumes`.
fn example() -> String {
    let last = r#"{"from": "grp:ops", "to": "db:prod", "kind": "grants", "level": "admin"}"#;
    common::FORMAT_EXAMPLE.replace(
        last,
        &format!(
            "{last},\n    {}",
            r#"{"from": "svc:sync", "to": "grp:ops", "kind": "assumes", "level": "read", "expires_at": "2026-01-01T00:00:00Z"}"#
        ),
    )
}

/// The DOT of one small graph, pinned: a change here changes every picture.
#[test]
fn dot_of_the_format_example_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "example.json", example().as_bytes());
    let run = common::authpath_in(dir.path(), &["analyze", "example.json", "--format", "dot"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let _ = file;
    insta::assert_snapshot!("format_example_dot", run.stdout);
}
