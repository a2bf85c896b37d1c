//! The estate manifest `estate.toml`: which sources describe the estate, read with every
//! problem at its line and column before anything is imported. Unknown keys are errors with
//! the nearest known key.
//!
//! ```toml
//! version = 1
//! as_of = "2026-11-01T00:00:00Z"
//!
//! [[source]]
//! name = "partners"
//! kind = "graph"
//! path = "partners.json"
//!
//! [[source]]
//! name = "prod"
//! kind = "aws-iam"
//! path = "prod/authz-details.json"
//! credential_report = "prod/credential-report.csv"
//!
//! [[source]]
//! name = "payments"
//! kind = "k8s"
//! path = ["payments/rbac/", "payments/aws-auth.yaml"]
//! cluster = "payments"
//!
//! [[source]]
//! name = "github"
//! kind = "opengraph"
//! path = "github/githound.json"
//! mapping = "githound"
//!
//! [[alias]]
//! node = "partners:partner:fabrikam"
//! is = ["aws:account:999999999999", "github:user:fab-contractor"]
//! ```

use crate::diagnostics::{Diagnostic, Diagnostics, codes, did_you_mean, quote};
use crate::source::Locator;
use crate::source::toml_type as type_name;
use crate::timestamp::Timestamp;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// What a source reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourceKind {
    Graph,
    AwsIam,
    K8s,
    Opengraph,
    Entra,
}

impl SourceKind {
    pub const NAMES: &[&str] = &["graph", "aws-iam", "k8s", "opengraph", "entra"];
    /// Kinds the manifest format names that this version cannot read yet.
    const LATER: &[&str] = &["terraform"];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Graph => "graph",
            SourceKind::AwsIam => "aws-iam",
            SourceKind::K8s => "k8s",
            SourceKind::Opengraph => "opengraph",
            SourceKind::Entra => "entra",
        }
    }

    fn parse(s: &str) -> Option<SourceKind> {
        Some(match s {
            "graph" => SourceKind::Graph,
            "aws-iam" => SourceKind::AwsIam,
            "k8s" => SourceKind::K8s,
            "opengraph" => SourceKind::Opengraph,
            "entra" => SourceKind::Entra,
            _ => return None,
        })
    }

    /// The keys a source of this kind may have.
    fn keys(self) -> &'static [&'static str] {
        match self {
            SourceKind::Graph => &["name", "kind", "path"],
            SourceKind::AwsIam => &[
                "name",
                "kind",
                "path",
                "credential_report",
                "account",
                "eks",
                "identity_center",
                "organization",
            ],
            SourceKind::K8s => &[
                "name",
                "kind",
                "path",
                "cluster",
                "eks",
                "secret_sensitivity",
            ],
            SourceKind::Opengraph => &["name", "kind", "path", "mapping"],
            SourceKind::Entra => &["name", "kind", "path", "tenant"],
        }
    }
}

/// The mapping of an `opengraph` source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MappingRef {
    /// A mapping built into authpath (`githound`).
    Builtin(&'static str),
    File(PathBuf),
}

/// One source of the estate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Unique in the manifest; the prefix of its nodes' ids.
    pub name: String,
    pub kind: SourceKind,
    /// Resolved against the manifest's directory.
    pub paths: Vec<PathBuf>,
    pub credential_report: Option<PathBuf>,
    /// The AWS account id the export must be of.
    pub account: Option<String>,
    /// The cluster's name (a `k8s` source; default: the source's name).
    pub cluster: Option<String>,
    /// An `entra` source's tenant id (lower-cased), when the manifest names it.
    pub tenant: Option<String>,
    pub mapping: Option<MappingRef>,
    /// The sensitivity of the cluster's Secrets (a `k8s` source; default `high`).
    pub secret_sensitivity: Option<crate::model::Sensitivity>,
    /// An `aws-iam` source's IAM Identity Center answers (a directory or file).
    pub identity_center: Option<PathBuf>,
    /// An `aws-iam` source's AWS Organizations answers (a directory or file): its SCPs.
    pub organization: Option<PathBuf>,
    /// An `aws-iam` source's EKS clusters: name → the directory of its AWS CLI answers.
    pub eks_clusters: Vec<(String, PathBuf)>,
    /// A `k8s` source's EKS cluster: the `aws-iam` source and the key of its `eks` table.
    pub eks: Option<(String, String)>,
    /// Line of its `[[source]]` table, for messages.
    pub line: u32,
}

