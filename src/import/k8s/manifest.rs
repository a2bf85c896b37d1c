//! From files to Kubernetes objects: YAML (multi-document) or JSON, `List` objects unwrapped,
//! directories walked in name order. Each object keeps where it came from (file, document
//! index, line) so that every problem names its place; the objects the importer models are
//! read into typed records, and a malformed one is an error naming the field.

use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::load::StrictValue;
use crate::model::Span;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde::de::DeserializeSeed;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where an object was written.
#[derive(Clone, Debug)]
pub struct Origin {
    pub file: String,
    /// Zero-based document index within the file (YAML documents; 0 for JSON).
    pub doc: usize,
    /// Index inside a `List`'s `items`, when it came from one.
    pub item: Option<usize>,
    /// The document's first line, for messages.
    pub line: u32,
}

impl Origin {
    pub fn describe(&self) -> String {
        match self.item {
            Some(i) => format!("document {} items[{i}]", self.doc),
            None => format!("document {}", self.doc),
        }
    }

    fn span(&self) -> Option<Span> {
        Some(Span {
            line: self.line,
            column: 1,
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Meta {
    pub name: Option<String>,
    pub namespace: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_default")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyRule {
    #[serde(default, rename = "apiGroups", deserialize_with = "null_default")]
    pub api_groups: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub resources: Vec<String>,
    #[serde(default, rename = "resourceNames", deserialize_with = "null_default")]
    pub resource_names: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub verbs: Vec<String>,
    #[serde(default, rename = "nonResourceURLs", deserialize_with = "null_default")]
    pub non_resource_urls: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Requirement {
    pub key: String,
    pub operator: String,
    #[serde(default, deserialize_with = "null_default")]
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LabelSelector {
    #[serde(default, rename = "matchLabels", deserialize_with = "null_default")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(
        default,
        rename = "matchExpressions",
        deserialize_with = "null_default"
    )]
    pub match_expressions: Vec<Requirement>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AggregationRule {
    #[serde(
        default,
        rename = "clusterRoleSelectors",
        deserialize_with = "null_default"
    )]
    pub selectors: Vec<LabelSelector>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RoleObject {
    pub metadata: Meta,
    #[serde(default, deserialize_with = "null_default")]
    pub rules: Vec<PolicyRule>,
    #[serde(default, rename = "aggregationRule")]
    pub aggregation: Option<AggregationRule>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RoleRef {
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SubjectRef {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct BindingObject {
    pub metadata: Meta,
    #[serde(rename = "roleRef")]
    pub role_ref: RoleRef,
    #[serde(default, deserialize_with = "null_default")]
    pub subjects: Vec<SubjectRef>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ServiceAccountObject {
    pub metadata: Meta,
    #[serde(rename = "automountServiceAccountToken")]
    pub automount: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SecretObject {
    pub metadata: Meta,
    #[serde(rename = "type")]
    pub secret_type: Option<String>,
}

/// The `aws-auth` ConfigMap: its `data` values are YAML documents of their own
/// (`mapRoles`, `mapUsers`, `mapAccounts`), read by `awsauth`.
#[derive(Clone, Debug, Deserialize)]
pub struct ConfigMapObject {
    pub metadata: Meta,
    #[serde(default, deserialize_with = "null_default")]
    pub data: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PodSpec {
    #[serde(rename = "serviceAccountName")]
    pub service_account_name: Option<String>,
    /// The deprecated spelling, still honoured by the API server when the other is absent.
    #[serde(rename = "serviceAccount")]
    pub service_account: Option<String>,
    #[serde(rename = "automountServiceAccountToken")]
    pub automount: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct Workload {
    pub metadata: Meta,
    pub kind: String,
    pub pod: PodSpec,
}

impl Workload {
    /// The account its pods run as: `serviceAccountName`, else the deprecated
    /// `serviceAccount`, else the namespace's `default`.
    pub(crate) fn service_account(&self) -> &str {
        [&self.pod.service_account_name, &self.pod.service_account]
            .into_iter()
            .flatten()
            .find(|s| !s.is_empty())
            .map_or("default", String::as_str)
    }
}

/// An object the importer models, with its origin.
#[derive(Clone, Debug)]
pub enum Object {
    Namespace(Meta),
    ServiceAccount(ServiceAccountObject),
    Secret(SecretObject),
    Role(RoleObject),
    ClusterRole(RoleObject),
    RoleBinding(BindingObject),
    ClusterRoleBinding(BindingObject),
    Workload(Workload),
    /// A ConfigMap named `aws-auth`: how EKS maps AWS principals to Kubernetes users.
    AwsAuth(ConfigMapObject),
}

/// Where the pod template sits in each workload kind.
pub(crate) const WORKLOAD_KINDS: &[(&str, &str)] = &[
    ("Pod", "/spec"),
    ("Deployment", "/spec/template/spec"),
    ("StatefulSet", "/spec/template/spec"),
    ("DaemonSet", "/spec/template/spec"),
    ("ReplicaSet", "/spec/template/spec"),
    ("Job", "/spec/template/spec"),
    ("CronJob", "/spec/jobTemplate/spec/template/spec"),
];

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Manifests {
    pub objects: Vec<(Object, Origin)>,
    /// Objects of kinds the importer does not model: per kind, each one's name
    /// (`NAMESPACE/NAME` when it has a namespace) in input order.
    pub skipped: BTreeMap<String, Vec<String>>,
    pub files: usize,
    pub documents: usize,
    /// One list of problems per file that had any.
    pub problems: Vec<Diagnostics>,
}

/// Reads every path (files, or directories walked for `.yaml`, `.yml` and `.json` files).
/// A file found by walking a directory that holds no Kubernetes object (no document names a
/// `kind`: a CI workflow, a `tsconfig.json`, a Helm `Chart.yaml`) is skipped with a warning,
/// unless `strict`; a file named on the command line is always read as manifests.
pub(crate) fn read_paths(paths: &[PathBuf], strict: bool) -> Manifests {
    let mut out = Manifests::default();
    let mut files = Vec::new();
    for p in paths {
        collect(p, false, &mut files, &mut out);
    }
    for (f, walked) in files {
        read_file(&f, walked && !strict, &mut out);
    }
    out
}

fn collect(path: &Path, walked: bool, files: &mut Vec<(PathBuf, bool)>, out: &mut Manifests) {
    let name = path.display().to_string();
    if name == "-" {
        files.push((path.to_path_buf(), false));
        return;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => {
                    unreadable(&name, &e, out);
                    return;
                }
            };
            entries.sort();
            for e in entries {
                let is_manifest = e
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"));
                if e.is_dir() || is_manifest {
                    collect(&e, true, files, out);
                }
            }
        }
        Ok(_) => files.push((path.to_path_buf(), walked)),
        Err(e) => unreadable(&name, &e, out),
    }
}

fn unreadable(name: &str, e: &std::io::Error, out: &mut Manifests) {
    let mut d = Diagnostics::new(name);
    let help = match e.kind() {
        std::io::ErrorKind::NotFound => "check the path",
        std::io::ErrorKind::PermissionDenied => "check the file's permissions",
        _ => "check that the path names a readable file or directory",
    };
    d.push(Diagnostic::error(codes::READ_ERROR, None, format!("cannot read: {e}")).help(help));
    out.problems.push(d);
}

fn read_file(path: &Path, lenient: bool, out: &mut Manifests) {
    let name = path.display().to_string();
    let bytes = if name == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map(|_| buf)
    } else {
        std::fs::read(path)
    };
    match bytes {
        Ok(b) => read_into(&name, &b, lenient, out),
        Err(e) => unreadable(&name, &e, out),
    }
}

/// The manifests in `bytes`, read as the file `name` (for fuzzing and for callers that
/// hold the text already).
pub(crate) fn read_bytes(name: &str, bytes: &[u8]) -> Manifests {
    let mut out = Manifests::default();
    read_into(name, bytes, false, &mut out);
    out
}

/// Whether a parsed document means to be a Kubernetes object (or a list of them): it names
/// a `kind`.
fn is_kubernetes(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|m| m.get("kind").is_some_and(Value::is_string))
}

/// Reads one file's manifests; `lenient`: a file without any Kubernetes object is skipped
/// with a warning instead of reported object by object.
fn read_into(name: &str, bytes: &[u8], lenient: bool, out: &mut Manifests) {
    let name = name.to_string();
    out.files += 1;
    let mut diags = Diagnostics::new(name.clone());
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u32;
            diags.push(
                Diagnostic::error(
                    codes::NOT_UTF8,
                    Some(Span { line, column: 1 }),
                    "the file is not valid UTF-8",
                )
                .help("save the manifest as UTF-8"),
            );
            out.problems.push(diags);
            return;
        }
    };
    let docs = split_documents(&name, text, &mut diags);
    if lenient
        && !diags.has_errors()
        && docs.iter().any(|(_, v)| v.is_some())
        && !docs
            .iter()
            .any(|(_, v)| v.as_ref().is_some_and(is_kubernetes))
    {
        diags.push(
            Diagnostic::warning(
                codes::K8S_NOT_MANIFEST,
                Some(Span { line: 1, column: 1 }),
                "not a Kubernetes manifest (no document names a `kind`): skipped",
            )
            .help("move it out of the directory, name it on the command line to read it as manifests, or pass --strict to make this an error"),
        );
        out.problems.push(diags);
        return;
    }
    for (doc, (line, value)) in docs.into_iter().enumerate() {
        out.documents += 1;
        let origin = Origin {
            file: name.clone(),
            doc,
            item: None,
            line,
        };
        if let Some(value) = value {
            read_value(value, origin, out, &mut diags);
        }
    }
    if diags.error_count() + diags.warning_count() > 0 {
        out.problems.push(diags);
    }
}

/// The documents of a file with each one's first line; `None` for an empty document. JSON
/// (a file starting with `{` or `[`) is one document; anything else is YAML.
fn split_documents(name: &str, text: &str, diags: &mut Diagnostics) -> Vec<(u32, Option<Value>)> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || (trimmed.starts_with('[') && name.ends_with(".json")) {
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = StrictValue
            .deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v));
        return match parsed {
            Ok(v) => vec![(1, Some(v))],
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        codes::JSON_SYNTAX,
                        Some(Span {
                            line: e.line() as u32,
                            column: e.column() as u32,
                        }),
                        format!("invalid JSON: {}", crate::load::strip_position(&e)),
                    )
                    .help("fix the JSON syntax at this place"),
                );
                Vec::new()
            }
        };
    }
    if let Some(span) = too_deep(text) {
        diags.push(
            Diagnostic::error(
                codes::K8S_TOO_DEEP,
                Some(span),
                format!("collections nested more than {MAX_FLOW_DEPTH} levels deep"),
            )
            .help("no Kubernetes object nests this deep: check that the file is a manifest"),
        );
        return Vec::new();
    }
    let starts = document_lines(text);
    let mut out = Vec::new();
    for (i, doc) in serde_norway::Deserializer::from_str(text).enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        match StrictValue.deserialize(doc) {
            Ok(Value::Null) => out.push((line, None)),
            Ok(v) => out.push((line, Some(v))),
            Err(e) => {
                let span = e.location().map(|l| Span {
                    line: l.line() as u32,
                    column: l.column() as u32,
                });
                let message = strip_yaml_position(&e.to_string());
                diags.push(
                    Diagnostic::error(
                        codes::YAML_SYNTAX,
                        span.or(Some(Span { line, column: 1 })),
                        message,
                    )
                    .about(format!("document {i}"))
                    .help("fix the YAML at this place"),
                );
                // A syntax error ends the stream: the parser cannot find the next document.
                if e.location().is_some() {
                    break;
                }
                out.push((line, None));
            }
        }
    }
    out
}

