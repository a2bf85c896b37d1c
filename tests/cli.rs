//! End-to-end tests of the commands on the bundled files.
//!
//! Where a new test goes: malformed or adversarial input → `tests/hostile.rs`; a command run
//! on `graphs/` or on a committed artefact → here.

mod common;

use common::{authpath, root};

fn graph_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("graphs"))
        .expect("graphs/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bundled_graph_validates_cleanly() {
    let files = graph_files();
    assert!(
        files.len() >= 7,
        "the scenarios of BRIEF.md are missing: {files:?}"
    );
    for f in &files {
        let run = authpath(&["validate", f.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}: {}", f.display(), run.stderr);
        assert!(
            run.stderr.is_empty(),
            "{}: warnings: {}",
            f.display(),
            run.stderr
        );
        assert!(run.stdout.contains(": valid, "), "{}", run.stdout);
        let text = std::fs::read_to_string(f).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(v["as_of"].is_string(), "{} has no as_of", f.display());
        let n = v["nodes"].as_array().unwrap().len();
        assert!((20..=400).contains(&n), "{}: {n} nodes", f.display());
    }
}

#[test]
fn graphs_readme_describes_every_graph() {
    let readme = std::fs::read_to_string(root().join("graphs/README.md")).unwrap();
    for f in graph_files() {
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(
            readme.contains(&format!("`{name}`")),
            "graphs/README.md does not describe {name}"
        );
    }
}

#[test]
fn committed_schema_matches_the_types() {
    let run = authpath(&["schema"]);
    assert_eq!(run.code, 0);
    let committed =
        std::fs::read_to_string(root().join("schema/authpath-graph.schema.json")).unwrap();
    assert!(
        run.stdout == committed,
        "schema/authpath-graph.schema.json is stale: run `cargo run -- schema -o schema/authpath-graph.schema.json`"
    );
}

#[test]
fn committed_policy_schema_matches_the_types() {
    let run = authpath(&["schema", "--policy"]);
    assert_eq!(run.code, 0);
    let committed =
        std::fs::read_to_string(root().join("schema/authpath-policy.schema.json")).unwrap();
    assert!(
        run.stdout == committed,
        "schema/authpath-policy.schema.json is stale: run `cargo run -- schema --policy -o schema/authpath-policy.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let good = serde_json::json!({
        "fail_on": "high",
        "rules": {"stale-credential": {"severity": "high"}},
        "waiver": [{"id": "ap-0123456789abcdef", "reason": "r", "owner": "o", "expires": "2026-12-31T00:00:00Z"}],
        "assert": [{"name": "a", "from": {"kind": "partner"}, "to": {"tag": ["tier0"]}, "max_level": "read"}]
    });
    assert!(validator.is_valid(&good));
    let bad = serde_json::json!({"rules": {"stale-credentail": {}}, "waiver": [{"id": "ap-0123456789abcdef", "reason": "r", "expires": "2026-12-31T00:00:00Z"}]});
    assert_eq!(
        validator.iter_errors(&bad).count(),
        2,
        "unknown rule and missing owner"
    );
}

#[test]
fn schema_to_a_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    let run = authpath(&["schema", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["title"], "authpath authority graph, version 1");
    let run = authpath(&["schema", "-o", "/nonexistent-dir/s.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot write /nonexistent-dir/s.json"),
        "{}",
        run.stderr
    );
}