/// A hand-written node declared to be external principals that importers name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    /// `SOURCE:ID`, or a native key.
    pub node: String,
    /// Native keys (`aws:account:ID`, `github:ORG`, `github:user:LOGIN`, …).
    pub is: Vec<String>,
    pub line: u32,
}

/// A checked manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub as_of: Option<Timestamp>,
    pub sources: Vec<Source>,
    pub aliases: Vec<Alias>,
}

/// The built-in mappings `mapping = "NAME"` may name.
pub const BUILTIN_MAPPINGS: &[(&str, &str)] = &[(
    "githound",
    include_str!("../../graphs/opengraph/githound-mapping.toml"),
)];

/// The prefix of the nodes the join itself makes (external GitHub organisations, tokens).
pub const RESERVED_NAME: &str = "estate";

const TOP_KEYS: &[&str] = &["version", "as_of", "source", "alias"];

/// Parses the manifest `text` (named `name`, its relative paths resolved against `dir`):
/// the manifest and its warnings, or every problem.
pub fn parse(name: &str, text: &str, dir: &Path) -> Result<(Manifest, Diagnostics), Diagnostics> {
    let mut r = Reader {
        loc: Locator::new(text),
        diags: Diagnostics::new(name),
        dir,
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    for e in &errors {
        let at = e.span().map_or(0, |s| s.start);
        r.error(
            at,
            format!("invalid TOML: {}", e.message().trim()),
            "fix the TOML syntax at this place".into(),
        );
    }
    let manifest = if errors.is_empty() {
        r.manifest(root.get_ref())
    } else {
        None
    };
    match manifest {
        Some(m) if !r.diags.has_errors() => Ok((m, r.diags)),
        _ => Err(r.diags),
    }
}

struct Reader<'a> {
    loc: Locator<'a>,
    diags: Diagnostics,
    dir: &'a Path,
}