/// Deeper flow nesting than any manifest has; the YAML scanner slows quadratically with
/// depth (100,000 levels: 37 s), so such input is refused before it is parsed.
const MAX_FLOW_DEPTH: usize = 256;

/// Where `[`/`{` nesting first exceeds `MAX_FLOW_DEPTH`, outside quoted scalars and comments.
fn too_deep(text: &str) -> Option<Span> {
    let (mut depth, mut line, mut col) = (0usize, 1u32, 0u32);
    let (mut single, mut double, mut escaped, mut comment) = (false, false, false, false);
    let mut prev = '\n';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            (line, col, comment) = (line + 1, 0, false);
        } else if comment {
        } else if double {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                double = false;
            }
        } else if single {
            single = c != '\'';
        } else {
            match c {
                '#' if prev.is_whitespace() => comment = true,
                '"' => double = true,
                '\'' => single = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(Span { line, column: col });
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        prev = c;
    }
    None
}

/// The first content line of each YAML document (documents are separated by `---` lines).
fn document_lines(text: &str) -> Vec<u32> {
    let mut starts = vec![1];
    let mut saw_content = false;
    for (i, line) in text.lines().enumerate() {
        let is_marker =
            line.starts_with("---") && line[3..].chars().next().is_none_or(|c| c.is_whitespace());
        if is_marker {
            // A bare `---` opens the document on the next line; `--- {…}` on its own.
            let first = if line[3..].trim().is_empty() {
                i + 2
            } else {
                i + 1
            } as u32;
            if saw_content {
                starts.push(first);
            } else if let Some(last) = starts.last_mut() {
                *last = first;
            }
            saw_content = true;
        } else if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            saw_content = true;
        }
    }
    starts
}

