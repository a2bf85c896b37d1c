//! Reading one node or edge object, field by field, reporting every problem with its place.

use super::json::{self, Entry, Locator, NotObject, strip_position};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Subject, codes, did_you_mean, quote};
use crate::model::{
    CredentialFields, CredentialType, Edge, EdgeKind, Level, Node, NodeIx, NodeKind, Properties,
    Sensitivity, Span, Status,
};
use crate::timestamp::Timestamp;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Keys docs/format.md defines on nodes of every kind.
pub(crate) const NODE_COMMON: &[&str] = &[
    "id",
    "kind",
    "name",
    "org",
    "owner",
    "status",
    "sensitivity",
    "tags",
    "purpose",
    "reviewed_at",
];
/// Keys docs/format.md defines only on `credential` nodes.
pub(crate) const CREDENTIAL_ONLY: &[&str] = &[
    "credential_type",
    "issued_at",
    "expires_at",
    "last_used_at",
    "rotated_at",
    "scopes",
    "used_scopes",
];
/// Keys docs/format.md defines on edges.
const EDGE_KEYS: &[&str] = &[
    "from",
    "to",
    "kind",
    "level",
    "requires",
    "redelegable",
    "expires_at",
    "granted_by",
    "purpose",
    "reviewed_at",
];

/// Whether docs/format.md defines `key` on some node or edge: an importer keeps a foreign
/// property of that name under another (it is not that field).
pub(crate) fn is_format_key(key: &str) -> bool {
    NODE_COMMON.contains(&key)
        || CREDENTIAL_ONLY.contains(&key)
        || EDGE_KEYS.contains(&key)
        || key == "contract_end"
}

/// The defined key `key` was probably meant as: the same letters in another case or with
/// other separators (`expiresAt`, `expires-at`), a defined key cut at an underscore
/// (`expires`, `last_used`), a common synonym (`expiry`, `valid_until`), or a misspelling
/// (`expries_at`).
fn near_miss<'k>(key: &str, defined: impl Iterator<Item = &'k str> + Clone) -> Option<&'k str> {
    let bare = |k: &str| -> String {
        k.chars()
            .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    if defined.clone().any(|d| d == key) {
        return None;
    }
    let b = bare(key);
    if let Some(d) = defined.clone().find(|d| bare(d) == b) {
        return Some(d);
    }
    if key.len() >= 4
        && let Some(d) = defined.clone().find(|d| {
            d.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with('_'))
        })
    {
        return Some(d);
    }
    const SYNONYMS: &[(&str, &str)] = &[
        ("expiry", "expires_at"),
        ("expiration", "expires_at"),
        ("expiration_date", "expires_at"),
        ("expires_on", "expires_at"),
        ("expiry_date", "expires_at"),
        ("valid_until", "expires_at"),
        ("not_after", "expires_at"),
        ("last_used", "last_used_at"),
        ("last_use", "last_used_at"),
        ("last_seen", "last_used_at"),
        ("last_rotated", "rotated_at"),
        ("issued", "issued_at"),
        ("issue_date", "issued_at"),
        ("not_before", "issued_at"),
        ("contract_end_date", "contract_end"),
        ("contract_expires", "contract_end"),
        ("sensitive", "sensitivity"),
        ("tag", "tags"),
        ("scope", "scopes"),
        ("type", "credential_type"),
        ("owned_by", "owner"),
        ("organisation", "org"),
        ("organization", "org"),
        ("approved_by", "granted_by"),
        ("redelegatable", "redelegable"),
    ];
    if let Some((_, d)) = SYNONYMS.iter().find(|(s, _)| bare(s) == b)
        && let Some(d) = defined.clone().find(|x| x == d)
    {
        return Some(d);
    }
    if key.chars().count() >= 4 {
        return did_you_mean(key, defined);
    }
    None
}

/// Answers of `near_miss`, per set of defined keys (their tables' addresses) and key.
type NearMisses = std::collections::HashMap<
    [(usize, usize); 2],
    std::collections::HashMap<String, Option<&'static str>>,
