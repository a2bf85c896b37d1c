//! Reading `aws iam get-account-authorization-details` output: its four sections
//! (`UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies`) into typed entries,
//! every problem named by section, entry and field, with its line and column.

use super::policy::{Document, Problems, kind_of, parse_document};
use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::load::StrictValue;
use crate::load::json::{array_elements, free_value, object_entries};
use crate::model::Span;
use crate::source::Locator;
use serde::de::DeserializeSeed;
use serde_json::{Map, Value};

/// Where an entry is: its section and index, its name, its line.
#[derive(Clone, Debug)]
pub struct Origin {
    pub span: Span,
    /// `UserDetailList[2] (user "bob")`.
    pub place: String,
}

#[derive(Clone, Debug)]
pub struct Inline {
    pub name: String,
    pub document: Document,
}

#[derive(Clone, Debug)]
pub struct Attached {
    pub name: String,
    pub arn: String,
}

#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub id: Option<String>,
    pub path: Option<String>,
    pub created: Option<String>,
    pub groups: Vec<String>,
    pub inline: Vec<Inline>,
    pub attached: Vec<Attached>,
    pub boundary: Option<String>,
    pub tags: Vec<(String, String)>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub arn: String,
    pub id: Option<String>,
    pub path: Option<String>,
    pub inline: Vec<Inline>,
    pub attached: Vec<Attached>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Role {
    pub name: String,
    pub arn: String,
    pub id: Option<String>,
    pub path: Option<String>,
    pub created: Option<String>,
    pub trust: Document,
    pub instance_profiles: Vec<String>,
    pub inline: Vec<Inline>,
    pub attached: Vec<Attached>,
    pub boundary: Option<String>,
    pub tags: Vec<(String, String)>,
    pub last_used: Option<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub arn: String,
    pub default_version: String,
    /// The default version's document.
    pub document: Document,
    pub versions: usize,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default)]
pub struct Details {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub policies: Vec<Policy>,
    /// Sections the file does not have (made with `--filter`, or not this kind of file).
    pub missing: Vec<&'static str>,
}

impl Details {
    /// The ARNs of its users, roles and groups, in that order.
    pub fn principal_arns(&self) -> impl Iterator<Item = &String> {
        self.users
            .iter()
            .map(|u| &u.arn)
            .chain(self.roles.iter().map(|r| &r.arn))
            .chain(self.groups.iter().map(|g| &g.arn))
    }

    /// The accounts its principals' ARNs name, the one with the most principals first (the
    /// file's own; on a tie, the first named).
    pub fn accounts(&self) -> Vec<String> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for arn in self.principal_arns() {
            let Some(a) = arn.split(':').nth(4).filter(|a| !a.is_empty()) else {
                continue;
            };
            match counts.iter_mut().find(|(x, _)| x == a) {
                Some((_, n)) => *n += 1,
                None => counts.push((a.to_string(), 1)),
            }
        }
        // A stable sort keeps the first named ahead of a tie.
        counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        counts.into_iter().map(|(a, _)| a).collect()
    }

    /// The entries of one account: its principals, its customer managed policies and every
    /// AWS managed one; with `unplaced`, also the principals whose ARN names no account
    /// (the file's own account takes them, so that nothing is lost).
    pub fn of_account(&self, account: &str, unplaced: bool) -> Details {
        let mine = |arn: &str| {
            let a = arn.split(':').nth(4).unwrap_or_default();
            a == account || (unplaced && a.is_empty())
        };
        Details {
            users: self
                .users
                .iter()
                .filter(|u| mine(&u.arn))
                .cloned()
                .collect(),
            groups: self
                .groups
                .iter()
                .filter(|g| mine(&g.arn))
                .cloned()
                .collect(),
            roles: self
                .roles
                .iter()
                .filter(|r| mine(&r.arn))
                .cloned()
                .collect(),
            policies: self
                .policies
                .iter()
                .filter(|p| {
                    let a = p.arn.split(':').nth(4).unwrap_or_default();
                    a == account || a == "aws" || a.is_empty()
                })
                .cloned()
                .collect(),
            missing: self.missing.clone(),
        }
    }
}

const SECTIONS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