fn strip_yaml_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn read_value(value: Value, origin: Origin, out: &mut Manifests, diags: &mut Diagnostics) {
    let Value::Object(map) = &value else {
        diags.push(
            Diagnostic::error(
                codes::K8S_NOT_OBJECT,
                origin.span(),
                format!("a manifest must be an object, found {}", json_type(&value)),
            )
            .about(origin.describe())
            .help(
                "each document is one Kubernetes object with `apiVersion`, `kind` and `metadata`",
            ),
        );
        return;
    };
    let kind = match map.get("kind") {
        Some(Value::String(k)) => k.clone(),
        Some(other) => {
            diags.push(
                Diagnostic::error(
                    codes::K8S_MANIFEST_FIELD,
                    origin.span(),
                    format!("field `kind` must be a string, found {}", json_type(other)),
                )
                .about(origin.describe())
                .help("write the object's kind, e.g. `kind: ClusterRole`"),
            );
            return;
        }
        None => {
            diags.push(
                Diagnostic::error(
                    codes::K8S_MANIFEST_FIELD,
                    origin.span(),
                    "missing field `kind`",
                )
                .about(origin.describe())
                .help("every Kubernetes object names its kind, e.g. `kind: ClusterRole`"),
            );
            return;
        }
    };
    if kind == "List" || (kind.ends_with("List") && map.contains_key("items")) {
        match map.get("items") {
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let origin = Origin {
                        item: Some(i),
                        ..origin.clone()
                    };
                    read_value(item.clone(), origin, out, diags);
                }
            }
            Some(Value::Null) | None => {}
            Some(other) => diags.push(
                Diagnostic::error(
                    codes::K8S_MANIFEST_FIELD,
                    origin.span(),
                    format!(
                        "field `items` of a {kind} must be an array, found {}",
                        json_type(other)
                    ),
                )
                .about(origin.describe())
                .help("a List holds its objects in `items: [...]`"),
            ),
        }
        return;
    }
    let object = match kind.as_str() {
        "Namespace" => typed::<NamespaceObject>(&value, &origin, &kind, diags)
            .map(|n| Object::Namespace(n.metadata)),
        "ServiceAccount" => typed(&value, &origin, &kind, diags).map(Object::ServiceAccount),
        "Secret" => typed(&value, &origin, &kind, diags).map(Object::Secret),
        "Role" => typed(&value, &origin, &kind, diags).map(Object::Role),
        "ClusterRole" => typed(&value, &origin, &kind, diags).map(Object::ClusterRole),
        "RoleBinding" => typed(&value, &origin, &kind, diags).map(Object::RoleBinding),
        "ClusterRoleBinding" => {
            typed(&value, &origin, &kind, diags).map(Object::ClusterRoleBinding)
        }
        "ConfigMap"
            if map.get("metadata").and_then(|m| m.get("name")) == Some(&"aws-auth".into()) =>
        {
            typed(&value, &origin, &kind, diags).map(Object::AwsAuth)
        }
        k => match WORKLOAD_KINDS.iter().find(|(w, _)| *w == k) {
            Some((_, pointer)) => workload(&value, &origin, &kind, pointer, diags),
            None => {
                skip(map, &kind, &origin, out, diags);
                return;
            }
        },
    };
    let Some(object) = object else { return };
    if metadata(&object).name.as_deref().is_none_or(str::is_empty) {
        diags.push(
            Diagnostic::error(
                codes::K8S_MANIFEST_FIELD,
                origin.span(),
                format!("{kind} has no `metadata.name`"),
            )
            .about(origin.describe())
            .help("give the object a name under `metadata.name`"),
        );
        return;
    }
    out.objects.push((object, origin));
}

