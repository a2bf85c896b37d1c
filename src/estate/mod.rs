//! The estate: every source a manifest names, imported by its own importer and joined into
//! one graph. Each source's node ids are prefixed with the source's name (`prod:aws:role:x`),
//! so two sources never collide, and every node keeps the source it came from (`source`) and
//! its native key (`native_key`: an ARN, `CLUSTER/NAMESPACE/KIND/NAME`, `github:ORG/REPO`…),
//! by which commands also find it. Aliases merge the placeholders importers make for
//! external principals into the hand-written node that is them.
//!
//! The join works on what the importers write (graph files in the format), never on their
//! inputs a second time: `manifest` reads `estate.toml`, `keys` names native keys, and this
//! module runs the importers, prefixes, merges and writes the joined graph.

mod cross_account;
mod eks;
mod github_oidc;
mod identity_center;
pub mod keys;
pub mod manifest;
mod subjects;

use crate::coverage::{ALIAS, Coverage, SAME_PRINCIPAL, SAML, SeamTally, SourceCoverage};
use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::timestamp::Timestamp;
use manifest::{Manifest, MappingRef, Source, SourceKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// The joined graph, or every problem of the manifest and its sources.
#[derive(Debug)]
pub struct Joined {
    /// The graph file's text, when nothing had an error.
    pub graph: Option<String>,
    /// The manifest's and every source's problems (warnings too), per file.
    pub problems: Vec<Diagnostics>,
    /// The sources read, the seams evaluated and what could not be decided.
    pub coverage: Coverage,
    /// Placeholders merged into the node of the source that owns their native key.
    pub joins: usize,
    /// The joined graph's nodes and edges.
    pub nodes: usize,
    pub edges: usize,
}

/// Whether `path` names an estate manifest rather than a graph file.
pub fn is_manifest(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

/// Reads the manifest at `path`, imports each source and joins them.
pub fn import(path: &Path) -> Joined {
    let name = path.display().to_string();
    let text = match crate::source::read_bytes(path) {
        Ok(b) => match String::from_utf8(b) {
            Ok(t) => t,
            Err(_) => {
                let mut d = Diagnostics::new(&name);
                d.push(
                    Diagnostic::error(codes::NOT_UTF8, None, "the manifest is not UTF-8 text")
                        .help("save the manifest as UTF-8"),
                );
                return failed(vec![d]);
            }
        },
        Err(d) => return failed(vec![d]),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    match manifest::parse(&name, &text, dir) {
        Ok((manifest, warnings)) => join(&name, &manifest, warnings),
        Err(d) => failed(vec![d]),
    }
}

fn failed(problems: Vec<Diagnostics>) -> Joined {
    Joined {
        graph: None,
        problems,
        coverage: Coverage::default(),
        joins: 0,
        nodes: 0,
        edges: 0,
    }
}

/// A node or an edge of a graph file, as JSON.
type Item = Map<String, Value>;

/// One source imported: its graph as JSON nodes and edges.
struct Imported {
    nodes: Vec<Item>,
    edges: Vec<Item>,
    as_of: Option<Timestamp>,
    extra: Extra,
}
fn join(name: &str, m: &Manifest, manifest_warnings: Diagnostics) -> Joined {
    let mut problems: Vec<Diagnostics> = Vec::new();
    if manifest_warnings.warning_count() > 0 {
        problems.push(manifest_warnings);
    }
    let mut imported: Vec<(&Source, Imported)> = Vec::new();
    let mut failed_any = false;
    // Each importer runs on one thread: the sources are imported side by side, and their
    // results taken in the manifest's order.
    use rayon::prelude::*;
    let results: Vec<(Option<Imported>, Vec<Diagnostics>)> =
        m.sources.par_iter().map(|s| import_source(s, m)).collect();
    for (s, (graph, mut p)) in m.sources.iter().zip(results) {
        failed_any |= p.iter().any(Diagnostics::has_errors) || graph.is_none();
        problems.append(&mut p);
        if let Some(g) = graph {
            imported.push((s, g));
        }
    }
    if failed_any {
        return failed(problems);
    }
    let mut joined = Diagnostics::new(name);
    let mut nodes: Vec<Item> = Vec::new();
    let mut edges: Vec<Item> = Vec::new();
    let mut sources = Vec::new();
    let mut tally = SeamTally::new();
    let mut clusters: Vec<eks::Cluster> = Vec::new();
    let mut centers: Vec<(&str, crate::import::identity_center::IdentityCenter)> = Vec::new();
    let mut assume: Vec<(
        &str,
        String,
        BTreeMap<String, crate::import::aws::policy::Permissions>,
    )> = Vec::new();
    let mut as_ofs: BTreeSet<Timestamp> = BTreeSet::new();
    for (s, mut g) in imported {
        if g.nodes.is_empty() {
            joined.push(
                Diagnostic::warning(
                    codes::ESTATE_EMPTY_SOURCE,
                    Some(crate::model::Span {
                        line: s.line,
                        column: 1,
                    }),
                    format!("source {} yields no nodes", quote(&s.name)),
                )
                .help("check its path: an empty directory, or files of another kind"),
            );
            tally.gap(
                &s.name,
                format!("source {}", s.name),
                "it yields no nodes: nothing of it was evaluated",
            );
        }
        if let Some(t) = g.as_of {
            as_ofs.insert(t);
        }
        for (what, why) in &g.extra.gaps {
            tally.gap(&s.name, what.clone(), why);
        }
        if let Some(ic) = g.extra.identity_center.take() {
            centers.push((s.name.as_str(), ic));
        }
        if let Some(issuer) = &g.extra.eks {
            clusters.push(eks::Cluster {
                source: s.name.clone(),
                name: s.cluster.clone().unwrap_or_else(|| s.name.clone()),
                issuer: issuer.clone(),
            });
        }
        sources.push(SourceCoverage {
            name: s.name.clone(),
            kind: s.kind.as_str().to_string(),
            files: g.extra.files,
            nodes: g.nodes.len(),
            edges: g.edges.len(),
        });
        let (n, e) = prefix(s, g.nodes, g.edges);
        if s.kind == SourceKind::AwsIam
            && let Some(account) = n.iter().find_map(|n| {
                (n.get("kind") == Some(&json!("tenant")))
                    .then(|| n.get("native_key").and_then(Value::as_str))
                    .flatten()
                    .and_then(|k| k.strip_prefix("aws:account:"))
                    .map(str::to_string)
            })
        {
            assume.push((s.name.as_str(), account, g.extra.assume_role));
        }
        nodes.extend(n);
        edges.extend(e);
    }
    let accounts: Vec<cross_account::Account<'_>> = assume
        .iter()
        .map(|(source, account, perms)| cross_account::Account {
            source,
            account: account.clone(),
            assume_role: perms
                .iter()
                .map(|(id, p)| (format!("{source}:{id}"), p))
                .collect(),
        })
        .collect();
    cross_account::join(&nodes, &mut edges, &accounts, &mut tally);
    let as_of = m.as_of.or_else(|| {
        if as_ofs.len() > 1 {
            joined.push(
                Diagnostic::warning(
                    codes::ESTATE_AS_OF,
                    None,
                    format!(
                        "the sources are of {} different instants and the manifest sets no `as_of`: judging at the latest, {}",
                        as_ofs.len(),
                        as_ofs.last().expect("more than one")
                    ),
                )
                .help("set `as_of` in the manifest: the instant the whole estate is judged at"),
            );
        }
        as_ofs.last().copied()
    });
    let source_kinds: HashMap<&str, &'static str> = m
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.kind.as_str()))
        .collect();
    let joins = same_principals(&mut nodes, &mut edges, &source_kinds);
    let has = |k: SourceKind| m.sources.iter().any(|s| s.kind == k);
    let aws_sources: BTreeSet<&str> = m
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::AwsIam)
        .map(|s| s.name.as_str())
        .collect();
    let estate_accounts: BTreeSet<String> = accounts.iter().map(|a| a.account.clone()).collect();
    eks::join(
        &nodes,
        &mut edges,
        &clusters,
        &aws_sources,
        &estate_accounts,
        &mut tally,
    );
    if m.sources.len() > 1 {
        tally.evaluated(SAME_PRINCIPAL);
        tally.made(SAME_PRINCIPAL, joins);
    } else {
        tally.not_evaluated(SAME_PRINCIPAL, "one source: nothing to join");
    }
    let github: BTreeSet<&str> = m
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Opengraph)
        .map(|s| s.name.as_str())
        .collect();
    github_oidc::join(
        &mut nodes,
        &mut edges,
        &github,
        has(SourceKind::AwsIam) || has(SourceKind::Entra),
        &mut tally,
    );
    if m.aliases.is_empty() {
        tally.not_evaluated(ALIAS, "the manifest declares no alias");
    } else {
        tally.evaluated(ALIAS);
    }
    let aliased = alias(m, &mut nodes, &mut edges, &mut joined);
    tally.made(ALIAS, aliased);
    let issuers: BTreeSet<String> = clusters
        .iter()
        .filter_map(|c| c.issuer.as_ref().map(|i| i.to_ascii_lowercase()))
        .collect();
    saml(&mut nodes, &mut edges, has(SourceKind::AwsIam), &mut tally);
    identity_center::join(
        &mut nodes,
        &mut edges,
        &centers,
        &estate_accounts,
        &mut tally,
    );
    gaps(&nodes, &source_kinds, &issuers, &mut tally);
    nodes.sort_by(|a, b| id_of(a).cmp(id_of(b)));
    if joined.has_errors() || joined.warning_count() > 0 {
        problems.push(joined);
    }
    let failed = problems.iter().any(Diagnostics::has_errors);
    Joined {
        graph: (!failed).then(|| crate::import::write_graph(as_of, &nodes, &edges)),
        problems,
        coverage: tally.finish(sources),
        joins,
        nodes: nodes.len(),
        edges: edges.len(),
    }
}