/// Reads the file's text; problems go to `diags` (the caller stops on errors).
pub fn read(text: &str, diags: &mut Diagnostics) -> Details {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut loc = Locator::new(text);
    // One strict pass first: a syntax error, a truncated file or a repeated key is reported
    // at its place, named by the section and entry it falls in.
    let mut de = serde_json::Deserializer::from_str(text);
    if let Err(e) = StrictValue.deserialize(&mut de).and_then(|_| de.end()) {
        let offset = error_offset(text, &e);
        let place = place_at(text, offset);
        let what = crate::load::json::strip_position(&e);
        let (message, help) = if e.is_eof() {
            (
                format!("the file ends inside {place}: {what}"),
                "the file is truncated: export it again (`aws iam get-account-authorization-details > FILE`) and check the copy finished",
            )
        } else {
            (
                format!("{place}: {what}"),
                "fix the JSON syntax at this place",
            )
        };
        diags.push(
            Diagnostic::error(codes::JSON_SYNTAX, Some(loc.span(offset)), message).help(help),
        );
        return Details::default();
    }
    let entries = match object_entries(text) {
        Ok(e) => e,
        Err(_) => {
            diags.push(
                Diagnostic::error(
                    codes::AWS_NOT_DETAILS,
                    Some(loc.span(0)),
                    "the file is not a JSON object",
                )
                .help(
                    "give the output of `aws iam get-account-authorization-details --output json`",
                ),
            );
            return Details::default();
        }
    };
    let mut details = Details::default();
    let mut seen = Vec::new();
    for entry in &entries {
        let key = entry.key.as_ref();
        let span = loc.span(entry.key_offset(&loc));
        match key {
            "IsTruncated" if entry.value.get() == "true" => diags.push(
                Diagnostic::error(codes::AWS_TRUNCATED, Some(span), "the listing is incomplete (`IsTruncated` is true): only its first page is in this file")
                    .help("export every page: the AWS CLI does unless --max-items or --no-paginate is given"),
            ),
            "IsTruncated" | "Marker" => {}
            k if SECTIONS.contains(&k) => {
                seen.push(k.to_string());
                let elements = match array_elements(entry.value.get()) {
                    Ok(e) => e,
                    Err(_) => {
                        diags.push(
                            Diagnostic::error(codes::AWS_DETAILS_FIELD, Some(span), format!("`{k}` must be an array"))
                                .help("give the file as the AWS CLI writes it"),
                        );
                        continue;
                    }
                };
                for (i, raw) in elements.iter().enumerate() {
                    let span = loc.span_of(raw.get());
                    let value = match free_value(raw) {
                        Ok(v) => v,
                        Err(e) => {
                            diags.push(Diagnostic::error(codes::JSON_SYNTAX, Some(span), format!("{k}[{i}]: {e}")));
                            continue;
                        }
                    };
                    read_entry(k, i, &value, span, &mut details, diags);
                }
            }
            other => diags.push(
                Diagnostic::warning(codes::AWS_UNKNOWN_KEY, Some(span), format!("unknown top-level key {}: ignored", quote(other)))
                    .help("the authorization details have UserDetailList, GroupDetailList, RoleDetailList and Policies"),
            ),
        }
    }
    if seen.is_empty() {
        diags.push(
            Diagnostic::error(codes::AWS_NOT_DETAILS, Some(loc.span(0)), "this is not an authorization details file: none of UserDetailList, GroupDetailList, RoleDetailList, Policies is present")
                .help("give the output of `aws iam get-account-authorization-details --output json`"),
        );
    }
    details.missing = SECTIONS
        .into_iter()
        .filter(|s| !seen.iter().any(|k| k == s))
        .collect();
    details
}