/// Kinds the importer does not model although they decide what identities can do: each one
/// is named in a warning with what models it instead.
const AUTHORITY_KINDS: &[(&str, &str)] = &[
    (
        "MutatingWebhookConfiguration",
        "a mutating admission webhook can rewrite any object it intercepts (a pod's service account, its volumes); authpath does not model admission control: review the webhook's rules and who controls its service",
    ),
    (
        "ValidatingWebhookConfiguration",
        "a validating admission webhook decides which requests are admitted; authpath does not model admission control: review who controls the webhook's service",
    ),
    (
        "ValidatingAdmissionPolicy",
        "admission policies restrict requests after RBAC allows them; authpath models RBAC only, so its answers may allow more than the cluster does",
    ),
    (
        "ValidatingAdmissionPolicyBinding",
        "admission policies restrict requests after RBAC allows them; authpath models RBAC only, so its answers may allow more than the cluster does",
    ),
    (
        "MutatingAdmissionPolicy",
        "a mutating admission policy can rewrite objects it matches; authpath does not model admission control",
    ),
    (
        "MutatingAdmissionPolicyBinding",
        "a mutating admission policy can rewrite objects it matches; authpath does not model admission control",
    ),
    (
        "PodSecurityPolicy",
        "`use` of a PodSecurityPolicy decides which pods may run privileged; authpath does not model pod security",
    ),
    (
        "CertificateSigningRequest",
        "an approved request for a client certificate authenticates as the user it names; authpath models who may approve (the signer rules), not the requests themselves",
    ),
    ("ConfigMap", ""),
];