impl Reader<'_> {
    fn error(&mut self, at: usize, message: String, help: String) {
        let span = self.loc.span(at);
        self.diags
            .push(Diagnostic::error(codes::ESTATE_MANIFEST, Some(span), message).help(help));
    }

    fn warn(&mut self, at: usize, message: String, help: &str) {
        let span = self.loc.span(at);
        self.diags
            .push(Diagnostic::warning(codes::ESTATE_UNREAD, Some(span), message).help(help));
    }

    fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&str], what: &str) {
        for (k, _) in table.iter() {
            if !known.contains(&k.get_ref().as_ref()) {
                let mut help = format!("the keys of {what} are: {}", known.join(", "));
                if let Some(m) = did_you_mean(k.get_ref(), known.iter().copied()) {
                    help = format!("did you mean `{m}`? ({help})");
                }
                self.error(
                    k.span().start,
                    format!("unknown key {} in {what}", quote(k.get_ref())),
                    help,
                );
            }
        }
    }

    fn string(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.error(
                    v.span().start,
                    format!("`{key}` must be a string, found {}", type_name(other)),
                    format!("write `{key} = \"…\"`"),
                );
                None
            }
        }
    }

    fn strings(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<Vec<String>> {
        match v.get_ref() {
            DeValue::String(s) => Some(vec![s.to_string()]),
            DeValue::Array(items) => items.iter().map(|i| self.string(key, i)).collect(),
            other => {
                self.error(
                    v.span().start,
                    format!(
                        "`{key}` must be a string or an array of strings, found {}",
                        type_name(other)
                    ),
                    format!("write `{key} = \"…\"` or `{key} = [\"…\", \"…\"]`"),
                );
                None
            }
        }
    }

    fn manifest(&mut self, root: &DeTable<'_>) -> Option<Manifest> {
        self.unknown_keys(root, TOP_KEYS, "the manifest");
        match root.get("version") {
            Some(v) => match v.get_ref() {
                DeValue::Integer(i) if i.as_str() == "1" && i.radix() == 10 => {}
                other => self.error(
                    v.span().start,
                    format!("`version` must be the integer 1, found {}", shown(other)),
                    "write `version = 1`".into(),
                ),
            },
            None => self.error(
                0,
                "missing key `version`".into(),
                "start the manifest with `version = 1`".into(),
            ),
        }
        let as_of = root.get("as_of").and_then(|v| {
            let at = v.span().start;
            let text = match v.get_ref() {
                // A bare TOML date-time is read as written.
                DeValue::Datetime(d) => d.to_string(),
                _ => self.string("as_of", v)?,
            };
            match Timestamp::parse(&text) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.error(
                        at,
                        format!("`as_of` is not an RFC 3339 date-time: {e}"),
                        "write it like \"2026-11-01T00:00:00Z\"".into(),
                    );
                    None
                }
            }
        });
        let sources = self.sources(root.get("source"));
        let aliases = self.aliases(root.get("alias"));
        Some(Manifest {
            as_of,
            sources,
            aliases,
        })
    }

    fn tables<'v, 'd>(
        &mut self,
        key: &str,
        v: &'v Spanned<DeValue<'d>>,
    ) -> Vec<(usize, &'v DeTable<'d>)> {
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|i| match i.get_ref() {
                    DeValue::Table(t) => Some((i.span().start, t)),
                    other => {
                        self.error(
                            i.span().start,
                            format!("each `{key}` must be a table, found {}", type_name(other)),
                            format!("write each as a `[[{key}]]` table"),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                self.error(
                    v.span().start,
                    format!(
                        "`{key}` must be an array of tables, found {}",
                        type_name(other)
                    ),
                    format!("write each as a `[[{key}]]` table"),
                );
                Vec::new()
            }
        }
    }

    fn sources(&mut self, v: Option<&Spanned<DeValue<'_>>>) -> Vec<Source> {
        let Some(v) = v else {
            self.error(
                0,
                "the manifest names no source".into(),
                "add at least one `[[source]]` table with name, kind and path".into(),
            );
            return Vec::new();
        };
        let mut out: Vec<Source> = Vec::new();
        // (index of a k8s source, place of its `eks` key), checked once every source is read.
        let mut refs: Vec<(usize, usize)> = Vec::new();
        let mut table_at: Vec<usize> = Vec::new();
        for (at, t) in self.tables("source", v) {
            let line = self.loc.span(at).line;
            let name = match t.get("name") {
                Some(n) => self.string("name", n).and_then(|s| {
                    let valid = s
                        .bytes()
                        .enumerate()
                        .all(|(i, b)| b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && (b == b'_' || b == b'-')));
                    if !valid || s.is_empty() {
                        self.error(
                            n.span().start,
                            format!("source name {} is not of the form [a-z0-9][a-z0-9_-]*", quote(&s)),
                            "use lowercase letters, digits, `_` and `-`, starting with a letter or digit".into(),
                        );
                        return None;
                    }
                    if s == RESERVED_NAME {
                        self.error(
                            n.span().start,
                            format!("source name {} is reserved for the nodes the join makes", quote(&s)),
                            "choose another name".into(),
                        );
                        return None;
                    }
                    if out.iter().any(|o| o.name == s) {
                        self.error(
                            n.span().start,
                            format!("source name {} is used twice", quote(&s)),
                            "give every source a name of its own: it prefixes its nodes' ids".into(),
                        );
                        return None;
                    }
                    Some(s)
                }),
                None => {
                    self.error(at, "a source has no `name`".into(), "add `name = \"…\"`".into());
                    None
                }
            };
            let kind = match t.get("kind") {
                Some(k) => self.string("kind", k).and_then(|s| {
                    let kind = SourceKind::parse(&s);
                    if kind.is_none() {
                        let help = if SourceKind::LATER.contains(&s.as_str()) {
                            format!(
                                "this version reads {} sources; `{s}` sources are not read yet",
                                SourceKind::NAMES.join(", ")
                            )
                        } else {
                            let near = did_you_mean(&s, SourceKind::NAMES.iter().copied())
                                .map(|m| format!("did you mean `{m}`? "))
                                .unwrap_or_default();
                            format!("{near}the kinds are: {}", SourceKind::NAMES.join(", "))
                        };
                        self.error(
                            k.span().start,
                            format!("unknown source kind {}", quote(&s)),
                            help,
                        );
                    }
                    kind
                }),
                None => {
                    self.error(
                        at,
                        "a source has no `kind`".into(),
                        format!(
                            "add `kind = \"…\"`, one of {}",
                            SourceKind::NAMES.join(", ")
                        ),
                    );
                    None
                }
            };
            let what = match &name {
                Some(n) => format!("source {}", quote(n)),
                None => "a source".to_string(),
            };
            let keys: &[&str] = kind.map_or(&["name", "kind", "path"], SourceKind::keys);
            if kind.is_some() {
                self.unknown_keys(t, keys, &what);
            }
            let paths = match t.get("path") {
                Some(p) => self.strings("path", p).map(|ps| {
                    if ps.is_empty() {
                        self.error(
                            p.span().start,
                            format!("{what} has an empty `path`"),
                            "name a file or directory".into(),
                        );
                    }
                    ps.iter().map(|p| self.dir.join(p)).collect::<Vec<_>>()
                }),
                None => {
                    self.error(
                        at,
                        format!("{what} has no `path`"),
                        "add `path = \"…\"` (a file or a directory, relative to the manifest)"
                            .into(),
                    );
                    None
                }
            };
            let opt_path = |r: &mut Self, key: &str| {
                t.get(key)
                    .and_then(|v| r.string(key, v))
                    .map(|p| r.dir.join(p))
            };
            let credential_report = opt_path(self, "credential_report");
            let identity_center = opt_path(self, "identity_center");
            let organization = opt_path(self, "organization");
            let account = t.get("account").and_then(|v| {
                let s = match v.get_ref() {
                    DeValue::Integer(i) => Some(format!("{:0>12}", i.as_str())),
                    _ => self.string("account", v),
                }?;
                if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
                    Some(s)
                } else {
                    self.error(
                        v.span().start,
                        format!("`account` {} is not a 12-digit AWS account id", quote(&s)),
                        "write the account id as a quoted 12-digit string".into(),
                    );
                    None
                }
            });
            let cluster = t.get("cluster").and_then(|v| self.string("cluster", v));
            let tenant = t
                .get("tenant")
                .and_then(|v| self.string("tenant", v))
                .map(|s| s.trim().to_ascii_lowercase());
            let mapping = t.get("mapping").and_then(|v| {
                let s = self.string("mapping", v)?;
                match BUILTIN_MAPPINGS.iter().find(|(n, _)| *n == s) {
                    Some((n, _)) => Some(MappingRef::Builtin(n)),
                    None if s.ends_with(".toml") || s.contains('/') => {
                        Some(MappingRef::File(self.dir.join(s)))
                    }
                    None => {
                        self.error(
                            v.span().start,
                            format!(
                                "mapping {} is neither a built-in mapping nor a .toml file",
                                quote(&s)
                            ),
                            format!(
                                "name a mapping file (…/mapping.toml) or a built-in one: {}",
                                BUILTIN_MAPPINGS
                                    .iter()
                                    .map(|(n, _)| *n)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                        None
                    }
                }
            });
            let secret_sensitivity = t.get("secret_sensitivity").and_then(|v| {
                let s = self.string("secret_sensitivity", v)?;
                let parsed = crate::model::Sensitivity::parse(&s);
                if parsed.is_none() {
                    self.error(
                        v.span().start,
                        format!("`secret_sensitivity` {} is not a sensitivity", quote(&s)),
                        "write low, medium, high or critical".into(),
                    );
                }
                parsed
            });
            let mut eks_clusters = Vec::new();
            let mut eks_ref = None;
            if let Some(v) = t.get("eks") {
                match (kind, v.get_ref()) {
                    (Some(SourceKind::AwsIam), DeValue::Table(clusters)) => {
                        for (k, dir) in clusters.iter() {
                            if let Some(d) = self.string("eks", dir) {
                                eks_clusters.push((k.get_ref().to_string(), self.dir.join(d)));
                            }
                        }
                    }
                    (Some(SourceKind::AwsIam), other) => self.error(
                        v.span().start,
                        format!(
                            "`eks` of {what} must be a table of cluster name → directory, found {}",
                            type_name(other)
                        ),
                        "write `eks = { payments = \"prod/eks/payments/\" }`".into(),
                    ),
                    (_, _) => {
                        if let Some(r) = self.string("eks", v) {
                            match r.split_once('/') {
                                Some((src, cluster)) if !src.is_empty() && !cluster.is_empty() => {
                                    eks_ref = Some((src.to_string(), cluster.to_string(), v.span().start));
                                }
                                _ => self.error(
                                    v.span().start,
                                    format!("`eks` of {what} must be \"SOURCE/CLUSTER\", found {}", quote(&r)),
                                    "name the aws-iam source and the key of its `eks` table that describe this cluster".into(),
                                ),
                            }
                        }
                    }
                }
            }
            if kind == Some(SourceKind::AwsIam) && paths.as_ref().is_some_and(|p| p.len() > 1) {
                self.error(
                    at,
                    format!("{what} names several paths"),
                    "an aws-iam source reads one authorization-details file".into(),
                );
            }
            let eks_ref_at = eks_ref.as_ref().map(|(_, _, at)| *at);
            if let (Some(name), Some(kind), Some(paths)) = (name, kind, paths) {
                out.push(Source {
                    name,
                    kind,
                    paths,
                    credential_report,
                    account,
                    cluster,
                    tenant,
                    mapping,
                    secret_sensitivity,
                    identity_center,
                    organization,
                    eks_clusters,
                    eks: eks_ref.map(|(s, c, _)| (s, c)),
                    line,
                });
                table_at.push(at);
                if let Some(at) = eks_ref_at {
                    refs.push((out.len() - 1, at));
                }
            }
        }
        for (i, at) in refs {
            let Some((src, cluster)) = out[i].eks.clone() else {
                continue;
            };
            let aws: Vec<&Source> = out
                .iter()
                .filter(|s| s.kind == SourceKind::AwsIam)
                .collect();
            match aws.iter().find(|s| s.name == src) {
                None => self.error(
                    at,
                    format!("`eks` names source {}, which is no aws-iam source of the manifest", quote(&src)),
                    format!(
                        "name an aws-iam source{}",
                        did_you_mean(&src, aws.iter().map(|s| s.name.as_str()))
                            .map(|m| format!(": did you mean `{m}`?"))
                            .unwrap_or_default()
                    ),
                ),
                Some(s) if !s.eks_clusters.iter().any(|(c, _)| *c == cluster) => self.error(
                    at,
                    format!("source {} has no EKS cluster {} in its `eks` table", quote(&src), quote(&cluster)),
                    format!(
                        "add `eks = {{ {cluster} = \"DIRECTORY\" }}` to source {src}, or name one of its clusters{}",
                        if s.eks_clusters.is_empty() { String::new() } else {
                            format!(": {}", s.eks_clusters.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", "))
                        }
                    ),
                ),
                Some(_) => {}
            }
        }
        let mut unnamed = Vec::new();
        for (i, s) in out
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == SourceKind::AwsIam)
        {
            for (cluster, _) in &s.eks_clusters {
                let named = out.iter().any(|k| {
                    k.eks
                        .as_ref()
                        .is_some_and(|(a, c)| *a == s.name && c == cluster)
                });
                if !named {
                    unnamed.push((table_at[i], s.name.clone(), cluster.clone()));
                }
            }
        }
        for (at, source, cluster) in unnamed {
            self.warn(
                at,
                format!(
                    "EKS cluster {} of source {} is named by no k8s source: its access entries and pod identities are joined to no cluster",
                    quote(&cluster),
                    quote(&source)
                ),
                &format!("add `eks = \"{source}/{cluster}\"` to the k8s source of that cluster"),
            );
        }
        out
    }

    fn aliases(&mut self, v: Option<&Spanned<DeValue<'_>>>) -> Vec<Alias> {
        let Some(v) = v else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (at, t) in self.tables("alias", v) {
            self.unknown_keys(t, &["node", "is"], "an alias");
            let node = match t.get("node") {
                Some(n) => self.string("node", n),
                None => {
                    self.error(
                        at,
                        "an alias has no `node`".into(),
                        "add `node = \"SOURCE:ID\"`".into(),
                    );
                    None
                }
            };
            let is = match t.get("is") {
                Some(n) => self.strings("is", n),
                None => {
                    self.error(
                        at,
                        "an alias has no `is`".into(),
                        "add `is = [\"aws:account:…\", \"github:…\"]`".into(),
                    );
                    None
                }
            };
            if let (Some(node), Some(is)) = (node, is) {
                out.push(Alias {
                    node,
                    is,
                    line: self.loc.span(at).line,
                });
            }
        }
        out
    }
}