fn id_of(n: &Item) -> &str {
    n.get("id").and_then(Value::as_str).unwrap_or_default()
}

/// A node's or edge's string field.
fn prop<'a>(n: &'a Item, key: &str) -> Option<&'a str> {
    n.get(key).and_then(Value::as_str)
}

/// Removes the edges at the indices `drop` holds (links a seam replaced or found dead).
fn drop_edges(edges: &mut Vec<Item>, drop: &BTreeSet<usize>) {
    if drop.is_empty() {
        return;
    }
    let mut i = 0;
    edges.retain(|_| {
        i += 1;
        !drop.contains(&(i - 1))
    });
}

/// Runs the source's importer: its graph, and its problems.
fn import_source(s: &Source, m: &Manifest) -> (Option<Imported>, Vec<Diagnostics>) {
    let mut problems = Vec::new();
    let mut extra = Extra {
        files: 1,
        ..Extra::default()
    };
    // A graph file's (or an OpenGraph import's) text, or an importer's nodes and edges.
    let text: Vec<u8> = match s.kind {
        SourceKind::Graph => {
            // Read once: checked by the loader, then kept as JSON for the join.
            let path = &s.paths[0];
            let bytes = match crate::source::read_bytes(path) {
                Ok(b) => b,
                Err(d) => {
                    problems.push(d);
                    return (None, problems);
                }
            };
            let loaded = crate::load::load_bytes(&path.display().to_string(), &bytes);
            if loaded.diagnostics.has_errors() || loaded.diagnostics.warning_count() > 0 {
                problems.push(loaded.diagnostics);
            }
            if loaded.graph.is_none() {
                return (None, problems);
            }
            drop(loaded.graph);
            bytes
        }
        SourceKind::K8s => {
            // Counted by the importers: a directory counts its manifests, not itself.
            extra.files = 0;
            let mut options = crate::import::k8s::Options::default();
            if let Some(sensitivity) = s.secret_sensitivity {
                options.secret_sensitivity = sensitivity;
            }
            if let Some((source, cluster)) = &s.eks
                && let Some(dir) = m
                    .sources
                    .iter()
                    .find(|a| a.name == *source)
                    .and_then(|a| a.eks_clusters.iter().find(|(c, _)| c == cluster))
                    .map(|(_, d)| d)
            {
                let (eks, p) = crate::import::eks::read(dir, Some(cluster));
                let failed = p.iter().any(Diagnostics::has_errors);
                problems.extend(p);
                if failed {
                    return (None, problems);
                }
                extra.files += eks.files;
                extra.eks = Some(eks.cluster.as_ref().and_then(|c| c.issuer.clone()));
                options.eks = Some(eks);
            }
            let import = crate::import::k8s::import(&s.paths, &options);
            problems.extend(import.problems);
            extra.files += import.files;
            let cluster = s.cluster.clone().unwrap_or_else(|| s.name.clone());
            extra.gaps = import
                .gaps
                .into_iter()
                .map(|(what, why)| (format!("{what} of cluster {cluster}"), why))
                .collect();
            return finish_import(s, import.graph, extra, problems);
        }
        SourceKind::AwsIam => {
            let org = match &s.organization {
                Some(path) => {
                    let (org, p) = crate::import::aws::organization::read(path);
                    problems.extend(p);
                    extra.files += org.as_ref().map_or(0, |o| o.files);
                    if org.is_none() {
                        return (None, problems);
                    }
                    org
                }
                None => None,
            };
            // Time conditions are judged at the estate's instant when the manifest sets one.
            let settings = crate::import::aws::Settings {
                as_of: m.as_of,
                organization: org.as_ref(),
            };
            let import = crate::import::aws::import_with(
                &s.paths[0],
                s.credential_report.as_deref(),
                settings,
            );
            extra.assume_role = import.assume_role;
            // Keys of an OIDC provider (`token.actions.githubusercontent.com:sub`) are the
            // web-identity seams' to decide; they report their own.
            extra.gaps.extend(
                import
                    .undecided
                    .iter()
                    .filter(|(key, _)| {
                        !key.split(':').next().is_some_and(|host| host.contains('.'))
                    })
                    .map(|(key, n)| {
                        (
                            format!("condition key {key} on {n} edge(s)"),
                            crate::coverage::CONDITION_KEYS_WHY.to_string(),
                        )
                    }),
            );
            problems.extend(import.problems);
            extra.files += usize::from(s.credential_report.is_some());
            if let Some(dir) = &s.identity_center {
                let (ic, p) = crate::import::identity_center::read(dir);
                let failed = p.iter().any(Diagnostics::has_errors);
                problems.extend(p);
                if failed {
                    return (None, problems);
                }
                extra.files += ic.files;
                extra.identity_center = Some(ic);
            }
            return finish_import(s, import.graph, extra, problems);
        }
        SourceKind::Entra => {
            let import = crate::import::entra::import(&s.paths);
            problems.extend(import.problems);
            extra.files = import.files;
            if let (Some(want), Some(got)) = (&s.tenant, &import.tenant)
                && want != got
                && import.graph.is_some()
            {
                let msg = format!(
                    "the records are of tenant {got}, not {want} as source {} says",
                    quote(&s.name)
                );
                problems.push(not_what_it_says(
                    s,
                    msg,
                    "point the source at its tenant's AzureHound files, or correct `tenant`",
                ));
                return (None, problems);
            }
            // A classic credential whose subject holds `*` lets nobody in: a
            // misconfiguration the coverage lists.
            extra.gaps.extend(import.misconfigured.iter().map(|(app, name, subject)| {
                (
                    format!("federated credential {name} of {app}: subject {subject}"),
                    "a classic credential compares its subject exactly: the `*` matches no token, no link drawn".to_string(),
                )
            }));
            return finish_import(s, import.graph, extra, problems);
        }
        SourceKind::Opengraph => match opengraph(s, &mut problems) {
            Some(t) => t.into_bytes(),
            None => return (None, problems),
        },
    };
    let items = match parse_items(&text) {
        Ok(items) => items,
        Err(e) => {
            let mut d = Diagnostics::new(s.paths[0].display().to_string());
            d.push(
                Diagnostic::error(codes::JSON_SYNTAX, None, format!("invalid JSON: {e}"))
                    .help("the source must be a graph file"),
            );
            problems.push(d);
            return (None, problems);
        }
    };
    drop(text);
    let (as_of, items) = items;
    finish(s, items, as_of, extra, problems)
}