/// `-o` naming a pipe or a device (`-o /dev/null`) writes into it: renaming a temporary file
/// over it, as for a regular file, would replace the device itself (it once turned this
/// machine's /dev/null into a regular file). Checked with a FIFO, which is safe to break: it
/// is opened for reading first, without blocking, so a regression fails rather than hangs.
#[cfg(target_os = "linux")]
#[test]
fn output_to_a_fifo_writes_into_it_and_leaves_it_a_fifo() {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    const O_NONBLOCK: i32 = 0o4000;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    common::require("coreutils `mkfifo`", made.is_ok_and(|s| s.success()));
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    // The schema (14 kB) fits in the pipe's buffer, so the writer never waits for us.
    let run = authpath(&["schema", "-o", fifo.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut bytes = Vec::new();
    let _ = reader.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("authpath authority graph, version 1"),
        "nothing came through the FIFO"
    );
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
}

/// `-o` through a symbolic link replaces the file it names and keeps the link.
#[cfg(unix)]
#[test]
fn output_through_a_symlink_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = authpath(&["schema", "-o", link.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("authority graph")
    );
}

/// `authpath … | head` must end quietly: a closed pipe is not an error and never a panic.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(
        dir.path(),
        "big.json",
        common::uniform::uniform_graph(20_000, 40_000).as_bytes(),
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_authpath"))
        .args(["dot", file.to_str().unwrap(), "--max-nodes", "100000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    assert!(first.starts_with(b"digraph {"));
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// docs/rules.md documents every rule and reason code the binary knows, under its rule, and
/// `explain` prints each; reasons that bundled graphs actually give are among them.
#[test]
fn explain_covers_every_rule_and_reason() {
    use authpath::findings::{REASONS, Rule};
    let sections = authpath::manual::sections();
    for rule in Rule::ALL {
        assert!(
            sections
                .iter()
                .any(|s| s.code == rule.name() && s.rule.is_none()),
            "docs/rules.md has no section for {}",
            rule.name()
        );
        let run = authpath(&["explain", rule.name()]);
        assert_eq!(run.code, 0, "{}", rule.name());
        assert!(run.stdout.contains(&format!("`{}`", rule.name())));
        assert!(
            run.stdout.contains("```json"),
            "{}: no example",
            rule.name()
        );
    }
    for (rule, reason) in REASONS {
        assert!(
            sections
                .iter()
                .any(|s| s.code == *reason && s.rule.as_deref() == Some(rule.name())),
            "docs/rules.md has no section for reason {reason} under {}",
            rule.name()
        );
    }
    // A code two rules share explains both; families match any member.
    let both = authpath(&["explain", "no-expiry"]).stdout;
    assert!(both.contains("`stale-credential`") && both.contains("`ungoverned-access`"));
    assert!(
        authpath(&["explain", "unused:repo.write"])
            .stdout
            .contains("unused:<scope>")
    );
    let bad = authpath(&["explain", "transitive-privilge"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("did you mean `transitive-privilege`"),
        "{}",
        bad.stderr
    );
    // Reasons the bundled graphs give are all documented.
    for entry in std::fs::read_dir(root().join("graphs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let out = authpath(&["analyze", path.to_str().unwrap(), "--format", "json"]).stdout;
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        for f in doc["findings"].as_array().unwrap() {
            for r in f["reasons"].as_array().unwrap() {
                let r = r.as_str().unwrap();
                assert!(
                    authpath(&["explain", r]).code == 0,
                    "{r} ({}) is not explained",
                    path.display()
                );
            }
        }
    }
}

/// Completions for every shell name the commands; man pages render for every command.
#[test]
fn completions_and_man_pages() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = authpath(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}");
        for cmd in ["analyze", "blast-radius", "explain", "completions"] {
            assert!(run.stdout.contains(cmd), "{shell} lacks {cmd}");
        }
    }
    let page = authpath(&["man"]);
    assert_eq!(page.code, 0);
    assert!(
        page.stdout.starts_with(".ie") || page.stdout.contains(".TH authpath"),
        "{}",
        &page.stdout[..200.min(page.stdout.len())]
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let run = authpath(&["man", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let analyze = std::fs::read_to_string(out.join("authpath-analyze.1")).unwrap();
    assert!(analyze.contains("max\\-findings"), "{analyze}");
    assert!(out.join("authpath-import-k8s.1").exists());
    assert!(out.join("authpath.1").exists());
}

/// Every command's help ends with examples, and the options that are easy to misread say
/// what they do.
#[test]
fn help_ends_with_examples_and_says_what_options_shape() {
    let commands: &[&[&str]] = &[
        &["validate"],
        &["analyze"],
        &["report"],
        &["diff"],
        &["blast-radius"],
        &["who-can"],
        &["path"],
        &["cut"],
        &["dot"],
        &["import", "k8s"],
        &["import", "aws-iam"],
        &["import", "opengraph"],
        &["import", "entra"],
        &["export", "opengraph"],
        &["export", "cypher"],
        &["explain"],
        &["completions"],
        &["man"],
        &["schema"],
    ];
    for c in commands {
        let mut args = c.to_vec();
        args.push("--help");
        let run = authpath(&args);
        assert_eq!(run.code, 0, "{c:?}");
        let tail = run.stdout.trim_end();
        let examples = tail
            .rsplit_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{c:?} --help has no examples:\n{tail}"))
            .1;
        let lines: Vec<&str> = examples.lines().collect();
        assert!((1..=3).contains(&lines.len()), "{c:?}: {examples}");
        for l in lines {
            assert!(
                l.starts_with("  authpath ")
                    || l.starts_with("  kubectl ")
                    || l.starts_with("  aws "),
                "{c:?}: {l}"
            );
        }
    }
    let path = authpath(&["path", "--help"]).stdout;
    assert!(
        path.contains("--from <ID>         The node the paths start from"),
        "{path}"
    );
    assert!(
        path.contains("--to <ID>           The node the paths end at"),
        "{path}"
    );
    let analyze = authpath(&["analyze", "--help"]).stdout;
    for flag in ["--focus <ID>", "--depth <N>", "--max-nodes <N>"] {
        let at = analyze.find(flag).unwrap();
        assert!(
            analyze[at..at + 120].contains("Pictures only"),
            "{flag}: {analyze}"
        );
    }
    let flat = analyze.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("the first in the report's order — most severe first, then by rule name, subject id and target id. The rest are still counted in the summary and the exit code"),
        "{analyze}"
    );
}

/// who-can says when people were left out of the default subjects, and how to list them.
#[test]
fn who_can_says_who_it_left_out() {
    let g = "graphs/msp-delegated-admin.json";
    let text = authpath(&[
        "who-can",
        g,
        "--reach",
        "res:retail-directory",
        "--format",
        "text",
    ])
    .stdout;
    assert!(
        text.contains("2 subject(s)\nnote: 4 person(s) (human or tenant nodes) also reach it but are not subjects by default; --subjects all lists them\n"),
        "{text}"
    );
    let all = authpath(&[
        "who-can",
        g,
        "--reach",
        "res:retail-directory",
        "--format",
        "json",
        "--subjects",
        "all",
    ])
    .stdout;
    let doc: serde_json::Value = serde_json::from_str(&all).unwrap();
    assert_eq!(doc["subjects"].as_array().unwrap().len(), 6);
    assert_eq!(doc["people_left_out"], 0);
}

/// A credential that is issued, never used and never rotated gives its date once.
#[test]
fn stale_sentences_give_each_date_once() {
    for file in graph_files() {
        let run = authpath(&["analyze", file.to_str().unwrap(), "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        for f in doc["findings"].as_array().unwrap() {
            if f["rule"] != "stale-credential" {
                continue;
            }
            let m = f["message"].as_str().unwrap();
            let dates: Vec<&str> = m
                .split([' ', ';'])
                .filter(|w| w.len() >= 20 && w.as_bytes()[4] == b'-' && w.contains('T'))
                .collect();
            let mut unique = dates.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), dates.len(), "{m}");
        }
    }
}