>;

thread_local! {
    /// `near_miss` per set of defined keys and free-form key: a graph repeats a handful of
    /// property names millions of times, and each answer is an edit-distance search.
    static NEAR_MISS: std::cell::RefCell<NearMisses> = std::cell::RefCell::new(NearMisses::new());
}

fn near_miss_cached(key: &str, defined: &[&'static [&'static str]]) -> Option<&'static str> {
    let keys = || defined.iter().flat_map(|d| d.iter().copied());
    // The sets of defined keys are static tables: their addresses name them.
    let mut set = [(0, 0); 2];
    if defined.len() > set.len() {
        return near_miss(key, keys());
    }
    for (slot, d) in set.iter_mut().zip(defined) {
        *slot = (d.as_ptr() as usize, d.len());
    }
    NEAR_MISS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let known = cache.entry(set).or_default();
        if let Some(answer) = known.get(key) {
            return *answer;
        }
        let answer = near_miss(key, keys());
        // Bounded: a hostile file of distinct keys keeps the search, not the memory.
        if known.len() < 4096 {
            known.insert(key.to_string(), answer);
        }
        answer
    })
}

/// What ignoring a misspelt field means, for the warning's help.
fn consequence(meant: &str) -> &'static str {
    match meant {
        "expires_at" => "the object is treated as never expiring",
        "last_used_at" => "the credential counts as never used",
        "rotated_at" | "issued_at" => "its age is judged without it",
        "contract_end" => "the partner counts as under contract",
        "owner" => "it counts as having no owner",
        "org" => "it belongs to the home organisation",
        "sensitivity" | "tags" => "it is not judged critical by it",
        "redelegable" => "the grant counts as not redelegable",
        _ => "the field keeps its default",
    }
}

/// A node as read, before ids are cross-checked.
pub struct PendingNode {
    /// Its place in the file's `nodes` array.
    pub index: usize,
    pub node: Node,
    /// False when `kind` was missing or unknown (already reported); checks that need the
    /// kind are skipped for it.
    pub kind_known: bool,
    /// `org` as written, resolved once every node is known.
    pub org: Option<(String, Span)>,
}

/// The endpoints of an edge as written, resolved to nodes once every node is known. Kept
/// apart from the [`Edge`] so that resolution fills the edges in place.
pub struct Ends<'a> {
    pub index: usize,
    pub from: Cow<'a, str>,
    pub to: Cow<'a, str>,
}

/// Reads fields, reporting problems against one node or edge.
pub struct Reader<'l, 'a> {
    pub loc: &'l mut Locator<'a>,
    pub diags: &'l mut Diagnostics,
}