fn read_entry(
    section: &str,
    index: usize,
    value: &Value,
    span: Span,
    details: &mut Details,
    diags: &mut Diagnostics,
) {
    let (name_key, what) = match section {
        "UserDetailList" => ("UserName", "user"),
        "GroupDetailList" => ("GroupName", "group"),
        "RoleDetailList" => ("RoleName", "role"),
        _ => ("PolicyName", "policy"),
    };
    let name = value.get(name_key).and_then(Value::as_str);
    let place = match name {
        Some(n) => format!("{section}[{index}] ({what} {})", quote(n)),
        None => format!("{section}[{index}]"),
    };
    let origin = Origin { span, place };
    let mut r = Fields {
        problems: Vec::new(),
    };
    let Some(obj) = value.as_object() else {
        diags.push(
            Diagnostic::error(
                codes::AWS_DETAILS_FIELD,
                Some(span),
                format!("must be an object, found {}", kind_of(value)),
            )
            .about(origin.place.clone()),
        );
        return;
    };
    match section {
        "UserDetailList" => {
            let user = User {
                name: r.string(obj, "UserName").unwrap_or_default(),
                arn: r.string(obj, "Arn").unwrap_or_default(),
                id: r.opt_string(obj, "UserId"),
                path: r.opt_string(obj, "Path"),
                created: r.opt_string(obj, "CreateDate"),
                groups: r.strings(obj, "GroupList"),
                inline: r.inline(obj, "UserPolicyList"),
                attached: r.attached(obj),
                boundary: r.boundary(obj),
                tags: r.tags(obj),
                origin: origin.clone(),
            };
            details.users.push(user);
        }
        "GroupDetailList" => {
            let group = Group {
                name: r.string(obj, "GroupName").unwrap_or_default(),
                arn: r.string(obj, "Arn").unwrap_or_default(),
                id: r.opt_string(obj, "GroupId"),
                path: r.opt_string(obj, "Path"),
                inline: r.inline(obj, "GroupPolicyList"),
                attached: r.attached(obj),
                origin: origin.clone(),
            };
            details.groups.push(group);
        }
        "RoleDetailList" => {
            let trust = match obj.get("AssumeRolePolicyDocument") {
                Some(v) => parse_document(v, "AssumeRolePolicyDocument", &mut r.problems),
                None => {
                    r.problems.push((
                        "AssumeRolePolicyDocument".into(),
                        "is missing: every role has a trust policy".into(),
                    ));
                    None
                }
            };
            let last_used = obj
                .get("RoleLastUsed")
                .and_then(|v| v.get("LastUsedDate"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let role = Role {
                name: r.string(obj, "RoleName").unwrap_or_default(),
                arn: r.string(obj, "Arn").unwrap_or_default(),
                id: r.opt_string(obj, "RoleId"),
                path: r.opt_string(obj, "Path"),
                created: r.opt_string(obj, "CreateDate"),
                trust: trust.unwrap_or_default(),
                instance_profiles: r.instance_profiles(obj),
                inline: r.inline(obj, "RolePolicyList"),
                attached: r.attached(obj),
                boundary: r.boundary(obj),
                tags: r.tags(obj),
                last_used,
                origin: origin.clone(),
            };
            details.roles.push(role);
        }
        _ => {
            let default_version = r.opt_string(obj, "DefaultVersionId").unwrap_or_default();
            let versions = r.array(obj, "PolicyVersionList");
            let mut document = None;
            for (i, v) in versions.iter().enumerate() {
                let is_default = v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true)
                    || v.get("VersionId").and_then(Value::as_str) == Some(default_version.as_str());
                if is_default && document.is_none() {
                    match v.get("Document") {
                        Some(d) => {
                            document = parse_document(
                                d,
                                &format!("PolicyVersionList[{i}].Document"),
                                &mut r.problems,
                            )
                        }
                        None => r.problems.push((
                            format!("PolicyVersionList[{i}]"),
                            "has no `Document`".into(),
                        )),
                    }
                }
            }
            if document.is_none() && r.problems.is_empty() {
                r.problems.push((
                    "PolicyVersionList".into(),
                    format!("holds no default version (DefaultVersionId {}): the policy's permissions are unknown", quote(&default_version)),
                ));
            }
            let policy = Policy {
                name: r.string(obj, "PolicyName").unwrap_or_default(),
                arn: r.string(obj, "Arn").unwrap_or_default(),
                default_version,
                document: document.unwrap_or_default(),
                versions: versions.len(),
                origin: origin.clone(),
            };
            details.policies.push(policy);
        }
    }
    for (path, message) in r.problems {
        diags.push(
            Diagnostic::error(
                codes::AWS_DETAILS_FIELD,
                Some(span),
                format!("{path}: {message}"),
            )
            .about(origin.place.clone())
            .help("give the file as `aws iam get-account-authorization-details` writes it"),
        );
    }
}

/// Typed reads of an entry's fields, collecting every problem with its field path.
struct Fields {
    problems: Problems,
}

impl Fields {
    fn string(&mut self, obj: &Map<String, Value>, key: &str) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::String(_)) => {
                self.problems.push((key.into(), "is empty".into()));
                None
            }
            Some(v) => {
                self.problems.push((
                    key.into(),
                    format!("must be a string, found {}", kind_of(v)),
                ));
                None
            }
            None => {
                self.problems.push((key.into(), "is missing".into()));
                None
            }
        }
    }

    fn opt_string(&mut self, obj: &Map<String, Value>, key: &str) -> Option<String> {
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(_) => self.string(obj, key),
        }
    }

    fn array<'v>(&mut self, obj: &'v Map<String, Value>, key: &str) -> &'v [Value] {
        match obj.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(v) => {
                self.problems.push((
                    key.into(),
                    format!("must be an array, found {}", kind_of(v)),
                ));
                &[]
            }
        }
    }

    fn strings(&mut self, obj: &Map<String, Value>, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, v) in self.array(obj, key).iter().enumerate() {
            match v {
                Value::String(s) => out.push(s.clone()),
                v => self.problems.push((
                    format!("{key}[{i}]"),
                    format!("must be a string, found {}", kind_of(v)),
                )),
            }
        }
        out
    }

    fn inline(&mut self, obj: &Map<String, Value>, key: &str) -> Vec<Inline> {
        let mut out = Vec::new();
        for (i, v) in self.array(obj, key).iter().enumerate() {
            let at = format!("{key}[{i}]");
            let Some(p) = v.as_object() else {
                self.problems
                    .push((at, format!("must be an object, found {}", kind_of(v))));
                continue;
            };
            let name = match p.get("PolicyName") {
                Some(Value::String(s)) => s.clone(),
                _ => {
                    self.problems
                        .push((format!("{at}.PolicyName"), "must be a string".into()));
                    continue;
                }
            };
            let Some(doc) = p.get("PolicyDocument") else {
                self.problems.push((at, "has no `PolicyDocument`".into()));
                continue;
            };
            if let Some(document) =
                parse_document(doc, &format!("{at}.PolicyDocument"), &mut self.problems)
            {
                out.push(Inline { name, document });
            }
        }
        out
    }

    fn attached(&mut self, obj: &Map<String, Value>) -> Vec<Attached> {
        let mut out = Vec::new();
        for (i, v) in self
            .array(obj, "AttachedManagedPolicies")
            .iter()
            .enumerate()
        {
            let at = format!("AttachedManagedPolicies[{i}]");
            match (
                v.get("PolicyArn").and_then(Value::as_str),
                v.get("PolicyName").and_then(Value::as_str),
            ) {
                (Some(arn), name) => out.push(Attached {
                    name: name
                        .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn))
                        .to_string(),
                    arn: arn.to_string(),
                }),
                (None, _) => self
                    .problems
                    .push((format!("{at}.PolicyArn"), "must be a string".into())),
            }
        }
        out
    }

    fn boundary(&mut self, obj: &Map<String, Value>) -> Option<String> {
        match obj.get("PermissionsBoundary") {
            None | Some(Value::Null) => None,
            Some(v) => match v.get("PermissionsBoundaryArn").and_then(Value::as_str) {
                Some(arn) => Some(arn.to_string()),
                None => {
                    self.problems.push((
                        "PermissionsBoundary.PermissionsBoundaryArn".into(),
                        "must be a string".into(),
                    ));
                    None
                }
            },
        }
    }

    fn tags(&mut self, obj: &Map<String, Value>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, v) in self.array(obj, "Tags").iter().enumerate() {
            match (
                v.get("Key").and_then(Value::as_str),
                v.get("Value").and_then(Value::as_str),
            ) {
                (Some(k), Some(val)) => out.push((k.to_string(), val.to_string())),
                _ => self.problems.push((
                    format!("Tags[{i}]"),
                    "must be {\"Key\": string, \"Value\": string}".into(),
                )),
            }
        }
        out
    }

    fn instance_profiles(&mut self, obj: &Map<String, Value>) -> Vec<String> {
        let mut out = Vec::new();
        for (i, v) in self.array(obj, "InstanceProfileList").iter().enumerate() {
            match v.get("InstanceProfileName").and_then(Value::as_str) {
                Some(n) => out.push(n.to_string()),
                None => self.problems.push((
                    format!("InstanceProfileList[{i}].InstanceProfileName"),
                    "must be a string".into(),
                )),
            }
        }
        out
    }
}