fn shown(v: &DeValue<'_>) -> String {
    match v {
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::String(s) => format!("{s:?}"),
        other => type_name(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> String {
        match parse("estate.toml", text, Path::new("/e")) {
            Ok((m, _)) => panic!("accepted: {m:?}"),
            Err(d) => d.render(),
        }
    }

    #[test]
    fn a_manifest_reads_its_sources_and_aliases() {
        let m = parse(
            "estate.toml",
            "version = 1\nas_of = \"2026-11-01T00:00:00Z\"\n[[source]]\nname = \"prod\"\nkind = \"aws-iam\"\npath = \"prod.json\"\naccount = \"111122223333\"\n[[source]]\nname = \"c1\"\nkind = \"k8s\"\npath = [\"a/\", \"b.yaml\"]\n[[source]]\nname = \"gh\"\nkind = \"opengraph\"\npath = \"gh.json\"\nmapping = \"githound\"\n[[alias]]\nnode = \"p:partner:x\"\nis = [\"aws:account:999999999999\"]\n",
            Path::new("/e"),
        )
        .unwrap()
        .0;
        assert_eq!(m.sources.len(), 3);
        assert_eq!(m.sources[0].paths, vec![PathBuf::from("/e/prod.json")]);
        assert_eq!(m.sources[0].account.as_deref(), Some("111122223333"));
        assert_eq!(m.sources[1].paths.len(), 2);
        assert_eq!(m.sources[2].mapping, Some(MappingRef::Builtin("githound")));
        assert_eq!(m.aliases[0].is, vec!["aws:account:999999999999"]);
        assert_eq!(m.sources[1].line, 8);
    }

    #[test]
    fn every_problem_is_named_at_its_place_with_the_nearest_key() {
        let e = errors(
            "version = 2\nsorce = 1\n[[source]]\nname = \"Bad Name\"\nkind = \"k8\"\npath = \"x\"\n[[source]]\nname = \"t\"\nkind = \"terraform\"\npath = \"p\"\n[[source]]\nname = \"g\"\nkind = \"graph\"\npth = \"x\"\n",
        );
        for expected in [
            "estate.toml:1:11: error: `version` must be the integer 1, found 2",
            "estate.toml:2:1: error: unknown key \"sorce\" in the manifest",
            "did you mean `source`?",
            "estate.toml:4:8: error: source name \"Bad Name\" is not of the form",
            "estate.toml:5:8: error: unknown source kind \"k8\"",
            "did you mean `k8s`?",
            "`terraform` sources are not read yet",
            "unknown key \"pth\" in source \"g\"",
            "did you mean `path`?",
            "source \"g\" has no `path`",
        ] {
            assert!(e.contains(expected), "{expected:?} not in:\n{e}");
        }
    }
}