impl<'a> Reader<'_, 'a> {
    fn error(
        &mut self,
        code: Code,
        place: &str,
        subject: &Subject<'_>,
        message: String,
        help: Option<String>,
    ) {
        let at = self.loc.offset_of(place);
        self.error_at(code, at, subject, message, help);
    }

    fn error_at(
        &mut self,
        code: Code,
        at: usize,
        subject: &Subject<'_>,
        message: String,
        help: Option<String>,
    ) {
        let span = self.loc.span(at);
        let mut d = Diagnostic::error(code, Some(span), message).about_subject(subject);
        if let Some(h) = help {
            d = d.help(h);
        }
        self.diags.push(d);
    }

    fn wrong_type(&mut self, subject: &Subject<'_>, e: &Entry<'a>, expected: &str) {
        let msg = format!(
            "`{}` must be {expected}, found {}",
            e.key,
            json::type_name(e.value)
        );
        self.error(codes::WRONG_TYPE, e.value.get(), subject, msg, None);
    }

    /// The entries of an object, or `None` after reporting why it is not one.
    pub fn entries(&mut self, raw: &'a RawValue, subject: &Subject<'_>) -> Option<Vec<Entry<'a>>> {
        match json::object_entries(raw.get()) {
            Ok(entries) => {
                self.report_repeats(&entries, subject);
                Some(entries)
            }
            Err(NotObject::Type(t)) => {
                self.error(
                    codes::WRONG_TYPE,
                    raw.get(),
                    subject,
                    format!("expected an object, found {t}"),
                    None,
                );
                None
            }
            Err(NotObject::Json(e)) => {
                self.error(
                    codes::JSON_SYNTAX,
                    raw.get(),
                    subject,
                    strip_position(&e),
                    None,
                );
                None
            }
        }
    }

    pub(crate) fn report_repeats(&mut self, entries: &[Entry<'a>], subject: &Subject<'_>) {
        for (i, e) in entries.iter().enumerate() {
            if let Some(first) = entries[..i].iter().find(|f| f.key == e.key) {
                let first_at = self.loc.span(first.key_offset(self.loc));
                self.error_at(
                    codes::DUPLICATE_KEY,
                    e.key_offset(self.loc),
                    subject,
                    format!(
                        "the key `{}` appears twice (first at {}:{})",
                        e.key, first_at.line, first_at.column
                    ),
                    Some("keep one of them: an object must not repeat a key".into()),
                );
            }
        }
    }

    fn string(&mut self, subject: &Subject<'_>, e: &Entry<'a>) -> Option<String> {
        self.cow_string(subject, e).map(Cow::into_owned)
    }

    /// A string value, borrowed from the input unless it has escapes. The raw value is
    /// already valid JSON, so a string without a backslash is exactly its quoted text;
    /// serde would allocate every one of them (its `Cow<str>` is always owned).
    fn cow_string(&mut self, subject: &Subject<'_>, e: &Entry<'a>) -> Option<Cow<'a, str>> {
        let raw = e.value.get();
        if !raw.starts_with('"') {
            if !json::is_null(e.value) {
                self.wrong_type(subject, e, "a string");
            }
            return None;
        }
        if raw.len() >= 2 && !raw.contains('\\') {
            return Some(Cow::Borrowed(&raw[1..raw.len() - 1]));
        }
        serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
    }

    fn vocabulary<T>(
        &mut self,
        subject: &Subject<'_>,
        e: &Entry<'a>,
        parse: fn(&str) -> Option<T>,
        all: &[&'static str],
    ) -> Option<T> {
        let s = self.cow_string(subject, e)?;
        if let Some(v) = parse(&s) {
            return Some(v);
        }
        let mut help = format!("use one of: {}", all.join(", "));
        if let Some(m) = did_you_mean(&s, all.iter().copied()) {
            help = format!("did you mean {m:?}? ({help})");
        }
        self.error(
            codes::UNKNOWN_VALUE,
            e.value.get(),
            subject,
            format!("unknown {} {}", e.key, quote(&s)),
            Some(help),
        );
        None
    }

    pub fn time(&mut self, subject: &Subject<'_>, e: &Entry<'a>) -> Option<Timestamp> {
        let s = self.cow_string(subject, e)?;
        match Timestamp::parse(&s) {
            Ok(t) => Some(t),
            Err(why) => {
                self.error(
                    codes::INVALID_TIMESTAMP,
                    e.value.get(),
                    subject,
                    format!("`{}` is not an RFC 3339 date-time: {}", e.key, quote(&s)),
                    Some(why.to_string()),
                );
                None
            }
        }
    }

    fn strings(&mut self, subject: &Subject<'_>, e: &Entry<'a>) -> Option<Vec<String>> {
        if json::is_null(e.value) {
            return None;
        }
        match serde_json::from_str::<Vec<String>>(e.value.get()) {
            Ok(v) => Some(v),
            Err(_) => {
                self.wrong_type(subject, e, "an array of strings");
                None
            }
        }
    }

    fn boolean(&mut self, subject: &Subject<'_>, e: &Entry<'a>) -> Option<bool> {
        match e.value.get() {
            "null" => None,
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                self.wrong_type(subject, e, "true or false");
                None
            }
        }
    }

    /// Keeps a free-form field; one that looks like a misspelling of a field the format
    /// defines for this object (`defined`) gets a warning, as it is then not that field.
    fn property(
        &mut self,
        subject: &Subject<'_>,
        e: &Entry<'a>,
        props: &mut Properties,
        defined: &[&'static [&'static str]],
    ) {
        if let Some(meant) = near_miss_cached(&e.key, defined) {
            let span = self.loc.span(e.key_offset(self.loc));
            self.diags.push(
                Diagnostic::warning(
                    codes::NEAR_MISS_KEY,
                    Some(span),
                    format!(
                        "`{}` is not a field of the format, so it is kept as a free-form property: did you mean `{meant}`?",
                        e.key
                    ),
                )
                .about_subject(subject)
                .help(format!(
                    "rename it to `{meant}` (as written, authpath ignores it: {})",
                    consequence(meant)
                )),
            );
        }
        match json::free_value(e.value) {
            Ok(v) => props.push((e.key.clone().into_owned(), v)),
            Err(why) => self.error(
                codes::INVALID_PROPERTY,
                e.value.get(),
                subject,
                format!("the free-form field `{}` is not valid: {why}", e.key),
                None,
            ),
        }
    }

    fn misplaced(&mut self, subject: &Subject<'_>, e: &Entry<'a>, why: String) {
        // docs/format.md: an optional field whose value is null is treated as absent.
        if !json::is_null(e.value) {
            self.error_at(
                codes::MISPLACED_FIELD,
                e.key_offset(self.loc),
                subject,
                why,
                Some(format!("remove `{}` from this object", e.key)),
            );
        }
    }

    /// Reads `nodes[index]`. Returns a node whenever it has a usable id, so later checks do
    /// not repeat its problems as dangling references.
    pub fn node(&mut self, index: usize, raw: &'a RawValue) -> Option<PendingNode> {
        let span = self.loc.span_of(raw.get());
        let mut subject = Subject::Node { index, id: None };
        let entries = self.entries(raw, &subject)?;
        let mut id = None;
        match entries.iter().find(|e| e.key == "id") {
            None => self.error(
                codes::MISSING_FIELD,
                raw.get(),
                &subject,
                "missing required field `id`".into(),
                Some("give every node a unique, non-empty string `id`".into()),
            ),
            Some(e) => match self.string(&subject, e) {
                Some(s) if !s.is_empty() => id = Some(s),
                Some(_) => self.error(
                    codes::EMPTY_ID,
                    e.value.get(),
                    &subject,
                    "`id` is empty".into(),
                    Some("give every node a unique, non-empty string `id`".into()),
                ),
                None if json::is_null(e.value) => self.error(
                    codes::EMPTY_ID,
                    e.value.get(),
                    &subject,
                    "`id` is null".into(),
                    Some("give every node a unique, non-empty string `id`".into()),
                ),
                None => {}
            },
        }
        subject = Subject::Node {
            index,
            id: id.as_deref(),
        };
        let kind = match entries.iter().find(|e| e.key == "kind") {
            Some(e) if !json::is_null(e.value) => {
                self.vocabulary(&subject, e, NodeKind::parse, NodeKind::NAMES)
            }
            _ => {
                self.error(
                    codes::MISSING_FIELD,
                    raw.get(),
                    &subject,
                    "missing required field `kind`".into(),
                    Some(format!("use one of: {}", NodeKind::NAMES.join(", "))),
                );
                None
            }
        };

        let mut node = Node {
            id: id.clone().unwrap_or_default(),
            kind: kind.unwrap_or(NodeKind::Resource),
            name: None,
            org: None,
            owner: None,
            status: Status::Active,
            sensitivity: Sensitivity::Medium,
            tags: Vec::new(),
            purpose: None,
            reviewed_at: None,
            credential: None,
            contract_end: None,
            properties: Vec::new(),
            span,
            critical_by_policy: false,
        };
        let mut cred = CredentialFields::default();
        let mut org = None;
        for e in &entries {
            let key = e.key.as_ref();
            match key {
                "id" | "kind" => {}
                "credential_type" | "issued_at" | "expires_at" | "last_used_at" | "rotated_at"
                | "scopes" | "used_scopes"
                    if kind.is_some_and(|k| k != NodeKind::Credential) =>
                {
                    let also = if EDGE_KEYS.contains(&key) {
                        " (and to edges)"
                    } else {
                        ""
                    };
                    self.misplaced(
                        &subject,
                        e,
                        format!(
                            "`{key}` belongs to credential nodes{also}, not to a {} node",
                            node.kind
                        ),
                    );
                }
                "name" => node.name = self.string(&subject, e),
                "purpose" => node.purpose = self.string(&subject, e),
                "owner" => node.owner = self.string(&subject, e),
                "org" => {
                    org = self
                        .string(&subject, e)
                        .map(|s| (s, self.loc.span_of(e.value.get())))
                }
                "status" => {
                    node.status = self
                        .vocabulary(&subject, e, Status::parse, Status::NAMES)
                        .unwrap_or(Status::Active)
                }
                "sensitivity" => {
                    node.sensitivity = self
                        .vocabulary(&subject, e, Sensitivity::parse, Sensitivity::NAMES)
                        .unwrap_or(Sensitivity::Medium)
                }
                "tags" => node.tags = self.strings(&subject, e).unwrap_or_default(),
                "reviewed_at" => node.reviewed_at = self.time(&subject, e),
                "credential_type" => {
                    cred.credential_type =
                        self.vocabulary(&subject, e, CredentialType::parse, CredentialType::NAMES)
                }
                "issued_at" => cred.issued_at = self.time(&subject, e),
                "expires_at" => cred.expires_at = self.time(&subject, e),
                "last_used_at" => cred.last_used_at = self.time(&subject, e),
                "rotated_at" => cred.rotated_at = self.time(&subject, e),
                "scopes" => cred.scopes = self.strings(&subject, e),
                "used_scopes" => cred.used_scopes = self.strings(&subject, e),
                "contract_end" => {
                    if kind.is_some_and(|k| k != NodeKind::Partner) {
                        self.misplaced(
                            &subject,
                            e,
                            format!(
                                "`contract_end` belongs to partner nodes, not to a {} node",
                                node.kind
                            ),
                        );
                    } else {
                        node.contract_end = self.time(&subject, e);
                    }
                }
                _ if EDGE_KEYS.contains(&key) => self.misplaced(
                    &subject,
                    e,
                    format!("`{key}` is an edge field; nodes cannot carry it"),
                ),
                _ => {
                    let own: &[&str] = match kind {
                        Some(NodeKind::Credential) => CREDENTIAL_ONLY,
                        Some(NodeKind::Partner) => &["contract_end"],
                        Some(_) => &[],
                        None => &[],
                    };
                    self.property(&subject, e, &mut node.properties, &[NODE_COMMON, own]);
                }
            }
        }
        if node.kind == NodeKind::Credential {
            node.credential = Some(Box::new(cred));
        }
        id.map(|_| PendingNode {
            index,
            node,
            kind_known: kind.is_some(),
            org,
        })
    }

    /// Reads `edges[index]`; `None` when its endpoints or kind are unusable (already reported).
    pub fn edge(&mut self, index: usize, raw: &'a RawValue) -> Option<(Ends<'a>, Edge)> {
        let span = self.loc.span_of(raw.get());
        let mut subject = Subject::Edge {
            index,
            from: None,
            to: None,
            kind: None,
        };
        let entries = self.entries(raw, &subject)?;
        let from = self.endpoint(&entries, "from", &subject, raw);
        let to = self.endpoint(&entries, "to", &subject, raw);
        let kind_entry = entries.iter().find(|e| e.key == "kind");
        let kind = match kind_entry {
            Some(e) if !json::is_null(e.value) => {
                self.vocabulary(&subject, e, EdgeKind::parse, EdgeKind::NAMES)
            }
            _ => {
                self.error(
                    codes::MISSING_FIELD,
                    raw.get(),
                    &subject,
                    "missing required field `kind`".into(),
                    Some(format!("use one of: {}", EdgeKind::NAMES.join(", "))),
                );
                None
            }
        };
        subject = Subject::Edge {
            index,
            from: from.as_deref(),
            to: to.as_deref(),
            kind: kind.map(EdgeKind::as_str),
        };
        let mut edge = Edge {
            from: NodeIx(0),
            to: NodeIx(0),
            kind: kind.unwrap_or(EdgeKind::AdminOf),
            level: Level::Admin,
            requires: Level::Read,
            redelegable: false,
            expires_at: None,
            span,
            extra: None,
        };
        for e in &entries {
            let key = e.key.as_ref();
            match key {
                "from" | "to" | "kind" => {}
                "level" if kind == Some(EdgeKind::Exposes) => self.misplaced(
                    &subject,
                    e,
                    "`level` is not allowed on `exposes`: whoever reads the resource gets the credential outright (use `requires` for the level needed to read it)".into(),
                ),
                "level" => {
                    edge.level = self
                        .vocabulary(&subject, e, Level::parse, Level::NAMES)
                        .unwrap_or(Level::Admin)
                }
                "requires" if kind.is_some_and(|k| k != EdgeKind::Exposes) => self.misplaced(
                    &subject,
                    e,
                    format!("`requires` belongs only to `exposes` edges, not to `{}`", edge.kind),
                ),
                "requires" => {
                    edge.requires = self
                        .vocabulary(&subject, e, Level::parse, Level::NAMES)
                        .unwrap_or(Level::Read)
                }
                "redelegable" if kind.is_some_and(|k| k != EdgeKind::AdminOf) => self.misplaced(
                    &subject,
                    e,
                    format!("`redelegable` belongs only to `admin_of` edges, not to `{}`", edge.kind),
                ),
                "redelegable" => edge.redelegable = self.boolean(&subject, e).unwrap_or(false),
                "expires_at" => edge.expires_at = self.time(&subject, e),
                // Absent and null leave `extra` unallocated: most edges carry none of these.
                "reviewed_at" => {
                    if let Some(t) = self.time(&subject, e) {
                        edge.extra_mut().reviewed_at = Some(t);
                    }
                }
                "granted_by" => {
                    if let Some(v) = self.string(&subject, e) {
                        edge.extra_mut().granted_by = Some(v);
                    }
                }
                "purpose" => {
                    if let Some(v) = self.string(&subject, e) {
                        edge.extra_mut().purpose = Some(v);
                    }
                }
                "status" => self.misplaced(
                    &subject,
                    e,
                    "edges have no `status`: an edge is revoked by removing it or setting `expires_at`".into(),
                ),
                _ if NODE_COMMON.contains(&key)
                    || CREDENTIAL_ONLY.contains(&key)
                    || key == "contract_end" =>
                {
                    self.misplaced(
                        &subject,
                        e,
                        format!("`{key}` is a node field; edges cannot carry it"),
                    )
                }
                _ => self.property(&subject, e, &mut edge.extra_mut().properties, &[EDGE_KEYS]),
            }
        }
        kind?;
        let ends = Ends {
            index,
            from: from?,
            to: to?,
        };
        Some((ends, edge))
    }

    fn endpoint(
        &mut self,
        entries: &[Entry<'a>],
        key: &str,
        subject: &Subject<'_>,
        raw: &'a RawValue,
    ) -> Option<Cow<'a, str>> {
        match entries.iter().find(|e| e.key == key) {
            Some(e) if !json::is_null(e.value) => self.cow_string(subject, e),
            _ => {
                self.error(
                    codes::MISSING_FIELD,
                    raw.get(),
                    subject,
                    format!("missing required field `{key}`"),
                    Some(format!("set `{key}` to the id of an existing node")),
                );
                None
            }
        }
    }
}