/// Records an object of a kind the importer does not model, and warns when it matters to
/// authority: a kind listed above, or an unknown kind that carries RBAC-like rules or a
/// role reference (a custom resource some controller turns into permissions).
fn skip(
    map: &serde_json::Map<String, Value>,
    kind: &str,
    origin: &Origin,
    out: &mut Manifests,
    diags: &mut Diagnostics,
) {
    let meta = map.get("metadata");
    let field = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str);
    let name = match (field("namespace"), field("name")) {
        (Some(ns), Some(n)) if !ns.is_empty() => format!("{ns}/{n}"),
        (_, Some(n)) => n.to_string(),
        _ => "(unnamed)".to_string(),
    };
    let why = match AUTHORITY_KINDS.iter().find(|(k, _)| *k == kind) {
        Some((_, why)) if !why.is_empty() => Some(why.to_string()),
        Some(_) => None,
        None => rbac_like(map).then(|| {
            "it carries RBAC-like rules or a role reference that some controller may turn into permissions; authpath does not know this kind: model the permissions it grants as Roles and bindings, or add them to a hand-written graph".to_string()
        }),
    };
    if let Some(why) = why {
        diags.push(
            Diagnostic::warning(
                codes::K8S_UNMODELLED_AUTHORITY,
                origin.span(),
                format!(
                    "{kind} {} matters to authority but is not modelled: skipped",
                    quote(&name)
                ),
            )
            .about(origin.describe())
            .help(why),
        );
    }
    out.skipped.entry(kind.to_string()).or_default().push(name);
}