/// The byte offset a `serde_json` error points at.
fn error_offset(text: &str, e: &serde_json::Error) -> usize {
    if e.is_eof() {
        return text.len();
    }
    let line_start = if e.line() <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', text.as_bytes())
            .nth(e.line() - 2)
            .map_or(text.len(), |p| p + 1)
    };
    let mut at = (line_start + e.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where in the document `offset` falls, as `Section[i] (kind "name").Field[j]`: a light
/// scan that follows objects, arrays and strings up to the offset, for the messages about a
/// file that does not parse.
pub(crate) fn place_at(text: &str, offset: usize) -> String {
    enum Frame {
        Object {
            key: Option<String>,
            expect_key: bool,
            name: Option<String>,
        },
        Array {
            index: usize,
        },
    }
    let bytes = &text.as_bytes()[..offset.min(text.len())];
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                expect_key: true,
                name: None,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let s = String::from_utf8_lossy(&bytes[start..j.min(bytes.len())]).into_owned();
                let depth = stack.len();
                let closed = j < bytes.len();
                if closed
                    && let Some(Frame::Object {
                        key,
                        expect_key,
                        name,
                    }) = stack.last_mut()
                {
                    if *expect_key {
                        *key = Some(s);
                    } else if depth == 3
                        && matches!(
                            key.as_deref(),
                            Some("UserName" | "GroupName" | "RoleName" | "PolicyName")
                        )
                    {
                        *name = Some(s);
                    }
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = String::new();
    for (depth, frame) in stack.iter().enumerate() {
        match frame {
            Frame::Object { key, name, .. } => {
                if depth == 2 {
                    let section = match &stack[0] {
                        Frame::Object { key: Some(k), .. } => k.as_str(),
                        _ => "",
                    };
                    let what = match section {
                        "UserDetailList" => "user",
                        "GroupDetailList" => "group",
                        "RoleDetailList" => "role",
                        _ => "policy",
                    };
                    if let Some(n) = name {
                        out.push_str(&format!(" ({what} {})", quote(n)));
                    }
                }
                if let Some(k) = key {
                    if !out.is_empty() && depth > 0 {
                        out.push('.');
                    }
                    out.push_str(k);
                }
            }
            Frame::Array { index } => out.push_str(&format!("[{index}]")),
        }
    }
    if out.is_empty() {
        "the top level".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_in_a_broken_file() {
        let text = r#"{"UserDetailList": [{"UserName": "a"}, {"UserName": "bob", "AttachedManagedPolicies": [{"PolicyArn": "x"}, {"#;
        assert_eq!(
            place_at(text, text.len()),
            "UserDetailList[1] (user \"bob\").AttachedManagedPolicies[1]"
        );
        assert_eq!(place_at("{", 1), "the top level");
    }

    #[test]
    fn truncated_and_malformed_entries_are_named() {
        let mut d = Diagnostics::new("a.json");
        read(
            r#"{"UserDetailList": [{"UserName": "bob", "Arn": "arn:aws:iam::1:user/bob", "GroupList": ["#,
            &mut d,
        );
        let out = d.render();
        assert!(out.contains("a.json:1:"), "{out}");
        assert!(
            out.contains("the file ends inside UserDetailList[0] (user \"bob\").GroupList"),
            "{out}"
        );
        let mut d = Diagnostics::new("b.json");
        let details = read(
            r#"{"UserDetailList": [], "RoleDetailList": [
  {"RoleName": "r", "Arn": "arn:aws:iam::1:role/r", "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow"}]}, "RolePolicyList": 7}
]}"#,
            &mut d,
        );
        let out = d.render();
        assert!(out.contains("b.json:2:3: error: RoleDetailList[0] (role \"r\"): AssumeRolePolicyDocument.Statement[0]: has neither `Action` nor `NotAction` [aws-details-field]"), "{out}");
        assert!(
            out.contains("RolePolicyList: must be an array, found a number"),
            "{out}"
        );
        assert_eq!(details.missing, ["GroupDetailList", "Policies"]);
    }
}
