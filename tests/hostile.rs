//! Hostile inputs through the real binary: every one exits 2 with the exact place named (or
//! 0 where the format allows it), and none panics.

mod common;

use common::{authpath, authpath_stdin, write};

struct Case {
    name: &'static str,
    content: Vec<u8>,
    code: i32,
    /// Each must appear in stderr (the first is usually the exact `file:line:col: error:`).
    expect: Vec<String>,
}

fn case(name: &'static str, content: impl Into<Vec<u8>>, code: i32, expect: &[&str]) -> Case {
    Case {
        name,
        content: content.into(),
        code,
        expect: expect.iter().map(|s| s.to_string()).collect(),
    }
}

const HEAD: &str = r#"{"version": 1, "as_of": "2026-11-01T00:00:00Z","#;

fn cases() -> Vec<Case> {
    let long_id = "x".repeat(10_000);
    let mut nested = "[".repeat(10_000);
    nested.push_str(&"]".repeat(10_000));
    vec![
        case(
            "bad_json_missing_comma",
            "{\n  \"version\": 1\n  \"nodes\": [],\n  \"edges\": []\n}\n",
            2,
            &[":3:3: error: invalid JSON: expected `,` or `}` [json-syntax]", "help: fix the JSON syntax"],
        ),
        case(
            "truncated",
            "{\n  \"version\": 1,\n  \"nodes\": [\n    {\"id\": \"a\", \"kind\": \"serv",
            2,
            &[":4:30: error: invalid JSON: EOF while parsing a string [json-syntax]", "looks truncated"],
        ),
        case(
            "bom_is_ignored",
            [b"\xEF\xBB\xBF".as_slice(), br#"{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [], "edges": []}"#].concat(),
            0,
            &[],
        ),
        case(
            "bom_then_error_counts_columns_without_it",
            [b"\xEF\xBB\xBF".as_slice(), br#"{"version": 2, "nodes": [], "edges": []}"#].concat(),
            2,
            &[":1:13: error: unsupported version 2: this authpath reads version 1 [unsupported-version]"],
        ),
        case("empty_file", "", 2, &[":1:1: error: the file is empty [empty-file]"]),
        case("only_whitespace", "\n\n   \n", 2, &[":1:1: error: the file is empty [empty-file]"]),
        case(
            "top_level_array",
            "\n  [1, 2]",
            2,
            &[":2:3: error: the top level must be a JSON object, found an array [wrong-type]"],
        ),
        case(
            "trailing_garbage",
            "{\"version\": 1, \"nodes\": [], \"edges\": []}\n}",
            2,
            &[":2:1: error: invalid JSON: trailing characters [json-syntax]"],
        ),
        case(
            "nested_garbage_in_a_property",
            format!("{HEAD}\n\"nodes\": [{{\"id\": \"a\", \"kind\": \"human\", \"x\": {nested}}}], \"edges\": []}}"),
            2,
            &[":2:45: error: node \"a\" (nodes[0]): the free-form field `x` is not valid: recursion limit exceeded [invalid-property]"],
        ),
        case(
            "nested_garbage_at_the_top",
            nested.clone(),
            2,
            &[":1:1: error: the top level must be a JSON object, found an array [wrong-type]"],
        ),
        case(
            "invalid_utf8",
            b"{\"version\": 1,\n \"nodes\": [{\"id\": \"a\xFF\", \"kind\": \"human\"}], \"edges\": []}".to_vec(),
            2,
            &[":2:21: error: the file is not valid UTF-8 [not-utf8]"],
        ),
        case(
            "control_character_in_string",
            "{\"version\": 1, \"nodes\": [{\"id\": \"a\u{1}b\", \"kind\": \"human\"}], \"edges\": []}",
            2,
            &[":1:35: error: invalid JSON: control character"],
        ),
        case(
            "missing_top_level_keys",
            "{\"as_of\": \"2026-11-01T00:00:00Z\"}",
            2,
            &[
                ":1:1: error: missing required top-level key `version` [missing-field]",
                ":1:1: error: missing required top-level key `nodes` [missing-field]",
                ":1:1: error: missing required top-level key `edges` [missing-field]",
            ],
        ),
        case(
            "unknown_top_level_key",
            "{\"version\": 1, \"nodes\": [], \"edges\": [], \"egdes\": []}",
            2,
            &[":1:42: error: unknown top-level key \"egdes\" [unknown-top-level-key]", "did you mean \"edges\"?"],
        ),
        case(
            "version_as_string_and_float",
            "{\"version\": \"1\", \"nodes\": [], \"edges\": []}",
            2,
            &[":1:13: error: `version` must be the JSON number 1, not the string \"1\" [unsupported-version]"],
        ),
        case(
            "version_float",
            "{\"version\": 1.0, \"nodes\": [], \"edges\": []}",
            2,
            &[":1:13: error: `version` must be the integer 1, not 1.0 [unsupported-version]"],
        ),
        case(
            "repeated_top_level_key",
            "{\"version\": 1, \"nodes\": [], \"edges\": [],\n \"nodes\": []}",
            2,
            &[":2:2: error: the key `nodes` appears twice (first at 1:16) [duplicate-key]"],
        ),
        case(
            "nodes_not_an_array",
            "{\"version\": 1, \"nodes\": {\"id\": \"a\"}, \"edges\": []}",
            2,
            &[":1:25: error: `nodes` must be an array of node objects, found an object [wrong-type]"],
        ),
        case(
            "duplicate_ids",
            format!("{HEAD}\n\"nodes\": [\n  {{\"id\": \"svc:a\", \"kind\": \"service\"}},\n  {{\"id\": \"svc:a\", \"kind\": \"app\"}}\n], \"edges\": []}}"),
            2,
            &[":4:3: error: nodes[1]: duplicate node id \"svc:a\": first defined at 3:3 (nodes[0]) [duplicate-id]"],
        ),
        case(
            "dangling_edge_with_suggestion",
            format!("{HEAD}\n\"nodes\": [{{\"id\": \"svc:sync\", \"kind\": \"service\"}}, {{\"id\": \"grp:ops\", \"kind\": \"group\"}}],\n\"edges\": [\n  {{\"from\": \"svc:snyc\", \"to\": \"grp:ops\", \"kind\": \"member_of\"}},\n  {{\"from\": \"svc:sync\", \"to\": \"nowhere-at-all\", \"kind\": \"member_of\"}}\n]}}"),
            2,
            &[
                ":4:3: error: edges[0] (\"svc:snyc\" -member_of-> \"grp:ops\"): `from` \"svc:snyc\" names no node [unknown-endpoint]",
                "help: did you mean \"svc:sync\"?",
                ":5:3: error: edges[1] (\"svc:sync\" -member_of-> \"nowhere-at-all\"): `to` \"nowhere-at-all\" names no node [unknown-endpoint]",
                "2 error(s)",
            ],
        ),
        case(
            "edge_kind_does_not_fit",
            format!("{HEAD}\n\"nodes\": [{{\"id\": \"svc:a\", \"kind\": \"service\"}}, {{\"id\": \"svc:b\", \"kind\": \"service\"}}],\n\"edges\": [\n  {{\"from\": \"svc:a\", \"to\": \"svc:b\", \"kind\": \"authenticates_as\"}}\n]}}"),
            2,
            &[":4:3: error: edges[0] (\"svc:a\" -authenticates_as-> \"svc:b\"): `authenticates_as` goes from a credential → a principal", "here it goes from a service to a service [edge-kind-mismatch]"],
        ),
        case(
            "bad_times",
            format!("{HEAD}\n\"nodes\": [{{\"id\": \"k\", \"kind\": \"credential\",\n \"issued_at\": \"2025-01-10\",\n \"expires_at\": \"2016-12-31T23:59:60Z\",\n \"last_used_at\": \"2026-10-30 10:00:00Z\",\n \"rotated_at\": \"2026-02-30T00:00:00Z\"}}], \"edges\": []}}"),
            2,
            &[
                ":3:15: error: node \"k\" (nodes[0]): `issued_at` is not an RFC 3339 date-time: \"2025-01-10\" [invalid-timestamp]",
                "a date alone is not a date-time",
                ":4:16: error: node \"k\" (nodes[0]): `expires_at`",
                "leap seconds",
                ":5:18: error: node \"k\" (nodes[0]): `last_used_at`",
                ":6:16: error: node \"k\" (nodes[0]): `rotated_at`",
                "4 error(s)",
            ],
        ),
        case(
            "unknown_vocabulary_lists_accepted_values",
            format!("{HEAD}\n\"nodes\": [{{\"id\": \"k\", \"kind\": \"credential\", \"credential_type\": \"apikey\", \"status\": \"gone\", \"sensitivity\": \"extreme\"}},\n {{\"id\": \"r\", \"kind\": \"resource\"}}],\n\"edges\": [{{\"from\": \"r\", \"to\": \"r\", \"kind\": \"grant\"}}, {{\"from\": \"r\", \"to\": \"k\", \"kind\": \"exposes\", \"requires\": \"owner\"}}]}}"),
            2,
            &[
                "unknown credential_type \"apikey\" [unknown-value]",
                "did you mean \"api_key\"?",
                "unknown status \"gone\" [unknown-value]",
                "use one of: active, disabled, deleted, offboarded, revoked",
                "unknown sensitivity \"extreme\" [unknown-value]",
                ":4:44: error: edges[0]: unknown kind \"grant\" [unknown-value]",
                "did you mean \"grants\"?",
                "unknown requires \"owner\" [unknown-value]",
                "use one of: read, write, admin",
            ],
        ),
        case(
            "missing_fields_and_wrong_types",
            format!("{HEAD}\n\"nodes\": [\n {{\"id\": \"a\", \"name\": 5}},\n {{\"kind\": \"human\"}},\n {{\"id\": \"t\", \"kind\": \"tag\", \"tags\": [1]}}\n],\n\"edges\": [{{\"from\": \"a\", \"kind\": \"holds\", \"redelegable\": \"yes\"}}]}}"),
            2,
            &[
                ":3:2: error: node \"a\" (nodes[0]): missing required field `kind` [missing-field]",
                ":3:22: error: node \"a\" (nodes[0]): `name` must be a string, found a number [wrong-type]",
                ":4:2: error: nodes[1]: missing required field `id` [missing-field]",
                ":5:37: error: node \"t\" (nodes[2]): `tags` must be an array of strings, found an array [wrong-type]",
                ":7:11: error: edges[0]: missing required field `to` [missing-field]",
                "`redelegable` belongs only to `admin_of` edges, not to `holds` [misplaced-field]",
            ],
        ),
        case(
            "fields_of_other_kinds",
            format!("{HEAD}\n\"nodes\": [\n {{\"id\": \"s\", \"kind\": \"service\", \"contract_end\": \"2026-06-30T00:00:00Z\", \"granted_by\": \"bob\"}},\n {{\"id\": \"g\", \"kind\": \"group\"}}, {{\"id\": \"r\", \"kind\": \"resource\"}}, {{\"id\": \"k\", \"kind\": \"credential\"}}\n],\n\"edges\": [\n {{\"from\": \"s\", \"to\": \"g\", \"kind\": \"member_of\", \"requires\": \"read\", \"status\": \"active\"}},\n {{\"from\": \"r\", \"to\": \"k\", \"kind\": \"exposes\", \"level\": \"read\"}}\n]}}"),
            2,
            &[
                ":3:33: error: node \"s\" (nodes[0]): `contract_end` belongs to partner nodes, not to a service node [misplaced-field]",
                ":3:73: error: node \"s\" (nodes[0]): `granted_by` is an edge field; nodes cannot carry it [misplaced-field]",
                "`requires` belongs only to `exposes` edges, not to `member_of` [misplaced-field]",
                "edges have no `status`",
                ":8:46: error: edges[1] (\"r\" -exposes-> \"k\"): `level` is not allowed on `exposes`",
                "5 error(s)",
            ],
        ),
        case(
            "org_must_be_tenant_or_partner",
            format!("{HEAD}\n\"nodes\": [\n {{\"id\": \"p\", \"kind\": \"partner\", \"org\": \"t\"}},\n {{\"id\": \"t\", \"kind\": \"tenant\"}},\n {{\"id\": \"s\", \"kind\": \"service\", \"org\": \"h\"}},\n {{\"id\": \"h\", \"kind\": \"human\", \"org\": \"tenant:nope\"}}\n], \"edges\": []}}"),
            2,
            &[
                ":3:40: error: node \"p\" (nodes[0]): a partner is its own organisation and must not carry `org` [org-on-organisation]",
                ":5:40: error: node \"s\" (nodes[2]): `org` must name a tenant or partner node, but \"h\" is a human [org-not-organisation]",
                ":6:38: error: node \"h\" (nodes[3]): `org` \"tenant:nope\" names no node [unknown-org]",
            ],
        ),
        case(
            "repeated_key_inside_a_node_and_a_property",
            format!("{HEAD}\n\"nodes\": [{{\"id\": \"a\", \"kind\": \"human\", \"kind\": \"service\",\n \"extra\": {{\"k\": 1, \"k\": 2}}}}], \"edges\": []}}"),
            2,
            &[
                ":2:40: error: nodes[0]: the key `kind` appears twice (first at 2:23) [duplicate-key]",
                ":3:11: error: node \"a\" (nodes[0]): the free-form field `extra` is not valid: the key \"k\" appears twice",
            ],
        ),
        case(
            "huge_ids",
            format!("{HEAD}\"nodes\": [{{\"id\": \"{long_id}\", \"kind\": \"human\"}}, {{\"id\": \"{long_id}\", \"kind\": \"human\"}}], \"edges\": [{{\"from\": \"{long_id}y\", \"to\": \"{long_id}\", \"kind\": \"assumes\"}}]}}"),
            2,
            &["duplicate node id \"xxxxxxxxxx", "(10000 bytes)", "(10001 bytes)"],
        ),
        case(
            "nulls_are_absent",
            format!("{HEAD}\"nodes\": [{{\"id\": \"s\", \"kind\": \"service\", \"name\": null, \"org\": null, \"contract_end\": null, \"expires_at\": null}}], \"edges\": [{{\"from\": \"s\", \"to\": \"s\", \"kind\": \"assumes\", \"level\": null, \"redelegable\": null}}]}}"),
            0,
            &[],
        ),
        case(
            "dangling_owner_is_a_warning",
            format!("{HEAD}\"nodes\": [{{\"id\": \"k\", \"kind\": \"credential\", \"owner\": \"human:gone\"}}], \"edges\": []}}"),
            0,
            &[":1:58: warning: node \"k\" (nodes[0]): `owner` \"human:gone\" names no node [unknown-owner]"],
        ),
        case(
            "lowercase_t_and_z_and_free_properties",
            "{\"version\": 1, \"as_of\": \"2026-11-01t00:00:00z\", \"nodes\": [{\"id\": \"a\", \"kind\": \"agent\", \"model\": {\"name\": \"x\", \"ctx\": [1, 2]}}], \"edges\": []}",
            0,
            &[],
        ),
        case(
            "no_as_of_warns",
            "{\"version\": 1, \"nodes\": [], \"edges\": []}",
            0,
            &[":1:1: warning: no `as_of`"],
        ),
    ]
}

#[test]
fn hostile_inputs_are_rejected_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.iter().filter(|c| c.code == 2).count() >= 20);
    for c in &all {
        let path = write(dir.path(), &format!("{}.json", c.name), &c.content);
        let run = authpath(&["validate", path.to_str().unwrap()]);
        let mut problems = Vec::new();
        if run.code != c.code {
            problems.push(format!("exit {} (expected {})", run.code, c.code));
        }
        if run.stderr.contains("panicked") {
            problems.push("panicked".into());
        }
        for e in &c.expect {
            let needle = if e.starts_with(':') {
                format!("{}.json{e}", c.name)
            } else {
                e.clone()
            };
            if !run.stderr.contains(&needle) {
                problems.push(format!("stderr lacks {needle:?}"));
            }
        }
        if c.code == 0 && !run.stdout.contains(": valid, ") {
            problems.push("no summary line on stdout".into());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n--- stderr ---\n{}",
                c.name,
                problems.join("; "),
                run.stderr.chars().take(3000).collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn many_problems_are_capped_but_counted() {
    let dir = tempfile::tempdir().unwrap();
    let edges: Vec<String> = (0..500)
        .map(|i| format!("{{\"from\": \"a\", \"to\": \"missing-{i}\", \"kind\": \"assumes\"}}"))
        .collect();
    let text = format!(
        "{HEAD}\"nodes\": [{{\"id\": \"a\", \"kind\": \"service\"}}],\n\"edges\": [\n{}\n]}}",
        edges.join(",\n")
    );
    let path = write(dir.path(), "many.json", text.as_bytes());
    let run = authpath(&["validate", path.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.matches(": error: ").count(), 100);
    assert!(
        run.stderr.contains("… and 400 more error(s)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("many.json: 500 error(s), 0 warning(s)"));
    assert!(run.stderr.contains("many.json:3:1: error: edges[0]"));
}

#[test]
fn stdin_and_missing_files() {
    let run = authpath_stdin(
        &["validate", "-"],
        br#"{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [{"id": "a", "kind": "human"}], "edges": []}"#,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "-: valid, 1 nodes (1 human), 0 edges ()\n");

    let run = authpath_stdin(&["validate", "-"], b"{\"version\": 1,");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("-:1:15: error: invalid JSON: EOF while parsing a value [json-syntax]"),
        "{}",
        run.stderr
    );

    let run = authpath(&["validate", "/nonexistent/graph.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("/nonexistent/graph.json: error: cannot read the file")
            && run.stderr.contains(" [read-error]\n  help: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: check the path"));
}

#[test]
fn one_bad_file_among_good_ones_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.json",
        br#"{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [], "edges": []}"#,
    );
    let bad = write(dir.path(), "bad.json", b"[]");
    let run = authpath(&["validate", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("good.json: valid, 0 nodes"));
    assert!(run.stderr.contains("bad.json:1:1: error"));
}

#[test]
fn usage_errors_exit_2() {
    let run = authpath(&["validate"]);
    assert_eq!(run.code, 2);
    let run = authpath(&["frobnicate"]);
    assert_eq!(run.code, 2);
}

/// A valid file of about 50 MB, generated here (never committed), loads and is counted right.
#[test]
fn fifty_megabyte_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let text = common::uniform::uniform_graph(200_000, 600_000);
    assert!(text.len() > 50_000_000, "only {} bytes", text.len());
    std::fs::write(&path, &text).unwrap();
    let run = authpath(&["validate", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "{}: valid, 200000 nodes (180000 service, 20000 group), 600000 edges (600000 member_of)\n",
            path.display()
        )
    );
}

/// An interrupted run (SIGINT, SIGTERM) leaves the previous output as it was, no temporary
/// file beside it, and says so; exit 130.
#[test]
fn an_interrupted_run_leaves_the_previous_file() {
    let dir = tempfile::tempdir().unwrap();
    let graph = write(
        dir.path(),
        "big.json",
        common::uniform::privileged_graph(150_000, 750_000).as_bytes(),
    );
    for signal in ["-INT", "-TERM"] {
        let out = dir.path().join("findings.json");
        std::fs::write(&out, "previous").unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_authpath"))
            .args(["analyze", "--format", "json", "-o"])
            .arg(&out)
            .arg(&graph)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(400));
        let killed = std::process::Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let result = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(130), "{signal}: {stderr}");
        assert!(stderr.contains("authpath: interrupted"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".authpath-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

/// A full disk: exit 2 with the reason, whether the output is a file or standard output.
#[test]
fn a_full_disk_is_an_error_with_its_reason() {
    let graph = common::root().join("graphs/ci-secrets.json");
    let run = authpath(&[
        "analyze",
        "--format",
        "json",
        "-o",
        "/dev/full",
        graph.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot write /dev/full: No space left on device"),
        "{}",
        run.stderr
    );
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_authpath"))
        .args(["analyze", "--format", "json", graph.to_str().unwrap()])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cannot write standard output: No space left on device")
    );
}

/// The files of tests/hostile/ and larger inputs generated here: a result or exit 2 with
/// the reason, never a panic.
#[test]
fn the_hostile_corpus() {
    let dir = common::root().join("tests/hostile");
    let expect: &[(&str, i32, &[&str])] = &[
        ("crlf.json", 0, &[]),
        (
            "nan.json",
            2,
            &["nan.json:1:95: error: invalid JSON: expected value [json-syntax]"],
        ),
        (
            "hugeint.json",
            2,
            &[
                "hugeint.json:1:132: error: node \"a\" (nodes[0]): the free-form field `y` is not valid: number out of range [invalid-property]",
            ],
        ),
        (
            "numbers-for-strings.json",
            2,
            &[
                "`kind` must be a string, found a number [wrong-type]",
                "`name` must be a string, found an array [wrong-type]",
                "nodes[1]: `id` must be a string, found a number [wrong-type]",
                "`level` must be a string, found a number [wrong-type]",
            ],
        ),
        (
            "time.json",
            1,
            &["judged at 9999-12-31T23:59:59.999999999Z"],
        ),
        ("confusable.json", 0, &["3 nodes, 1 edges"]),
    ];
    for (file, code, messages) in expect {
        let path = dir.join(file);
        let run = authpath(&[
            "analyze",
            "--format",
            "text",
            "--fail-on",
            "medium",
            path.to_str().unwrap(),
        ]);
        assert_eq!(run.code, *code, "{file}: {}{}", run.stdout, run.stderr);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(!all.contains("panicked"), "{file}: {all}");
        for m in *messages {
            assert!(all.contains(m), "{file}: missing {m:?} in\n{all}");
        }
    }
    assert_eq!(
        std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json"))
            .count(),
        expect.len(),
        "every file has its expectation"
    );

    let tmp = tempfile::tempdir().unwrap();
    // A 20 MB name.
    let big = graph_text(
        &[format!(
            r#"{{"id": "a", "kind": "service", "name": "{}"}}"#,
            "x".repeat(20_000_000)
        )],
        &[],
    );
    assert_eq!(run_on(tmp.path(), "big.json", &big, &["validate"]).code, 0);
    // 200,000 nodes with one id: every repeat reported, capped, counted.
    let dups = graph_text(
        &vec![r#"{"id": "same", "kind": "service"}"#.to_string(); 200_000],
        &[],
    );
    let run = run_on(tmp.path(), "dups.json", &dups, &["validate"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("199999 error(s)"),
        "{}",
        &run.stderr[run.stderr.len().saturating_sub(500)..]
    );
    // A self-loop on every one of 100,000 nodes: 100,000 delegation cycles of one, counted.
    let loops = graph_text(
        &(0..100_000)
            .map(|i| format!(r#"{{"id": "s{i}", "kind": "service"}}"#))
            .collect::<Vec<_>>(),
        &(0..100_000)
            .map(|i| format!(r#"{{"from": "s{i}", "to": "s{i}", "kind": "assumes"}}"#))
            .collect::<Vec<_>>(),
    );
    let run = run_on(
        tmp.path(),
        "loops.json",
        &loops,
        &["analyze", "--format", "json", "--max-findings", "10"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["by_rule"]["delegation-cycle"]["total"], 100_000);
    // A complete graph of 500 nodes (249,500 assumes edges), every 100th node critical.
    let n = 500;
    let nodes: Vec<String> = (0..n)
        .map(|i| {
            let critical = if i % 100 == 0 {
                r#", "sensitivity": "critical""#
            } else {
                ""
            };
            format!(r#"{{"id": "n{i}", "kind": "service"{critical}}}"#)
        })
        .collect();
    let edges: Vec<String> = (0..n)
        .flat_map(|i| {
            (0..n)
                .filter(move |j| *j != i)
                .map(move |j| format!(r#"{{"from": "n{i}", "to": "n{j}", "kind": "assumes"}}"#))
        })
        .collect();
    let complete = graph_text(&nodes, &edges);
    let run = run_on(
        tmp.path(),
        "complete.json",
        &complete,
        &["analyze", "--format", "json", "--max-findings", "10"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // Every node reaches every other in one edge: standing access, no transitive finding;
    // the whole graph is one delegation cycle.
    assert_eq!(report["by_rule"]["delegation-cycle"]["total"], 1);
    assert!(
        report["by_rule"]
            .get("transitive-privilege")
            .is_none_or(|r| r["total"] == 0)
    );
}

/// A graph file of these node and edge objects (JSON text each).
fn graph_text(nodes: &[String], edges: &[String]) -> String {
    format!(
        r#"{{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [{}], "edges": [{}]}}"#,
        nodes.join(","),
        edges.join(",")
    )
}

/// Writes `text` to `dir/name` and runs the binary with `args` and that file last.
fn run_on(dir: &std::path::Path, name: &str, text: &str, args: &[&str]) -> common::Run {
    let path = write(dir, name, text.as_bytes());
    let mut all: Vec<&str> = args.to_vec();
    all.push(path.to_str().unwrap());
    authpath(&all)
}

/// A cycle of `n` services, every `every`th one critical: each subject reaches each critical
/// node, through up to `n` nodes.
fn cycle(n: usize, every: usize) -> String {
    let nodes: Vec<String> = (0..n)
        .map(|i| {
            let critical = if i % every == 0 {
                r#", "sensitivity": "critical""#
            } else {
                ""
            };
            format!(r#"{{"id": "n{i:05}", "kind": "service"{critical}}}"#)
        })
        .collect();
    let edges: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"from": "n{i:05}", "to": "n{:05}", "kind": "assumes"}}"#,
                (i + 1) % n
            )
        })
        .collect();
    graph_text(&nodes, &edges)
}

/// A long cycle through critical nodes gives many findings whose witnesses are as long as
/// the cycle: the findings shown stop where their paths would pass the budget, the counts,
/// the summary and the exit code stay those of every finding.
#[test]
fn a_long_cycle_shows_the_findings_its_path_budget_allows() {
    let tmp = tempfile::tempdir().unwrap();
    let text = cycle(5_000, 500);
    let budget = run_on(
        tmp.path(),
        "cycle.json",
        &text,
        &["analyze", "--format", "json", "--max-path-nodes", "100000"],
    );
    assert_eq!(budget.code, 1, "{}", budget.stderr);
    let doc: serde_json::Value = serde_json::from_str(&budget.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let path_nodes: usize = findings
        .iter()
        .map(|f| f["path"].as_array().unwrap().len())
        .sum();
    assert!(path_nodes <= 100_000, "{path_nodes}");
    assert!(findings.len() > 10, "{}", findings.len());
    // 5,000 subjects × 10 critical nodes, less each critical node's own pair and its
    // predecessor's (one edge: direct access, no transitive finding).
    assert_eq!(doc["summary"]["high"], 49_980);
    assert_eq!(doc["truncated"]["max_path_nodes"], 100_000);
    assert_eq!(doc["truncated"]["shown"], findings.len());
    assert_eq!(doc["by_rule"]["transitive-privilege"]["total"], 49_980);

    // The same findings are the first ones of the list a count cap gives.
    let shown = findings.len().to_string();
    let capped = run_on(
        tmp.path(),
        "cycle.json",
        &text,
        &[
            "analyze",
            "--format",
            "json",
            "--max-path-nodes",
            "1000000000",
            "--max-findings",
            &shown,
        ],
    );
    assert_eq!(capped.code, 1);
    let other: serde_json::Value = serde_json::from_str(&capped.stdout).unwrap();
    assert_eq!(other["findings"], doc["findings"]);
    assert_eq!(other["summary"], doc["summary"]);
    assert!(other["truncated"].get("max_path_nodes").is_none());

    // Streamed (no count cap), the budget stops the stream at the same place.
    let streamed = run_on(
        tmp.path(),
        "cycle.json",
        &text,
        &[
            "analyze",
            "--format",
            "json",
            "--max-path-nodes",
            "100000",
            "--max-findings",
            "0",
        ],
    );
    assert_eq!(streamed.code, 1);
    let streamed: serde_json::Value = serde_json::from_str(&streamed.stdout).unwrap();
    assert_eq!(streamed["findings"], doc["findings"]);
    assert_eq!(streamed["summary"], doc["summary"]);
    assert_eq!(streamed["truncated"], doc["truncated"]);

    let text_run = run_on(
        tmp.path(),
        "cycle.json",
        &text,
        &["analyze", "--format", "text", "--max-path-nodes", "100000"],
    );
    assert_eq!(text_run.code, 1);
    assert!(
        text_run.stdout.contains(&format!(
            "49981 findings (49980 high, 1 medium); the first {shown} in order of severity are shown (their paths hold at most 100000 node ids in all, --max-path-nodes)"
        )),
        "{}",
        &text_run.stdout[..600.min(text_run.stdout.len())]
    );
}

/// blast-radius and who-can answer whole or not at all: an answer whose witnesses would hold
/// more node ids than the budget is exit 2 with what to do; one exactly at it is written.
#[test]
fn query_answers_over_the_path_budget_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // From n00001 the other 99 nodes are reached by walks of 2..=100 nodes: 5,049 in all.
    let text = cycle(100, 1);
    for (args, needed) in [
        (vec!["blast-radius", "--from", "n00001"], 5_049),
        (
            vec!["who-can", "--reach", "n00000", "--subjects", "all"],
            5_049,
        ),
    ] {
        let at = |budget: usize| {
            let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            a.extend([
                "--format".into(),
                "json".into(),
                "--max-path-nodes".into(),
                budget.to_string(),
            ]);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            run_on(tmp.path(), "cycle.json", &text, &a)
        };
        let ok = at(needed);
        assert_eq!(ok.code, 0, "{args:?}: {}", ok.stderr);
        let doc: serde_json::Value = serde_json::from_str(&ok.stdout).unwrap();
        let list = doc
            .get("reached")
            .or(doc.get("subjects"))
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(list.len(), 99);
        let over = at(needed - 1);
        assert_eq!(over.code, 2, "{args:?}");
        assert!(over.stdout.is_empty());
        assert!(
            over.stderr
                .contains(&format!("more than --max-path-nodes {}", needed - 1))
                && over.stderr.contains("raise --max-path-nodes"),
            "{}",
            over.stderr
        );
    }
}

/// A graph larger than the limits is refused before anything is built, naming the array,
/// its size and the flag to raise.
#[test]
fn graphs_over_the_size_limits_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let text = cycle(100, 10);
    let run = run_on(
        tmp.path(),
        "cycle.json",
        &text,
        &["validate", "--max-graph-edges", "99"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error: `edges` has 100 entries, more than the limit of 99")
            && run.stderr.contains("raise it with --max-graph-edges 100"),
        "{}",
        run.stderr
    );
    let run = run_on(
        tmp.path(),
        "cycle.json",
        &text,
        &["analyze", "--max-graph-nodes", "50"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`nodes` has 100 entries, more than the limit of 50"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run_on(
            tmp.path(),
            "cycle.json",
            &text,
            &["validate", "--max-graph-nodes", "100"]
        )
        .code,
        0
    );
}

/// A key one typo away from a field the format defines for that kind is kept as a
/// free-form property, so it is said: a warning with the field meant and what ignoring it
/// means; `validate --strict` makes it an error. Free-form keys that look like nothing the
/// format defines stay silent.
#[test]
fn a_near_miss_of_a_format_key_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let text = graph_text(
        &[
            r#"{"id": "k", "kind": "credential", "expires": "2027-01-01T00:00:00Z", "lastUsedAt": "2026-01-01T00:00:00Z", "team": "payments", "cost_centre": 7}"#.into(),
            r#"{"id": "p", "kind": "partner", "contract": "2027-01-01"}"#.into(),
            r#"{"id": "s", "kind": "service", "expires": "2027-01-01", "ownr": "human:x"}"#.into(),
        ],
        &[r#"{"from": "p", "to": "k", "kind": "holds", "expiry": "2027-01-01T00:00:00Z"}"#.into()],
    );
    let run = run_on(tmp.path(), "near.json", &text, &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        "near.json:1:93: warning: node \"k\" (nodes[0]): `expires` is not a field of the format, so it is kept as a free-form property: did you mean `expires_at`? [near-miss-key]\n  help: rename it to `expires_at` (as written, authpath ignores it: the object is treated as never expiring)",
        "`lastUsedAt` is not a field of the format, so it is kept as a free-form property: did you mean `last_used_at`? [near-miss-key]",
        "node \"p\" (nodes[1]): `contract` is not a field of the format, so it is kept as a free-form property: did you mean `contract_end`? [near-miss-key]",
        "node \"s\" (nodes[2]): `ownr` is not a field of the format, so it is kept as a free-form property: did you mean `owner`? [near-miss-key]",
        "edges[0] (\"p\" -holds-> \"k\"): `expiry` is not a field of the format, so it is kept as a free-form property: did you mean `expires_at`? [near-miss-key]",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?} in\n{}",
            run.stderr
        );
    }
    // `expires` on a service is no near miss: services have no expiry field.
    assert_eq!(
        run.stderr.matches("did you mean").count(),
        5,
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("5 warning(s)"), "{}", run.stdout);
    let strict = run_on(tmp.path(), "near.json", &text, &["validate", "--strict"]);
    assert_eq!(strict.code, 2);
    assert!(
        strict.stderr.contains("authpath: error: ")
            && strict
                .stderr
                .contains("5 warning(s), which --strict makes errors"),
        "{}",
        strict.stderr
    );
    assert!(strict.stdout.is_empty());
}

/// A comma before `]` or `}` is named as what it is, at the comma.
#[test]
fn a_trailing_comma_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_on(
        tmp.path(),
        "comma.json",
        "{\"version\": 1, \"nodes\": [\n  {\"id\": \"a\", \"kind\": \"human\"},\n], \"edges\": []}",
        &["validate"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("comma.json:2:31: error: invalid JSON: trailing comma before `]` [json-syntax]\n  help: remove this comma"),
        "{}",
        run.stderr
    );
}