/// Whether an object carries rules shaped like RBAC's (`verbs` with `resources` or
/// `apiGroups`) or a `roleRef`, anywhere in its body.
fn rbac_like(map: &serde_json::Map<String, Value>) -> bool {
    fn walk(v: &Value, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match v {
            Value::Object(m) => {
                (m.contains_key("verbs")
                    && (m.contains_key("resources") || m.contains_key("apiGroups")))
                    || m.contains_key("roleRef")
                    || m.values().any(|v| walk(v, depth + 1))
            }
            Value::Array(a) => a.iter().any(|v| walk(v, depth + 1)),
            _ => false,
        }
    }
    map.iter()
        .filter(|(k, _)| k.as_str() != "metadata" && k.as_str() != "status")
        .any(|(_, v)| walk(v, 0))
}

#[derive(Deserialize)]
struct NamespaceObject {
    metadata: Meta,
}

pub fn metadata(o: &Object) -> &Meta {
    match o {
        Object::Namespace(m) => m,
        Object::ServiceAccount(s) => &s.metadata,
        Object::Secret(s) => &s.metadata,
        Object::Role(r) | Object::ClusterRole(r) => &r.metadata,
        Object::RoleBinding(b) | Object::ClusterRoleBinding(b) => &b.metadata,
        Object::Workload(w) => &w.metadata,
        Object::AwsAuth(c) => &c.metadata,
    }
}

fn workload(
    value: &Value,
    origin: &Origin,
    kind: &str,
    pointer: &str,
    diags: &mut Diagnostics,
) -> Option<Object> {
    #[derive(Deserialize)]
    struct Head {
        metadata: Meta,
    }
    let head: Head = typed(value, origin, kind, diags)?;
    let pod = match value.pointer(pointer) {
        None | Some(Value::Null) => {
            let field = pointer.trim_start_matches('/').replace('/', ".");
            diags.push(
                Diagnostic::error(
                    codes::K8S_MANIFEST_FIELD,
                    origin.span(),
                    format!("{kind} {} has no `{field}`", name_of(&head.metadata)),
                )
                .about(origin.describe())
                .help(format!("a {kind} describes its pods under `{field}`")),
            );
            return None;
        }
        Some(spec) => {
            let field = pointer.trim_start_matches('/').replace('/', ".");
            match serde_path_to_error::deserialize::<_, PodSpec>(spec) {
                Ok(p) => p,
                Err(e) => {
                    diags.push(field_error(
                        origin,
                        kind,
                        &format!("{field}.{}", e.path()),
                        e.inner(),
                    ));
                    return None;
                }
            }
        }
    };
    Some(Object::Workload(Workload {
        metadata: head.metadata,
        kind: kind.to_string(),
        pod,
    }))
}

fn typed<T: DeserializeOwned>(
    value: &Value,
    origin: &Origin,
    kind: &str,
    diags: &mut Diagnostics,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(t) => Some(t),
        Err(e) => {
            diags.push(field_error(origin, kind, &e.path().to_string(), e.inner()));
            None
        }
    }
}

fn field_error(origin: &Origin, kind: &str, path: &str, inner: &serde_json::Error) -> Diagnostic {
    let what = inner.to_string();
    let (message, help) = if what.starts_with("missing field") {
        let field = what
            .trim_start_matches("missing field ")
            .trim_matches('`')
            .to_string();
        let at = if path == "." || path.is_empty() {
            field.clone()
        } else {
            format!("{path}.{field}")
        };
        (
            format!("{kind}: missing field `{at}`"),
            format!("add `{at}` as the Kubernetes API defines it for a {kind}"),
        )
    } else {
        (
            format!("{kind}: field `{path}`: {what}"),
            format!("write `{path}` as the Kubernetes API defines it for a {kind}"),
        )
    };
    Diagnostic::error(codes::K8S_MANIFEST_FIELD, origin.span(), message)
        .about(origin.describe())
        .help(help)
}

pub(crate) fn name_of(meta: &Meta) -> String {
    quote(meta.name.as_deref().unwrap_or(""))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `null` reads as the type's default (Kubernetes writes `rules: null`, `labels: null`).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_start_after_markers() {
        let text = "# c\n---\nkind: A\n---\nkind: B\n";
        assert_eq!(document_lines(text), vec![3, 5]);
        assert_eq!(document_lines("kind: A\n---\nkind: B\n"), vec![1, 3]);
        assert_eq!(document_lines("kind: A\n--- {kind: B}\n"), vec![1, 2]);
    }
}
