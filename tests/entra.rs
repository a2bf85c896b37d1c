//! `authpath import entra` end to end: AzureHound's federated credentials of a real test
//! tenant (BloodHound's fixture, tests/data/real/entra), the team-made Contoso tenant in
//! graphs/entra, the case-insensitivity of GUIDs, and hostile files.

mod common;

use common::imported::Imported;
use common::{authpath_in, root, write};
use serde_json::{Value, json};
use std::path::Path;

const CONTOSO: &str = "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7";

fn import_file(file: &Path) -> (Imported, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(file, dir.path().join("in.json")).unwrap();
    let run = authpath_in(
        dir.path(),
        &[
            "import",
            "entra",
            "in.json",
            "--as-of",
            "2026-11-01T00:00:00Z",
            "-o",
            "g.json",
        ],
    );
    (Imported::check(dir.path(), run), dir)
}

fn edges<'a>(g: &'a Value, kind: &str) -> Vec<&'a Value> {
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

fn real_fics() -> std::path::PathBuf {
    root().join("tests/data/real/entra/federated_identity_credentials.json")
}

/// The fixture's 14 credentials on 7 applications: 12 drawn, each listed on the edge from
/// its issuer, and the two classic `repo:…:*` subjects, which match no token, reported.
#[test]
fn the_real_federated_credentials_are_drawn_and_the_literal_wildcards_reported() {
    let (i, _d) = import_file(&real_fics());
    let assumes = edges(&i.graph, "assumes");
    let listed: Vec<&Value> = assumes
        .iter()
        .flat_map(|e| e["entra_federated_credentials"].as_array().unwrap().iter())
        .collect();
    assert_eq!(listed.len(), 12, "{assumes:#?}");
    let subjects: Vec<&str> = listed
        .iter()
        .filter_map(|c| c["subject"].as_str())
        .collect();
    for s in [
        "repo:SpecterTst/oidc-actions-test-1:ref:refs/heads/prod",
        "repo:SpecterTst/oidc-actions-test-1:ref:refs/heads/jared",
        "repo:SpecterTst/oidc-actions-test-2:ref:refs/heads/main",
        "repo:SpecterTst/oidc-actions-test-2:environment:Production",
        "BADSUBJECT",
    ] {
        assert!(subjects.contains(&s), "{s} in {subjects:?}");
    }
    assert!(!subjects.iter().any(|s| s.ends_with(":*")));
    for literal in [
        "repo:SpecterTst/oidc-actions-test-1:*",
        "repo:SpecterTst/oidc-actions-test-2:*",
    ] {
        assert!(
            i.stderr.contains(literal),
            "{literal} reported: {}",
            i.stderr
        );
    }
    assert_eq!(
        i.stderr.matches("matches no token").count(),
        2,
        "{}",
        i.stderr
    );
    // Seven applications, known from their credentials; GitHub's issuer one node.
    let apps = i.graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "app" && n["id"].as_str().unwrap().starts_with("entra:app:"))
        .count();
    assert_eq!(apps, 7);
    let github = assumes
        .iter()
        .filter(|e| e["from"] == "entra:issuer:token.actions.githubusercontent.com")
        .count();
    assert_eq!(github, 4, "one edge per (issuer, application)");
}

/// AzureHound 3 upper-cases GUIDs; older versions do not: the graph is the same.
#[test]
fn guids_compare_whatever_their_case() {
    let text = std::fs::read_to_string(real_fics()).unwrap();
    let upper = upper_ids(&text);
    assert_ne!(upper, text);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lower.json", text.as_bytes());
    write(dir.path(), "upper.json", upper.as_bytes());
    let a = authpath_in(dir.path(), &["import", "entra", "lower.json"]);
    let b = authpath_in(dir.path(), &["import", "entra", "upper.json"]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
}

/// The ids upper-cased as AzureHound 3 writes them (`id`, `appId`, `tenantId`), the rest
/// as it was.
fn upper_ids(text: &str) -> String {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                for (k, x) in o.iter_mut() {
                    match (k.as_str(), &*x) {
                        ("id" | "appId" | "tenantId", Value::String(s)) => {
                            *x = json!(s.to_ascii_uppercase())
                        }
                        _ => walk(x),
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(text).unwrap();
    walk(&mut v);
    v.to_string()
}

fn contoso() -> (Imported, tempfile::TempDir) {
    import_file(&root().join("graphs/entra/contoso.azurehound.json"))
}

fn finding<'a>(i: &'a Imported, rule: &str, subject: &str) -> Option<&'a Value> {
    i.findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["subject"] == subject)
}