/// A graph file's `as_of`, nodes and edges as JSON objects. The file was checked already;
/// its elements are parsed on every thread, since a graph source may be a million nodes.
fn parse_items(text: &[u8]) -> Result<(Option<Timestamp>, crate::import::Items), String> {
    use rayon::prelude::*;
    let text = std::str::from_utf8(text).map_err(|e| e.to_string())?;
    let entries = crate::load::json::object_entries(text).map_err(|e| match e {
        crate::load::json::NotObject::Json(e) => e.to_string(),
        crate::load::json::NotObject::Type(t) => format!("the file is {t}, not an object"),
    })?;
    let mut as_of = None;
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for e in entries {
        match e.key.as_ref() {
            "as_of" => {
                as_of = serde_json::from_str::<String>(e.value.get())
                    .ok()
                    .and_then(|t| Timestamp::parse(&t).ok());
            }
            key @ ("nodes" | "edges") => {
                let elements =
                    crate::load::json::array_elements(e.value.get()).map_err(|e| e.to_string())?;
                let items: Vec<Item> = elements
                    .par_iter()
                    .map(|r| serde_json::from_str::<Item>(r.get()).map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?;
                if key == "nodes" {
                    nodes = items;
                } else {
                    edges = items;
                }
            }
            _ => {}
        }
    }
    Ok((as_of, (nodes, edges)))
}

/// An importer's graph (none when its input had an error) handed to the join.
fn finish_import(
    s: &Source,
    graph: Option<crate::import::GraphBuilder>,
    extra: Extra,
    problems: Vec<Diagnostics>,
) -> (Option<Imported>, Vec<Diagnostics>) {
    match graph {
        Some(g) => finish(s, g.items(), None, extra, problems),
        None => (None, problems),
    }
}

/// A source whose files are not of what the manifest says (another account, another
/// tenant): the error, at the source's first path.
fn not_what_it_says(s: &Source, message: String, help: &str) -> Diagnostics {
    let mut d = Diagnostics::new(s.paths[0].display().to_string());
    d.push(Diagnostic::error(codes::ESTATE_SOURCE, None, message).help(help));
    d
}

/// What an importer hands the join besides its graph.
#[derive(Default)]
struct Extra {
    /// The files its importer read, as it counts them (a directory counts its manifests).
    files: usize,
    /// An `aws-iam` source's principals' `sts:AssumeRole` permissions, by unprefixed id.
    assume_role: BTreeMap<String, crate::import::aws::policy::Permissions>,
    /// What the source's inputs cannot tell (what, why).
    gaps: Vec<(String, String)>,
    /// A `k8s` source's EKS cluster: its OIDC issuer, when its answers give it.
    eks: Option<Option<String>>,
    /// An `aws-iam` source's Identity Center answers.
    identity_center: Option<crate::import::identity_center::IdentityCenter>,
}

/// A source's nodes and edges checked against the manifest and given their native keys.
fn finish(
    s: &Source,
    (mut nodes, edges): crate::import::Items,
    as_of: Option<Timestamp>,
    extra: Extra,
    mut problems: Vec<Diagnostics>,
) -> (Option<Imported>, Vec<Diagnostics>) {
    // The export's account must be the one the manifest says.
    if let Some(account) = &s.account {
        let id = format!("aws:account:{account}");
        if !nodes
            .iter()
            .any(|n| id_of(n) == id && n.get("kind") == Some(&json!("tenant")))
        {
            let msg = format!(
                "source {} says account {account}, but the export's principals are of another account",
                quote(&s.name)
            );
            problems.push(not_what_it_says(
                s,
                msg,
                "fix `account` in the manifest, or point `path` at that account's export",
            ));
            return (None, problems);
        }
    }
    keys::annotate(s, &mut nodes);
    (
        Some(Imported {
            nodes,
            edges,
            as_of,
            extra,
        }),
        problems,
    )
}

/// An `opengraph` source: its document through its mapping (built in or a file).
fn opengraph(s: &Source, problems: &mut Vec<Diagnostics>) -> Option<String> {
    use crate::import::opengraph::{Mapping, import_text, read_mapping};
    let mapping = match &s.mapping {
        None => Mapping {
            name_property: "name".into(),
            ..Mapping::default()
        },
        Some(r) => {
            let (name, text) = match r {
                MappingRef::Builtin(n) => (
                    format!("built-in mapping {n}"),
                    manifest::BUILTIN_MAPPINGS
                        .iter()
                        .find(|(b, _)| b == n)
                        .map(|(_, t)| t.to_string())
                        .unwrap_or_default(),
                ),
                MappingRef::File(p) => match crate::source::read_bytes(p) {
                    Ok(b) => (
                        p.display().to_string(),
                        String::from_utf8_lossy(&b).into_owned(),
                    ),
                    Err(d) => {
                        problems.push(d);
                        return None;
                    }
                },
            };
            let mut d = Diagnostics::new(&name);
            let m = read_mapping(&text, &mut d);
            if d.has_errors() || d.warning_count() > 0 {
                problems.push(d);
            }
            m?
        }
    };
    let path = &s.paths[0];
    let text = match crate::source::read_bytes(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
    let import = import_text(&path.display().to_string(), &text, &mapping, None);
    problems.extend(import.problems);
    import.graph
}

/// Prefixes every id of a source with its name: node ids, `org`, an `owner` that names a
/// node of the source, and edge ends; each node also says which source it came from.
fn prefix(s: &Source, mut nodes: Vec<Item>, mut edges: Vec<Item>) -> (Vec<Item>, Vec<Item>) {
    let ids: BTreeSet<String> = nodes.iter().map(|n| id_of(n).to_string()).collect();
    let p = |id: &str| format!("{}:{id}", s.name);
    for n in &mut nodes {
        for key in ["id", "org"] {
            if let Some(Value::String(v)) = n.get_mut(key) {
                *v = p(v);
            }
        }
        if let Some(Value::String(o)) = n.get_mut("owner")
            && ids.contains(o.as_str())
        {
            *o = p(o);
        }
        n.insert("source".into(), json!(s.name));
    }
    for e in &mut edges {
        for key in ["from", "to"] {
            if let Some(Value::String(v)) = e.get_mut(key) {
                *v = p(v);
            }
        }
    }
    (nodes, edges)
}

/// The key two sources' names for one principal share: an IAM ARN compares without case
/// and, for a role, without its path (the EKS authenticator's rule: aws-auth names roles by
/// their path-less ARN); other keys as written.
fn identity(key: &str) -> String {
    let Some(rest) = key.strip_prefix("arn:") else {
        return key.to_string();
    };
    let lower = rest.to_ascii_lowercase();
    match lower.split_once(":role/") {
        Some((head, role)) => {
            let name = role.rsplit('/').next().unwrap_or(role);
            format!("arn:{head}:role/{name}")
        }
        None => format!("arn:{lower}"),
    }
}

/// Which source kind owns a native key: the node from that kind is the principal, the
/// others are placeholders another importer made for it.
fn owner_kind(key: &str) -> Option<&'static str> {
    if key.starts_with("arn:") || key.starts_with("aws:account:") {
        Some("aws-iam")
    } else if key.starts_with("github:") {
        Some("opengraph")
    } else {
        None
    }
}

/// Joins the names sources give one principal: a placeholder (the aws-auth mapping's role,
/// an account a trust names) merges into the node of the source that owns its native key
/// (the account's export), when exactly one such node exists. Returns how many merged.
fn same_principals(
    nodes: &mut Vec<Item>,
    edges: &mut [Item],
    source_kinds: &HashMap<&str, &'static str>,
) -> usize {
    let mut groups: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for n in nodes.iter() {
        let (Some(key), Some(source)) = (
            n.get("native_key").and_then(Value::as_str),
            n.get("source").and_then(Value::as_str),
        ) else {
            continue;
        };
        // Only keys another source can own are joined (a graph source's ids are its own).
        if owner_kind(key).is_none() {
            continue;
        }
        groups.entry(identity(key)).or_default().push((
            id_of(n).to_string(),
            source.to_string(),
            key.to_string(),
        ));
    }
    let placeholders: BTreeSet<&str> = nodes
        .iter()
        .filter(|n| n.get("kind").and_then(Value::as_str) == Some("partner"))
        .map(id_of)
        .collect();
    let mut into = BTreeMap::new();
    for members in groups.values().filter(|m| m.len() > 1) {
        let Some(owner) = owner_kind(&members[0].2) else {
            continue;
        };
        // Another account's export names this account only by a placeholder (a partner
        // node): the owner is the node that is the principal itself.
        let owners: Vec<&(String, String, String)> = members
            .iter()
            .filter(|(id, source, _)| {
                source_kinds.get(source.as_str()) == Some(&owner)
                    && !placeholders.contains(id.as_str())
            })
            .collect();
        let [principal] = owners.as_slice() else {
            continue;
        };
        for (id, _, _) in members.iter().filter(|(id, _, _)| *id != principal.0) {
            into.insert(id.clone(), principal.0.clone());
        }
    }
    let n = into.len();
    merge(nodes, edges, &into);
    n
}

/// Merges the placeholders whose native key an alias names into the alias's node: their
/// edges start or end there, nodes of theirs belong to it, and they are dropped.
fn alias(m: &Manifest, nodes: &mut Vec<Item>, edges: &mut [Item], d: &mut Diagnostics) -> usize {
    if m.aliases.is_empty() {
        return 0;
    }
    // Only the keys and nodes the aliases name are looked up.
    let wanted: BTreeSet<&str> = m
        .aliases
        .iter()
        .flat_map(|a| a.is.iter().chain(std::iter::once(&a.node)))
        .map(String::as_str)
        .collect();
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    let mut kind_of: HashMap<String, String> = HashMap::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for n in nodes.iter() {
        let id = id_of(n);
        let key = n.get("native_key").and_then(Value::as_str);
        let named = wanted.contains(id) || key.is_some_and(|k| wanted.contains(k));
        if !named {
            continue;
        }
        ids.insert(id.to_string());
        let k = n.get("kind").and_then(Value::as_str).unwrap_or_default();
        kind_of.insert(id.to_string(), k.to_string());
        if let Some(k) = key {
            by_key
                .entry(k.to_string())
                .or_default()
                .push(id.to_string());
        }
    }
    let mut into: BTreeMap<String, String> = BTreeMap::new();
    let mut members: BTreeMap<String, String> = BTreeMap::new();
    let span = |line: u32| Some(crate::model::Span { line, column: 1 });
    for a in &m.aliases {
        let target = if ids.contains(&a.node) {
            Some(a.node.clone())
        } else {
            match by_key.get(&a.node).map(Vec::as_slice) {
                Some([one]) => Some(one.clone()),
                Some(many) => {
                    d.push(
                        Diagnostic::error(
                            codes::ESTATE_ALIAS,
                            span(a.line),
                            format!(
                                "alias node {} is the native key of {} nodes: {}",
                                quote(&a.node),
                                many.len(),
                                many.join(", ")
                            ),
                        )
                        .help("name the node by its id, SOURCE:ID"),
                    );
                    None
                }
                None => {
                    d.push(
                        Diagnostic::error(
                            codes::ESTATE_ALIAS,
                            span(a.line),
                            format!("alias node {} is no node of the estate", quote(&a.node)),
                        )
                        .help("name a node of a graph source as SOURCE:ID (its id prefixed with the source's name)"),
                    );
                    None
                }
            }
        };
        let Some(target) = target else { continue };
        let target_is_org = kind_of.get(&target).is_some_and(|k| is_org_kind(k));
        for key in &a.is {
            match by_key.get(key) {
                Some(found) => {
                    for f in found.iter().filter(|f| **f != target) {
                        // An identity (a GitHub user) stays itself, belonging to the
                        // organisation; a placeholder for the organisation merges into it.
                        if target_is_org && !kind_of.get(f).is_some_and(|k| is_org_kind(k)) {
                            members.insert(f.clone(), target.clone());
                        } else {
                            into.insert(f.clone(), target.clone());
                        }
                    }
                }
                None => d.push(
                    Diagnostic::warning(
                        codes::ESTATE_ALIAS_UNUSED,
                        span(a.line),
                        format!("no source mentions {}: the alias of {} merges nothing for it", quote(key), quote(&target)),
                    )
                    .help("check the key's form (aws:account:ID, github:ORG, github:user:LOGIN) or the sources"),
                ),
            }
        }
    }
    let n = into.len() + members.len();
    merge(nodes, edges, &into);
    for node in nodes.iter_mut() {
        if let Some(org) = members.get(id_of(node)) {
            node.insert("org".into(), json!(org));
        }
    }
    n
}

fn is_org_kind(kind: &str) -> bool {
    matches!(kind, "tenant" | "partner")
}

/// What the join could not decide beyond the seams it evaluates: accounts no source
/// exports, and trusts to identity providers whose admissions no source shows.
fn gaps(
    nodes: &[Item],
    source_kinds: &HashMap<&str, &'static str>,
    issuers: &BTreeSet<String>,
    tally: &mut SeamTally,
) {
    for n in nodes {
        let (Some(key), Some(source)) = (prop(n, "native_key"), prop(n, "source")) else {
            continue;
        };
        if let Some(account) = key.strip_prefix("aws:account:")
            && prop(n, "kind") == Some("partner")
            && account != "*"
        {
            tally.gap(
                source,
                format!("AWS account {account}"),
                "no source of the estate exports this account: its principals are unknown, and it stays an external node",
            );
        }
        if let Some(provider) = prop(n, "aws_provider")
            && source_kinds.get(source) == Some(&"aws-iam")
            && !github_oidc::is_github_provider(provider)
            && !provider
                .rsplit_once(":oidc-provider/")
                .is_some_and(|(_, h)| issuers.contains(&h.to_ascii_lowercase()))
        {
            if provider.contains(":saml-provider/") {
                tally.undecided(
                    SAML,
                    source,
                    format!("trusts to the SAML provider {provider}"),
                    "whom the identity provider puts in its assertions is not in the estate: the provider stays a node meaning whoever it admits",
                );
            } else {
                tally.gap(
                    source,
                    format!("trusts to the web identity provider {provider}"),
                    "who this provider admits is not evaluated: it stays a node meaning whoever it admits",
                );
            }
        }
    }
}

/// The SAML seam: every role a SAML provider may federate into is reached from the
/// provider's node, which stands for whoever the identity provider admits (the AWS import
/// draws those edges); an IAM Identity Center role (`AWSReservedSSO_SET_HASH`) is given the
/// name of its permission set, the key to the Identity Center assignments that say who
/// holds it.
fn saml(nodes: &mut [Item], edges: &mut Vec<Item>, has_aws: bool, tally: &mut SeamTally) {
    if !has_aws {
        tally.not_evaluated(
            SAML,
            "no aws-iam source: no trust policy names a SAML provider",
        );
        return;
    }
    tally.evaluated(SAML);
    let providers: BTreeSet<&str> = nodes
        .iter()
        .filter(|n| {
            n.get("aws_provider")
                .and_then(Value::as_str)
                .is_some_and(|p| p.contains(":saml-provider/"))
        })
        .map(id_of)
        .collect();
    let roles: BTreeSet<String> = edges
        .iter()
        .filter(|e| {
            e.get("kind").and_then(Value::as_str) == Some("assumes")
                && e.get("from")
                    .and_then(Value::as_str)
                    .is_some_and(|f| providers.contains(f))
        })
        .filter_map(|e| e.get("to").and_then(Value::as_str).map(str::to_string))
        .collect();
    let entra = entra_app_roles(nodes, edges, &providers);
    tally.made(SAML, roles.len() + entra.len());
    for n in nodes.iter_mut().filter(|n| roles.contains(id_of(n))) {
        let name = n
            .get("aws_arn")
            .and_then(Value::as_str)
            .and_then(|a| a.rsplit('/').next())
            .unwrap_or_default();
        if let Some(set) = permission_set(name) {
            n.insert("identity_center_permission_set".into(), json!(set));
        }
    }
}

/// The Entra side of SAML into AWS: an app role whose value is `ROLE_ARN,PROVIDER_ARN` (the
/// AWS application's, in either order) puts that role in the assertion of whoever holds
/// it; where the role's trust admits that provider, the app role assumes the role. Returns
/// the links added.
fn entra_app_roles(
    nodes: &[Item],
    edges: &mut Vec<Item>,
    providers: &BTreeSet<&str>,
) -> Vec<(String, String)> {
    let by_arn: BTreeMap<&str, &str> = nodes
        .iter()
        .filter_map(|n| Some((prop(n, "aws_arn")?, id_of(n))))
        .collect();
    let provider_arns: BTreeMap<&str, &str> = nodes
        .iter()
        .filter(|n| providers.contains(id_of(n)))
        .filter_map(|n| Some((id_of(n), prop(n, "aws_provider")?)))
        .collect();
    // (role id, provider ARN) of every trust a SAML provider has.
    let trusts: BTreeSet<(String, &str)> = edges
        .iter()
        .filter(|e| prop(e, "kind") == Some("assumes"))
        .filter_map(|e| {
            let provider = provider_arns.get(prop(e, "from")?)?;
            Some((prop(e, "to")?.to_string(), *provider))
        })
        .collect();
    let mut added = Vec::new();
    for n in nodes {
        // Only the AWS application signs the assertions AWS trusts: another application's
        // app role with the same text puts nobody in a role.
        let Some(value) = prop(n, "entra_app_role_value")
            .filter(|_| n.get("entra_aws_saml") == Some(&json!(true)))
        else {
            continue;
        };
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        let [a, b] = parts.as_slice() else { continue };
        let (role_arn, provider_arn) = if a.contains(":saml-provider/") {
            (*b, *a)
        } else {
            (*a, *b)
        };
        let Some(role) = by_arn.get(role_arn) else {
            continue;
        };
        if !trusts.contains(&(role.to_string(), provider_arn)) {
            continue;
        }
        let app_role = id_of(n);
        added.push((app_role.to_string(), role.to_string()));
        let why = format!(
            "whoever holds the Entra app role {value} gets {role_arn} in its SAML assertion, and the role trusts {provider_arn}"
        );
        let e = json!({"from": app_role, "to": role, "kind": "assumes", "seam": SAML, "derived_from": [why]});
        edges.push(e.as_object().cloned().unwrap_or_default());
    }
    added
}

/// The permission set an IAM Identity Center role stands for:
/// `AWSReservedSSO_<set>_<16 hex digits>`, the set's name taken up to the last `_` (names
/// may contain `_`).
pub(super) fn permission_set(role: &str) -> Option<&str> {
    let rest = role.strip_prefix("AWSReservedSSO_")?;
    let (set, hash) = rest.rsplit_once('_')?;
    (hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && !set.is_empty())
    .then_some(set)
}

/// Merges each node `into` names into its target: its edges start or end there, the nodes
/// it was the organisation (or owner) of belong to the target, and it is dropped; the
/// target lists the ids it absorbed in `aliases`.
fn merge(nodes: &mut Vec<Item>, edges: &mut [Item], into: &BTreeMap<String, String>) {
    if into.is_empty() {
        return;
    }
    let targets: BTreeSet<&str> = into.values().map(String::as_str).collect();
    let kinds: HashMap<String, String> = nodes
        .iter()
        .filter(|n| targets.contains(id_of(n)))
        .map(|n| {
            (
                id_of(n).to_string(),
                n.get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let is_org = |id: &str| {
        matches!(
            kinds.get(id).map(String::as_str),
            Some("tenant" | "partner")
        )
    };
    nodes.retain(|n| !into.contains_key(id_of(n)));
    for n in nodes.iter_mut() {
        let own = id_of(n).to_string();
        if let Some(Value::String(o)) = n.get_mut("org")
            && let Some(t) = into.get(o.as_str())
        {
            // What belonged to the placeholder belongs to the alias's organisation.
            if is_org(t) && *t != own {
                *o = t.clone();
            } else {
                n.remove("org");
            }
        }
        if let Some(Value::String(o)) = n.get_mut("owner")
            && let Some(t) = into.get(o.as_str())
        {
            *o = t.clone();
        }
    }
    for e in edges.iter_mut() {
        for key in ["from", "to"] {
            if let Some(Value::String(v)) = e.get_mut(key)
                && let Some(t) = into.get(v.as_str())
            {
                *v = t.clone();
            }
        }
    }
    let mut absorbed: HashMap<&str, Vec<String>> = HashMap::new();
    for (from, to) in into {
        absorbed.entry(to.as_str()).or_default().push(from.clone());
    }
    for n in nodes.iter_mut() {
        let Some(mut mine) = absorbed.get(id_of(n)).cloned() else {
            continue;
        };
        if let Some(Value::Array(before)) = n.get("aliases") {
            mine.extend(before.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
        mine.sort();
        mine.dedup();
        n.insert("aliases".into(), json!(mine));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iam_arn_names_one_principal_without_case_and_a_role_without_its_path() {
        assert_eq!(
            identity(
                "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
            ),
            identity("arn:aws:iam::111122223333:role/awsreservedsso_admin_0123456789abcdef")
        );
        assert_eq!(
            identity("arn:aws:iam::1:user/ops/Bob"),
            "arn:aws:iam::1:user/ops/bob"
        );
        assert_ne!(
            identity("arn:aws:iam::1:role/a"),
            identity("arn:aws:iam::2:role/a")
        );
        assert_eq!(identity("github:SpecterTst"), "github:SpecterTst");
    }

    #[test]
    fn an_identity_center_role_names_its_permission_set() {
        assert_eq!(
            permission_set("AWSReservedSSO_Admin_Access_0123456789abcdef"),
            Some("Admin_Access")
        );
        assert_eq!(permission_set("AWSReservedSSO_Admin_0123"), None);
        assert_eq!(permission_set("deploy"), None);
    }

    #[test]
    fn a_placeholder_joins_the_one_node_of_the_source_that_owns_its_key() {
        let node = |id: &str, source: &str, key: &str| -> Item {
            json!({"id": id, "kind": "service", "source": source, "native_key": key})
                .as_object()
                .unwrap()
                .clone()
        };
        let mut nodes = vec![
            node(
                "prod:aws:role:deploy",
                "prod",
                "arn:aws:iam::1:role/ci/deploy",
            ),
            node(
                "c:arn:aws:iam::1:role/deploy",
                "c",
                "arn:aws:iam::1:role/deploy",
            ),
            node("c:k8s:group:system:masters", "c", "c/Group/system:masters"),
        ];
        let mut edges = vec![json!({"from": "c:arn:aws:iam::1:role/deploy", "to": "c:k8s:group:system:masters", "kind": "member_of"})
            .as_object()
            .unwrap()
            .clone()];
        let kinds: HashMap<&str, &'static str> = [("prod", "aws-iam"), ("c", "k8s")].into();
        assert_eq!(same_principals(&mut nodes, &mut edges, &kinds), 1);
        assert_eq!(nodes.len(), 2);
        assert_eq!(edges[0]["from"], "prod:aws:role:deploy");
        // Without the owning source, nothing is joined.
        let kinds: HashMap<&str, &'static str> = [("prod", "k8s"), ("c", "k8s")].into();
        let mut nodes = vec![
            node("prod:x", "prod", "arn:aws:iam::1:role/deploy"),
            node("c:y", "c", "arn:aws:iam::1:role/deploy"),
        ];
        assert_eq!(same_principals(&mut nodes, &mut edges, &kinds), 0);
    }
}