#[test]
fn a_vendors_multi_tenant_app_that_can_make_itself_global_admin_is_a_critical_partner_finding() {
    let (i, _d) = contoso();
    let vendor = "entra:tenant:b2d7e8f9-0a1b-4c2d-8e3f-4a5b6c7d8e9f";
    let tenant = format!("entra:tenant:{CONTOSO}");
    let f = i
        .finding("transitive-privilege", vendor, &tenant)
        .expect("the vendor's tenant reaches Contoso");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["target"], format!("entra:tenant:{CONTOSO}"));
    assert_eq!(
        f["path"],
        json!([
            vendor,
            "entra:app:0c000002-0000-4000-8000-00000000000b",
            "entra:sp:0e000001-0000-4000-8000-000000000003",
            format!("entra:tenant:{CONTOSO}")
        ])
    );
    let sentence = f["message"].as_str().unwrap();
    assert!(sentence.starts_with("Entra tenant b2d7e8f9-0a1b-4c2d-8e3f-4a5b6c7d8e9f (registers Northwind Backup) (partner) can administer Entra tenant Contoso"), "{sentence}");
    let why = i
        .edge(
            "entra:sp:0e000001-0000-4000-8000-000000000003",
            &format!("entra:tenant:{CONTOSO}"),
            "admin_of",
        )
        .unwrap()["derived_from"]
        .to_string();
    assert!(why.contains("RoleManagement.ReadWrite.Directory"), "{why}");
    // Microsoft's own Graph service principal is Microsoft's, not a partner's.
    let graph = i.node("entra:sp:0e000001-0000-4000-8000-000000000004");
    assert_eq!(graph["entra_first_party"], "Microsoft Services");
    assert!(
        !i.graph["nodes"]
            .to_string()
            .contains("entra:tenant:f8cdef31")
    );
}

#[test]
fn guests_roles_pim_owners_and_app_roles() {
    let (i, d) = contoso();
    // A guest holding Application Administrator reaches the tenant through an application.
    let carol = "entra:user:0a000001-0000-4000-8000-000000000003";
    assert_eq!(i.node(carol)["org"], "entra:domain:fabrikam.com");
    assert_eq!(i.node("entra:domain:fabrikam.com")["kind"], "partner");
    let f = finding(&i, "transitive-privilege", carol).expect("the guest's role is a finding");
    assert_eq!(f["severity"], "critical");
    // PIM eligibility is latent: a disabled node between Alice and Global Administrator.
    let alice = "entra:user:0a000001-0000-4000-8000-000000000001";
    let ga = format!("entra:role:62e90394-69f5-4237-9190-012177145e10@{CONTOSO}");
    let eligible = format!("{alice}#eligible:{ga}");
    assert_eq!(i.node(&eligible)["status"], "disabled");
    let tenant = format!("entra:tenant:{CONTOSO}");
    let blast = |extra: &[&str]| {
        let mut args = vec![
            "blast-radius",
            "g.json",
            "--from",
            alice,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        authpath_in(d.path(), &args).stdout
    };
    let plain = blast(&[]);
    assert!(!plain.contains(&tenant), "{plain}");
    let latent = blast(&["--include-inactive"]);
    assert!(latent.contains(&tenant), "{latent}");
    // A role-assignable group is not among the groups Group.ReadWrite.All reaches.
    let groups = format!("entra:tenant:{CONTOSO}#groups");
    assert!(
        i.edge(
            &groups,
            "entra:group:0b000001-0000-4000-8000-000000000002",
            "admin_of"
        )
        .is_some()
    );
    assert!(
        i.edge(
            &groups,
            "entra:group:0b000001-0000-4000-8000-000000000001",
            "admin_of"
        )
        .is_none()
    );
    // Owners administer what they own, and are accountable for the app's credentials.
    let eve = "entra:user:0a000001-0000-4000-8000-000000000005";
    assert!(
        i.edge(
            eve,
            "entra:app:0c000001-0000-4000-8000-000000000001",
            "admin_of"
        )
        .is_some()
    );
    assert_eq!(
        i.node(
            "entra:secret:0c000001-0000-4000-8000-000000000001/0f000001-0000-4000-8000-000000000001"
        )["owner"],
        eve
    );
    assert!(
        finding(
            &i,
            "stale-credential",
            "entra:secret:0c000001-0000-4000-8000-000000000001/0f000001-0000-4000-8000-000000000001"
        )
        .is_some()
    );
    // The AWS application's role is kept with its value, for the SAML join.
    let role = i.node("entra:sp:0e000001-0000-4000-8000-000000000002#approle:7f000001-0000-4000-8000-000000000001");
    assert_eq!(
        role["entra_app_role_value"],
        "arn:aws:iam::111122223333:role/EntraAdmin,arn:aws:iam::111122223333:saml-provider/Entra"
    );
    assert!(
        i.edge(
            "entra:group:0b000001-0000-4000-8000-000000000003",
            role["id"].as_str().unwrap(),
            "member_of"
        )
        .is_some()
    );
    // A disabled user stays, disabled; a device is counted, not modelled.
    assert_eq!(
        i.node("entra:user:0a000001-0000-4000-8000-000000000004")["status"],
        "disabled"
    );
    assert!(i.stderr.contains("left out: 1 AZDevice"), "{}", i.stderr);
}

#[test]
fn hostile_files_exit_2_naming_file_and_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "cut.json",
        b"{\"data\": [\n  {\"kind\": \"AZUser\", \"data\": {\"id\": \"1\"}},\n",
    );
    write(dir.path(), "array.json", b"[1, 2]");
    let run = authpath_in(
        dir.path(),
        &[
            "import",
            "entra",
            "cut.json",
            "array.json",
            "missing.json",
            "-o",
            "g.json",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!dir.path().join("g.json").exists());
    for expected in [
        "cut.json:3:",
        "array.json:1:1",
        "missing.json",
        "[json-syntax]",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    // Records that cannot be read are warnings: written, unless --strict.
    write(
        dir.path(),
        "odd.json",
        br#"{"data": [{"kind": "AZUser"}, {"kind": "AZGroup", "data": {"displayName": "no id"}}, 7], "meta": {"type": "azure", "version": 5}}"#,
    );
    let run = authpath_in(dir.path(), &["import", "entra", "odd.json", "-o", "g.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("record 1 of `data`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("record 2: AZGroup without `id`"),
        "{}",
        run.stderr
    );
    let strict = authpath_in(
        dir.path(),
        &["import", "entra", "odd.json", "--strict", "-o", "s.json"],
    );
    assert_eq!(strict.code, 2);
    assert!(!dir.path().join("s.json").exists());
}

#[test]
fn a_directory_of_files_is_one_tenant_and_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(root().join("graphs/entra/contoso.azurehound.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    // The same records split over files by kind, as `azurehound list users -o …` writes.
    let mut by_kind: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for r in v["data"].as_array().unwrap() {
        by_kind
            .entry(r["kind"].as_str().unwrap().to_string())
            .or_default()
            .push(r.clone());
    }
    std::fs::create_dir(dir.path().join("ah")).unwrap();
    for (kind, records) in &by_kind {
        let doc = json!({"data": records, "meta": {"type": "azure", "version": 5, "count": records.len()}});
        write(
            &dir.path().join("ah"),
            &format!("{kind}.json"),
            doc.to_string().as_bytes(),
        );
    }
    write(dir.path(), "whole.json", text.as_bytes());
    let split = authpath_in(dir.path(), &["import", "entra", "ah"]);
    let whole = authpath_in(dir.path(), &["import", "entra", "whole.json"]);
    assert_eq!(split.code, 0, "{}", split.stderr);
    assert_eq!(split.stdout, whole.stdout);
}

fn estate_dir(manifest: &str, files: &[(&str, &Path)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, from) in files {
        std::fs::copy(from, dir.path().join(name)).unwrap();
    }
    write(dir.path(), "estate.toml", manifest.as_bytes());
    dir
}

/// The real GitHound sample and the real federated credentials of the same test
/// organisation, joined: exactly the links GitHub's subjects allow.
#[test]
fn github_branches_reach_entra_applications_through_their_federated_credentials() {
    let dir = estate_dir(
        "version = 1\nas_of = \"2026-11-01T00:00:00Z\"\n[[source]]\nname = \"github\"\nkind = \"opengraph\"\npath = \"gh.json\"\nmapping = \"githound\"\n[[source]]\nname = \"entra\"\nkind = \"entra\"\npath = \"fics.json\"\n",
        &[
            (
                "gh.json",
                &root().join("tests/data/real/bloodhound-opengraph/githound_O_kgDOCoV2OQ.json"),
            ),
            ("fics.json", &real_fics()),
        ],
    );
    let run = authpath_in(dir.path(), &["import", "estate", "estate.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: Value = serde_json::from_str(&run.stdout).unwrap();
    let nodes: std::collections::BTreeMap<&str, &Value> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let mut links: Vec<(String, String)> = edges(&g, "authenticates_as")
        .into_iter()
        .filter(|e| e["seam"] == "github-oidc")
        .map(|e| {
            let token = nodes[e["from"].as_str().unwrap()];
            let start = nodes[token["owner"].as_str().unwrap()];
            (
                start["native_key"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    links.sort();
    let app = |id: &str| format!("entra:entra:app:{id}");
    assert_eq!(
        links,
        [
            (
                "github:BloodHound/AzureHound@main".to_string(),
                app("5c6189d9-f96f-445a-9430-5afbd9863337")
            ),
            (
                "github:SpecterTst/oidc-actions-test-1@jared".to_string(),
                app("75414635-8836-4d31-82c5-1f783e520873")
            ),
            (
                "github:SpecterTst/oidc-actions-test-1@prod".to_string(),
                app("e9577faa-1c62-48a8-92f7-668164336fc3")
            ),
            (
                "github:SpecterTst/oidc-actions-test-2@main".to_string(),
                app("a7b9f1c5-1e4b-48d9-b71a-1444fc64cddc")
            ),
            (
                "github:wald0AzureResearch/AzureOIDC@main".to_string(),
                app("5c6189d9-f96f-445a-9430-5afbd9863337")
            ),
            (
                "github:wald0AzureResearch/AzureOIDC@main".to_string(),
                app("75414635-8836-4d31-82c5-1f783e520873")
            ),
        ]
    );
    // The other organisations' branches are outside nodes, their organisations partners.
    for key in ["github:BloodHound", "github:wald0AzureResearch"] {
        let org = nodes.values().find(|n| n["native_key"] == key).unwrap();
        assert_eq!(org["kind"], "partner", "{key}");
    }
    let analysis = authpath_in(dir.path(), &["analyze", "estate.toml", "--format", "json"]);
    let coverage: Value =
        serde_json::from_str::<Value>(&analysis.stdout).unwrap()["coverage"].clone();
    let undecided = coverage["undecided"].as_array().unwrap();
    let whys = |part: &str| {
        undecided
            .iter()
            .filter(|u| u["why"].as_str().unwrap().contains(part))
            .count()
    };
    assert_eq!(whys("the `*` matches no token"), 2, "{undecided:#?}");
    assert_eq!(
        whys("dangling"),
        1,
        "the Production environment GitHound did not collect"
    );
    assert_eq!(whys("its issuer is not GitHub Actions"), 5);
    let seam = coverage["seams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "github-oidc")
        .unwrap();
    assert_eq!(
        (seam["edges"].as_u64(), seam["undecided"].as_u64()),
        (Some(6), Some(1))
    );
}

/// Team-made: Contoso's tenant with the hand-written partner contracts and an AWS account
/// whose role trusts Entra's SAML application. A guest of the partner whose contract ended
/// holds a directory role: a finding that says so; the AWS application's app role reaches
/// the AWS role.
#[test]
fn guests_belong_to_their_partner_and_entra_app_roles_reach_aws_through_saml() {
    let role = json!({"Path": "/", "RoleName": "EntraAdmin", "RoleId": "AROAENTRA", "Arn": "arn:aws:iam::111122223333:role/EntraAdmin",
        "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Entra"}, "Action": "sts:AssumeRoleWithSAML"}]},
        "InstanceProfileList": [], "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {},
        "RolePolicyList": [{"PolicyName": "admin", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]});
    let dir = estate_dir(
        "version = 1\nas_of = \"2026-11-01T00:00:00Z\"\n[[source]]\nname = \"partners\"\nkind = \"graph\"\npath = \"partners.json\"\n[[source]]\nname = \"contoso\"\nkind = \"entra\"\npath = \"contoso.json\"\ntenant = \"6F1C2A3B-4D5E-4F60-8A71-92B3C4D5E6F7\"\n[[source]]\nname = \"prod\"\nkind = \"aws-iam\"\npath = \"authz.json\"\n[[alias]]\nnode = \"partners:partner:fabrikam\"\nis = [\"domain:fabrikam.com\"]\n",
        &[
            ("partners.json", &root().join("graphs/estate/partners.json")),
            (
                "contoso.json",
                &root().join("graphs/entra/contoso.azurehound.json"),
            ),
        ],
    );
    let authz = json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [role], "Policies": []});
    write(dir.path(), "authz.json", authz.to_string().as_bytes());
    let run = authpath_in(dir.path(), &["analyze", "estate.toml", "--format", "json"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let carol = "contoso:entra:user:0a000001-0000-4000-8000-000000000003";
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == carol && f["target"] == format!("contoso:entra:tenant:{CONTOSO}"))
        .expect("the guest's role is a finding");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("though it belongs to Fabrikam Managed Services, whose contract ended on 2026-10-01T00:00:00Z"), "{message}");
    // Eve, in AWS Admins, holds the AWS application's app role, which the role trusts.
    let who = authpath_in(
        dir.path(),
        &[
            "who-can",
            "estate.toml",
            "--reach",
            "prod:aws:res:*:*",
            "--subjects",
            "all",
            "--format",
            "json",
        ],
    );
    assert_eq!(who.code, 0, "{}", who.stderr);
    assert!(
        who.stdout
            .contains("contoso:entra:user:0a000001-0000-4000-8000-000000000005"),
        "{}",
        who.stdout
    );
    // Dave is in the group too, but disabled.
    assert!(
        !who.stdout
            .contains("contoso:entra:user:0a000001-0000-4000-8000-000000000004")
    );
    let joined = authpath_in(dir.path(), &["import", "estate", "estate.toml"]);
    let g: Value = serde_json::from_str(&joined.stdout).unwrap();
    let saml: Vec<&Value> = edges(&g, "assumes")
        .into_iter()
        .filter(|e| e["seam"] == "saml")
        .collect();
    assert_eq!(saml.len(), 1, "{saml:#?}");
    assert_eq!(saml[0]["to"], "prod:aws:role:EntraAdmin");
    // A tenant the manifest names that the records are not of is refused.
    let wrong = std::fs::read_to_string(dir.path().join("estate.toml"))
        .unwrap()
        .replace("6F1C2A3B", "00000000");
    write(dir.path(), "estate.toml", wrong.as_bytes());
    let refused = authpath_in(dir.path(), &["import", "estate", "estate.toml"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("the records are of tenant 6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7"),
        "{}",
        refused.stderr
    );
}

/// BloodHound's test graphs for the Microsoft Graph permissions and the application
/// administrator roles (tests/data/real/entra/harnesses, arrows.app drawings): each is
/// turned into the AzureHound records that hold its input, and every edge BloodHound
/// derives from it (drawn in colour) must hold through authpath: its target reached at
/// admin, or, for a role or the tenant, control of the tenant.
#[test]
fn every_bloodhound_harness_escalation_holds() {
    let dir = root().join("tests/data/real/entra/harnesses");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 8);
    let mut checked = 0;
    for (h, file) in files.iter().enumerate() {
        let drawing: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let tenant = format!("{h:08x}-0000-4000-8000-000000000000");
        let guid = |node: &str| {
            format!(
                "{h:08x}-0000-4000-8000-{:012x}",
                node.trim_start_matches('n').trim().parse::<u64>().unwrap() + 1
            )
        };
        let caption = |id: &str| {
            drawing["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == id)
                .unwrap()["caption"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let rels = drawing["relationships"].as_array().unwrap();
        let input = rels.iter().find(|r| {
            r["type"].as_str().unwrap().starts_with("AZMG")
                && r["style"].get("arrow-color").is_none()
        });
        let graph_sp = input.map(|r| r["toId"].as_str().unwrap().to_string());
        let mut data = vec![
            json!({"kind": "AZTenant", "data": {"tenantId": tenant, "collected": true, "displayName": "harness"}}),
        ];
        let t = |mut v: Value| {
            v["tenantId"] = json!(tenant);
            v
        };
        // The principal that holds each administrator role.
        let holder = |node: &str| {
            format!(
                "{h:08x}-0000-4000-9000-{:012x}",
                node.trim_start_matches('n').trim().parse::<u64>().unwrap() + 1
            )
        };
        for n in drawing["nodes"].as_array().unwrap() {
            let id = n["id"].as_str().unwrap();
            let g = guid(id);
            match n["caption"].as_str().unwrap() {
                "AZServicePrincipal" if Some(id.to_string()) == graph_sp => data.push(json!({"kind": "AZServicePrincipal", "data": t(json!({
                    "id": g, "appId": "00000003-0000-0000-c000-000000000000", "displayName": "Microsoft Graph",
                    "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a", "accountEnabled": true}))})),
                "AZServicePrincipal" => data.push(json!({"kind": "AZServicePrincipal", "data": t(json!({
                    "id": g, "appId": format!("{h:08x}-0000-4000-a000-{:012x}", 1 + data.len()), "appOwnerOrganizationId": tenant, "accountEnabled": true}))})),
                "AZApp" => data.push(json!({"kind": "AZApp", "data": t(json!({"id": g, "appId": g}))})),
                "AZGroup" => data.push(json!({"kind": "AZGroup", "data": t(json!({"id": g, "securityEnabled": true}))})),
                "AZRole" => data.push(json!({"kind": "AZRole", "data": t(json!({"id": g, "templateId": g}))})),
                role @ ("AppAdminRole" | "CloudAppAdminRole") => {
                    let template = if role == "AppAdminRole" { "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3" } else { "158c047a-c907-4556-b7ef-446551a6b5f7" };
                    data.push(json!({"kind": "AZUser", "data": t(json!({"id": holder(id), "userPrincipalName": format!("{role}@harness"), "accountEnabled": true}))}));
                    data.push(json!({"kind": "AZRoleAssignment", "data": t(json!({"roleDefinitionId": template,
                        "roleAssignments": [{"principalId": holder(id), "roleDefinitionId": template, "directoryScopeId": "/"}]}))}));
                }
                "AZTenant" => {}
                other => panic!("{file:?}: caption {other}"),
            }
        }
        let without = data.clone();
        if let Some(r) = input {
            let from = r["fromId"].as_str().unwrap();
            let app_role = drawing["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == from)
                .unwrap()["properties"]["appRoleId"]
                .as_str()
                .unwrap();
            data.push(json!({"kind": "AZAppRoleAssignment", "data": t(json!({"principalId": guid(from), "principalType": "ServicePrincipal",
                "resourceId": guid(r["toId"].as_str().unwrap()), "appId": "00000003-0000-0000-c000-000000000000", "appRoleId": app_role}))}));
        }
        let work = tempfile::tempdir().unwrap();
        let doc =
            json!({"data": data, "meta": {"type": "azure", "version": 5, "count": data.len()}});
        write(work.path(), "h.json", doc.to_string().as_bytes());
        let run = authpath_in(work.path(), &["import", "entra", "h.json", "-o", "g.json"]);
        assert_eq!(run.code, 0, "{file:?}: {}", run.stderr);
        let node_of = |id: &str| match caption(id).as_str() {
            "AZServicePrincipal" => format!("entra:sp:{}", guid(id)),
            "AZApp" => format!("entra:app:{}", guid(id)),
            "AZGroup" => format!("entra:group:{}", guid(id)),
            "AppAdminRole" | "CloudAppAdminRole" => format!("entra:user:{}", holder(id)),
            _ => format!("entra:tenant:{tenant}"),
        };
        // Whether `from` reaches `to` at admin in the graph `file`.
        let reaches = |file: &str, from: &str, to: &str| {
            let blast = authpath_in(
                work.path(),
                &[
                    "blast-radius",
                    file,
                    "--from",
                    &node_of(from),
                    "--format",
                    "json",
                ],
            );
            let reached: Value =
                serde_json::from_str(&blast.stdout).unwrap_or_else(|_| panic!("{}", blast.stderr));
            let target = node_of(to);
            reached["reached"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["node"] == target.as_str() && x["level"] == "admin")
        };
        let derived: Vec<(&str, &str, &str)> = rels
            .iter()
            .filter(|r| r["style"].get("arrow-color").is_some())
            .map(|r| {
                (
                    r["fromId"].as_str().unwrap(),
                    r["toId"].as_str().unwrap(),
                    r["type"].as_str().unwrap(),
                )
            })
            .collect();
        for (from, to, kind) in &derived {
            assert!(
                reaches("g.json", from, to),
                "{file:?}: {} {kind} -> {} does not hold",
                caption(from),
                caption(to)
            );
            checked += 1;
        }
        // The near miss: the same tenant without the permission reaches none of it.
        if input.is_some() {
            let doc = json!({"data": without, "meta": {"type": "azure", "version": 5, "count": without.len()}});
            write(work.path(), "n.json", doc.to_string().as_bytes());
            let run = authpath_in(
                work.path(),
                &["import", "entra", "n.json", "-o", "n-g.json"],
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            for (from, to, kind) in &derived {
                assert!(
                    !reaches("n-g.json", from, to),
                    "{file:?}: {kind} holds without the permission"
                );
            }
        }
    }
    assert!(checked >= 25, "{checked} derived edges checked");
}

/// Team-made records for the cases an import must not get wrong: scoped assignments and
/// eligibilities, the tenant's reach to role-assignable groups, an app role that only looks
/// like the AWS application's, and records of two tenants.
#[test]
fn scopes_role_assignable_groups_look_alike_app_roles_and_mixed_tenants() {
    const T: &str = "11111111-0000-4000-8000-000000000000";
    let app_admin = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
    let t = |mut v: Value| {
        v["tenantId"] = json!(T);
        v
    };
    let rec = |kind: &str, data: Value| json!({"kind": kind, "data": data});
    let records = vec![
        rec("AZTenant", json!({"tenantId": T, "collected": true})),
        rec(
            "AZUser",
            t(json!({"id": "u1", "userPrincipalName": "u1@x", "accountEnabled": true})),
        ),
        rec(
            "AZUser",
            t(json!({"id": "u2", "userPrincipalName": "u2@x", "accountEnabled": true})),
        ),
        rec(
            "AZGroup",
            t(json!({"id": "g-ra", "isAssignableToRole": true, "securityEnabled": true})),
        ),
        // An enterprise application whose registration the files do not hold.
        rec(
            "AZServicePrincipal",
            t(
                json!({"id": "sp-only", "appId": "APP-ONLY", "appOwnerOrganizationId": T, "accountEnabled": true}),
            ),
        ),
        // An application that defines an app role with the AWS application's text.
        rec(
            "AZServicePrincipal",
            t(
                json!({"id": "sp-fake", "appId": "app-fake", "appOwnerOrganizationId": T, "accountEnabled": true,
            "appRoles": [{"id": "r1", "value": "arn:aws:iam::111122223333:role/X,arn:aws:iam::111122223333:saml-provider/P"}]}),
            ),
        ),
        rec(
            "AZRoleAssignment",
            t(json!({"roleDefinitionId": app_admin, "roleAssignments": [
            {"principalId": "u1", "roleDefinitionId": app_admin, "directoryScopeId": "/app-only"}]})),
        ),
        rec(
            "AZRoleEligibilityScheduleInstance",
            t(
                json!({"principalId": "U2", "roleDefinitionId": app_admin, "directoryScopeId": "/APP-ONLY"}),
            ),
        ),
        rec(
            "AZRoleEligibilityScheduleInstance",
            t(
                json!({"principalId": "nobody", "roleDefinitionId": app_admin, "directoryScopeId": "/"}),
            ),
        ),
        rec(
            "AZAppRoleAssignment",
            t(
                json!({"principalId": "u1", "principalType": "User", "resourceId": "sp-fake", "appId": "app-fake", "appRoleId": "r1"}),
            ),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let doc = json!({"data": records, "meta": {"type": "azure", "version": 5}});
    write(dir.path(), "t.json", doc.to_string().as_bytes());
    let run = authpath_in(dir.path(), &["import", "entra", "t.json", "-o", "g.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("g.json")).unwrap()).unwrap();
    let has = |from: &str, to: &str, kind: &str| {
        g["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
    };
    // Scoped to an enterprise application the files hold only as a service principal.
    assert!(has("entra:user:u1", "entra:sp:sp-only", "admin_of"), "{g}");
    // An eligibility keeps its scope: latent control of that one application, not of all.
    let eligible = "entra:user:u2#eligible:entra:sp:sp-only";
    assert!(has("entra:user:u2", eligible, "member_of"));
    assert!(has(eligible, "entra:sp:sp-only", "admin_of"));
    assert!(!g.to_string().contains("entra:user:u2#eligible:entra:role"));
    assert!(
        run.stderr
            .contains("or eligibilities name a principal the files do not list"),
        "{}",
        run.stderr
    );
    // Control of the tenant reaches a role-assignable group.
    assert!(has(
        &format!("entra:tenant:{T}"),
        "entra:group:g-ra",
        "admin_of"
    ));
    // An app role of an application that is not AWS's is not a way into AWS.
    let fake = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "entra:sp:sp-fake#approle:r1")
        .unwrap();
    assert!(fake.get("entra_aws_saml").is_none(), "{fake}");
    // Records of a second tenant are refused.
    let mut two = doc.clone();
    two["data"].as_array_mut().unwrap().push(rec(
        "AZUser",
        json!({"id": "m", "tenantId": "22222222-0000-4000-8000-000000000000"}),
    ));
    write(dir.path(), "two.json", two.to_string().as_bytes());
    let run = authpath_in(
        dir.path(),
        &["import", "entra", "two.json", "-o", "two-g.json"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("[entra-tenants]"), "{}", run.stderr);
    assert!(!dir.path().join("two-g.json").exists());
}
