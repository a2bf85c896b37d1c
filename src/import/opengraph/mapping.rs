//! The mapping file of `import opengraph`: foreign kinds to authpath's, read from TOML with
//! the place of every value, so that each problem names its line and column, the value, the
//! accepted ones and the nearest of them — all problems of the file, not only the first.

use crate::diagnostics::{Code, Diagnostic, Diagnostics, codes, did_you_mean, quote};
use crate::model::{CredentialType, EdgeKind, Level, NodeKind, Sensitivity};
use crate::source::Locator;
use std::collections::BTreeMap;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// How foreign kinds become authpath's.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// Foreign node kind → what its nodes become.
    pub nodes: BTreeMap<String, NodeRule>,
    /// Foreign edge kind → its rules; the first whose `from`/`to` filters match decides.
    pub edges: BTreeMap<String, Vec<EdgeRule>>,
    /// Nodes to tag `tier0`: of a kind, optionally with a property equal to a value.
    pub tier0: Vec<Tier0Rule>,
    /// The node property that becomes `name` (default `name`).
    pub name_property: String,
}

impl Default for Mapping {
    fn default() -> Mapping {
        Mapping {
            nodes: BTreeMap::new(),
            edges: BTreeMap::new(),
            tier0: Vec::new(),
            name_property: "name".into(),
        }
    }
}

/// What a foreign node kind becomes.
#[derive(Clone, Debug)]
pub enum NodeRule {
    Node(NodeRuleFull),
    /// Left out on purpose: it changes no one's authority (the reason, when given).
    Ignore(Option<String>),
    /// Left out although it matters to authority: every such node is a warning with the reason.
    Unmodelled(String),
}

#[derive(Clone, Debug)]
pub struct NodeRuleFull {
    pub kind: NodeKind,
    pub sensitivity: Option<Sensitivity>,
    pub tags: Vec<String>,
    pub credential_type: Option<CredentialType>,
    /// Format field → the foreign property that fills it (`last_used_at =
    /// "token_last_used_at"`). Only fields the kind may carry.
    pub fields: BTreeMap<String, String>,
}

/// What a foreign edge (of a kind, between ends of given foreign kinds) becomes.
#[derive(Clone, Debug)]
pub struct EdgeRule {
    /// Only when the start node has this foreign kind.
    pub from: Option<String>,
    /// Only when the end node has this foreign kind.
    pub to: Option<String>,
    pub action: EdgeAction,
}

#[derive(Clone, Debug)]
pub enum EdgeAction {
    /// An edge of the format. With `cover`, it goes to the end's cover group of that name
    /// (`END#NAME`) instead of the end.
    Edge {
        kind: EdgeKind,
        level: Option<Level>,
        requires: Option<Level>,
        cover: Option<String>,
    },
    /// The start covers the end: the end joins the start's cover group `START#NAME`, which
    /// grants it (admin); an end that is the end of an edge of kind `unless` is not covered.
    Covers {
        cover: String,
        unless: Option<String>,
    },
    Ignore(Option<String>),
    Unmodelled(String),
}

#[derive(Clone, Debug)]
pub struct Tier0Rule {
    pub kind: String,
    pub property: Option<String>,
    pub equals: Option<String>,
}

/// The cover group every `grants` and `admin_of` on a covering node also reaches.
pub const DEFAULT_COVER: &str = "covers";

/// The fields a node of `kind` may have filled from a property.
pub fn fields_of(kind: NodeKind) -> Vec<&'static str> {
    // Every field the format defines on nodes, but the two that name the node itself.
    let mut out: Vec<&str> = crate::load::fields::NODE_COMMON[2..]
        .iter()
        .copied()
        // An organisation is its own: docs/format.md forbids `org` on it.
        .filter(|f| !(kind.is_org() && *f == "org"))
        .collect();
    match kind {
        NodeKind::Credential => out.extend(crate::load::fields::CREDENTIAL_ONLY),
        NodeKind::Partner => out.push("contract_end"),
        _ => {}
    }
    out
}

const TOP_KEYS: &[&str] = &["name_property", "nodes", "edges", "tier0"];
const NODE_KEYS: &[&str] = &[
    "kind",
    "sensitivity",
    "tags",
    "credential_type",
    "fields",
    "why",
];
const EDGE_KEYS: &[&str] = &[
    "kind", "level", "requires", "from", "to", "cover", "unless", "why",
];
const TIER0_KEYS: &[&str] = &["kind", "property", "equals"];
const NODE_PSEUDO: &[&str] = &["ignore", "unmodelled"];
const EDGE_PSEUDO: &[&str] = &["covers", "ignore", "unmodelled"];

fn node_kinds() -> Vec<&'static str> {
    NodeKind::NAMES.iter().chain(NODE_PSEUDO).copied().collect()
}

fn edge_kinds() -> Vec<&'static str> {
    EdgeKind::NAMES.iter().chain(EDGE_PSEUDO).copied().collect()
}

/// Reads a mapping file; every problem goes to `diags` with its line and column.
pub fn read_mapping(text: &str, diags: &mut Diagnostics) -> Option<Mapping> {
    let mut r = Reader {
        loc: Locator::new(text),
        diags,
        errors: 0,
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    for e in &errors {
        let at = e.span().map_or(0, |s| s.start);
        r.error(
            codes::OPENGRAPH_MAPPING,
            at,
            format!("invalid TOML: {}", e.message().trim()),
            "fix the TOML syntax at this place".into(),
        );
    }
    if !errors.is_empty() {
        return None;
    }
    let mapping = r.mapping(root.get_ref());
    (r.errors == 0).then_some(mapping)
}

struct Reader<'t, 'd> {
    loc: Locator<'t>,
    diags: &'d mut Diagnostics,
    errors: usize,
}

impl Reader<'_, '_> {
    fn error(&mut self, code: Code, at: usize, message: String, help: String) {
        let span = self.loc.span(at);
        self.diags
            .push(Diagnostic::error(code, Some(span), message).help(help));
        self.errors += 1;
    }

    fn wrong(&mut self, key: &str, v: &Spanned<DeValue<'_>>, expected: &str) {
        self.error(
            codes::OPENGRAPH_MAPPING,
            v.span().start,
            format!(
                "`{key}` must be {expected}, found {}",
                crate::source::toml_type(v.get_ref())
            ),
            format!("write `{key}` as {expected} (docs/interop.md, \"Importing OpenGraph\")"),
        );
    }

    /// A value outside a closed list: the value, the list, and the nearest.
    fn unknown(&mut self, code: Code, at: usize, what: &str, got: &str, choices: &[&str]) {
        let list = choices.join(", ");
        let help = match did_you_mean(got, choices.iter().copied()) {
            Some(m) => format!("did you mean `{m}`? (one of: {list})"),
            None => format!("use one of: {list}"),
        };
        self.error(code, at, format!("{what} {}", quote(got)), help);
    }

    fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&str], what: &str) {
        for (k, _) in table.iter() {
            if !known.contains(&k.get_ref().as_ref()) {
                self.unknown(
                    codes::OPENGRAPH_MAPPING_KEY,
                    k.span().start,
                    &format!("{what} has no key"),
                    k.get_ref(),
                    known,
                );
            }
        }
    }

    fn string(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong(key, v, "a string");
                None
            }
        }
    }

    fn word<T>(
        &mut self,
        key: &str,
        v: &Spanned<DeValue<'_>>,
        parse: impl Fn(&str) -> Option<T>,
        names: &[&str],
    ) -> Option<T> {
        let s = self.string(key, v)?;
        let t = parse(&s);
        if t.is_none() {
            self.unknown(
                codes::OPENGRAPH_MAPPING_VALUE,
                v.span().start,
                &format!("unknown {key}"),
                &s,
                names,
            );
        }
        t
    }

    fn table<'a, 'i>(&mut self, key: &str, v: &'a Spanned<DeValue<'i>>) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong(key, v, "a table");
                None
            }
        }
    }

    fn mapping(&mut self, root: &DeTable<'_>) -> Mapping {
        let mut m = Mapping::default();
        self.unknown_keys(root, TOP_KEYS, "a mapping");
        if let Some(v) = root.get("name_property")
            && let Some(s) = self.string("name_property", v)
        {
            m.name_property = s;
        }
        if let Some(v) = root.get("nodes")
            && let Some(t) = self.table("nodes", v)
        {
            for (k, v) in t.iter() {
                if let Some(rule) = self.node_rule(k.get_ref(), v) {
                    m.nodes.insert(k.get_ref().to_string(), rule);
                }
            }
        }
        if let Some(v) = root.get("edges")
            && let Some(t) = self.table("edges", v)
        {
            for (k, v) in t.iter() {
                let rules = match v.get_ref() {
                    DeValue::Array(items) => items
                        .iter()
                        .filter_map(|i| self.edge_rule(k.get_ref(), i))
                        .collect(),
                    _ => self.edge_rule(k.get_ref(), v).into_iter().collect(),
                };
                m.edges.insert(k.get_ref().to_string(), rules);
            }
        }
        if let Some(v) = root.get("tier0") {
            let tables: Vec<&DeTable<'_>> = match v.get_ref() {
                DeValue::Array(items) => items
                    .iter()
                    .filter_map(|i| self.table("tier0", i))
                    .collect(),
                DeValue::Table(t) => vec![t],
                _ => {
                    self.wrong("tier0", v, "an array of tables (write [[tier0]])");
                    Vec::new()
                }
            };
            for t in tables {
                if let Some(r) = self.tier0(t) {
                    m.tier0.push(r);
                }
            }
        }
        m
    }

    /// A rule's `kind` value and, when the rule is a table, the table (its keys checked
    /// against `known`); a table without `kind`, or a value of another type, is an error.
    fn rule_head<'v, 'd>(
        &mut self,
        what: &str,
        foreign: &str,
        v: &'v Spanned<DeValue<'d>>,
        known: &[&str],
        names: &[&str],
        expected: &str,
    ) -> Option<(&'v Spanned<DeValue<'d>>, Option<&'v DeTable<'d>>)> {
        match v.get_ref() {
            DeValue::String(_) => Some((v, None)),
            DeValue::Table(t) => {
                self.unknown_keys(t, known, &format!("the rule of {what} kind {foreign}"));
                let Some(k) = t.get("kind") else {
                    self.error(
                        codes::OPENGRAPH_MAPPING,
                        v.span().start,
                        format!("the rule of {what} kind {foreign} has no `kind`"),
                        format!("add kind = \"…\", one of: {}", names.join(", ")),
                    );
                    return None;
                };
                Some((k, Some(t)))
            }
            _ => {
                self.wrong(foreign, v, expected);
                None
            }
        }
    }

    fn node_rule(&mut self, foreign: &str, v: &Spanned<DeValue<'_>>) -> Option<NodeRule> {
        let names = node_kinds();
        let (kind_v, table) = self.rule_head(
            "node",
            foreign,
            v,
            NODE_KEYS,
            &names,
            "a node kind or a table with `kind`",
        )?;
        let kind = self.string("kind", kind_v)?;
        let why = table
            .and_then(|t| t.get("why"))
            .and_then(|w| self.string("why", w));
        match kind.as_str() {
            "ignore" => return Some(NodeRule::Ignore(why)),
            "unmodelled" => {
                return match why {
                    Some(w) => Some(NodeRule::Unmodelled(w)),
                    None => {
                        self.error(
                            codes::OPENGRAPH_MAPPING,
                            kind_v.span().start,
                            format!("node kind {foreign} is `unmodelled` without `why`"),
                            "add why = \"what it does to authority and what would model it\"; the import's warning quotes it".into(),
                        );
                        None
                    }
                };
            }
            _ => {}
        }
        let kind = self.word("node kind", kind_v, NodeKind::parse, &names)?;
        let mut rule = NodeRuleFull {
            kind,
            sensitivity: None,
            tags: Vec::new(),
            credential_type: None,
            fields: BTreeMap::new(),
        };
        let Some(t) = table else {
            return Some(NodeRule::Node(rule));
        };
        let mut ok = true;
        if let Some(v) = t.get("sensitivity") {
            rule.sensitivity = self.word("sensitivity", v, Sensitivity::parse, Sensitivity::NAMES);
            ok &= rule.sensitivity.is_some();
        }
        if let Some(v) = t.get("credential_type") {
            if kind != NodeKind::Credential {
                self.misplaced(v, "credential_type", kind);
                ok = false;
            } else {
                rule.credential_type = self.word(
                    "credential_type",
                    v,
                    CredentialType::parse,
                    CredentialType::NAMES,
                );
                ok &= rule.credential_type.is_some();
            }
        }
        if let Some(v) = t.get("tags") {
            match v.get_ref() {
                DeValue::Array(items) => {
                    for i in items {
                        match self.string("tags", i) {
                            Some(s) => rule.tags.push(s),
                            None => ok = false,
                        }
                    }
                }
                _ => {
                    self.wrong("tags", v, "an array of strings");
                    ok = false;
                }
            }
        }
        if let Some(v) = t.get("fields") {
            let allowed = fields_of(kind);
            match self.table("fields", v) {
                Some(f) => {
                    for (field, prop) in f.iter() {
                        let name = field.get_ref();
                        if !allowed.contains(&name.as_ref()) {
                            let what = if is_field(name.as_ref()) {
                                format!(
                                    "`fields` of node kind {foreign} ({kind}) names a field a {kind} node cannot have:"
                                )
                            } else {
                                format!(
                                    "`fields` of node kind {foreign} names a key that is not a field of the format:"
                                )
                            };
                            self.unknown(
                                codes::OPENGRAPH_MAPPING_FIELD,
                                field.span().start,
                                &what,
                                name,
                                &allowed,
                            );
                            ok = false;
                            continue;
                        }
                        match self.string(name, prop) {
                            Some(p) => {
                                rule.fields.insert(name.to_string(), p);
                            }
                            None => ok = false,
                        }
                    }
                }
                None => ok = false,
            }
        }
        ok.then_some(NodeRule::Node(rule))
    }

    fn misplaced(&mut self, v: &Spanned<DeValue<'_>>, key: &str, kind: impl std::fmt::Display) {
        self.error(
            codes::OPENGRAPH_MAPPING_KEY,
            v.span().start,
            format!("`{key}` does not apply to kind {kind}"),
            format!("remove `{key}` from this rule"),
        );
    }

    fn edge_rule(&mut self, foreign: &str, v: &Spanned<DeValue<'_>>) -> Option<EdgeRule> {
        let names = edge_kinds();
        let (kind_v, table) = self.rule_head(
            "edge",
            foreign,
            v,
            EDGE_KEYS,
            &names,
            "an edge kind, a table with `kind`, or an array of them",
        )?;
        let kind = self.string("kind", kind_v)?;
        let get = |k: &str| table.and_then(|t| t.get(k));
        let mut ok = true;
        let mut text = |r: &mut Self, key: &str| -> Option<String> {
            let v = get(key)?;
            let s = r.string(key, v);
            ok &= s.is_some();
            s
        };
        let from = text(self, "from");
        let to = text(self, "to");
        let why = text(self, "why");
        let cover = text(self, "cover");
        let unless = text(self, "unless");
        let level = get("level").map(|v| self.word("level", v, Level::parse, Level::NAMES));
        let requires =
            get("requires").map(|v| self.word("requires", v, Level::parse, Level::NAMES));
        ok &= level.is_none_or(|l| l.is_some()) && requires.is_none_or(|l| l.is_some());
        let (level, requires) = (level.flatten(), requires.flatten());
        // Keys that belong to other kinds of rule are refused, so none is silently ignored.
        let mut only = |r: &mut Self, key: &str, allowed: bool, kind: &str| {
            if !allowed && let Some(v) = get(key) {
                r.misplaced(v, key, kind);
                ok = false;
            }
        };
        let action = match kind.as_str() {
            "ignore" | "unmodelled" => {
                for key in ["level", "requires", "cover", "unless"] {
                    only(self, key, false, &kind);
                }
                if kind == "ignore" {
                    EdgeAction::Ignore(why)
                } else if let Some(w) = why {
                    EdgeAction::Unmodelled(w)
                } else {
                    self.error(
                        codes::OPENGRAPH_MAPPING,
                        kind_v.span().start,
                        format!("edge kind {foreign} is `unmodelled` without `why`"),
                        "add why = \"what it does to authority and what would model it\"; the import's warning quotes it".into(),
                    );
                    return None;
                }
            }
            "covers" => {
                for key in ["level", "requires"] {
                    only(self, key, false, "covers");
                }
                EdgeAction::Covers {
                    cover: cover.unwrap_or_else(|| DEFAULT_COVER.into()),
                    unless,
                }
            }
            _ => {
                let kind = self.word("edge kind", kind_v, EdgeKind::parse, &names)?;
                only(self, "unless", false, kind.as_str());
                only(self, "requires", kind == EdgeKind::Exposes, kind.as_str());
                only(self, "level", kind != EdgeKind::Exposes, kind.as_str());
                only(self, "cover", kind == EdgeKind::MemberOf, kind.as_str());
                EdgeAction::Edge {
                    kind,
                    level,
                    requires,
                    cover,
                }
            }
        };
        ok.then_some(EdgeRule { from, to, action })
    }

    fn tier0(&mut self, t: &DeTable<'_>) -> Option<Tier0Rule> {
        self.unknown_keys(t, TIER0_KEYS, "a [[tier0]] rule");
        let kind = match t.get("kind") {
            Some(v) => self.string("kind", v)?,
            None => {
                let at = t.iter().next().map_or(0, |(k, _)| k.span().start);
                self.error(
                    codes::OPENGRAPH_MAPPING,
                    at,
                    "a [[tier0]] rule has no `kind`".into(),
                    "add kind = \"FOREIGN_KIND\" (the nodes to tag tier0)".into(),
                );
                return None;
            }
        };
        let property = t.get("property").and_then(|v| self.string("property", v));
        let equals = match t.get("equals") {
            None => None,
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                DeValue::Integer(i) => Some(i.as_str().to_string()),
                DeValue::Float(f) => Some(f.as_str().to_string()),
                DeValue::Boolean(b) => Some(b.to_string()),
                _ => {
                    self.wrong("equals", v, "a string, number or boolean");
                    return None;
                }
            },
        };
        Some(Tier0Rule {
            kind,
            property,
            equals,
        })
    }
}

/// Whether a mapping can fill `name` on some kind (to tell "not a field" from "not on this
/// kind"): the format's node fields but the two that name the node.
fn is_field(name: &str) -> bool {
    crate::load::fields::NODE_COMMON[2..]
        .iter()
        .chain(crate::load::fields::CREDENTIAL_ONLY)
        .chain(&["contract_end"])
        .any(|f| *f == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<Mapping>, String) {
        let mut d = Diagnostics::new("m.toml");
        let m = read_mapping(text, &mut d);
        (m, d.render())
    }

    #[test]
    fn every_format_field_of_the_kind_can_be_filled_org_too() {
        let (m, out) = read(
            "[nodes]\nGH_Repository = { kind = \"resource\", fields = { org = \"environmentid\", owner = \"o\", tags = \"t\", sensitivity = \"s\" } }\nP = { kind = \"partner\", fields = { contract_end = \"end\" } }\n",
        );
        assert!(m.is_some(), "{out}");
        let NodeRule::Node(r) = &m.unwrap().nodes["GH_Repository"] else {
            panic!()
        };
        assert_eq!(r.fields["org"], "environmentid");
    }

    #[test]
    fn every_problem_has_its_place_value_choices_and_nearest() {
        let (m, out) = read(concat!(
            "nam_property = \"n\"\n",
            "[nodes]\n",
            "GH_User = \"person\"\n",
            "GH_Team = { kind = \"group\", fields = { onwer = \"x\" } }\n",
            "GH_Org = { kind = \"tenant\", fields = { org = \"x\" } }\n",
            "[edges]\n",
            "GH_HasRole = { kind = \"member_off\" }\n",
            "GH_Write = { kind = \"grants\", level = \"wrte\", requires = \"read\" }\n",
        ));
        assert!(m.is_none());
        for want in [
            "m.toml:1:1: error: a mapping has no key \"nam_property\"",
            "did you mean `name_property`?",
            "m.toml:3:11: error: unknown node kind \"person\"",
            "one of: human, service, agent, app, partner, tenant, group, credential, resource, ignore, unmodelled",
            "m.toml:4:40: error: `fields` of node kind GH_Team names a key that is not a field of the format: \"onwer\"",
            "did you mean `owner`?",
            "m.toml:5:40: error: `fields` of node kind GH_Org (tenant) names a field a tenant node cannot have: \"org\"",
            "m.toml:7:23: error: unknown edge kind \"member_off\"",
            "did you mean `member_of`?",
            "m.toml:8:39: error: unknown level \"wrte\"",
            "did you mean `write`?",
            "m.toml:8:58: error: `requires` does not apply to kind grants",
        ] {
            assert!(out.contains(want), "missing {want:?} in:\n{out}");
        }
    }

    #[test]
    fn pseudo_kinds_need_what_they_promise() {
        let (m, out) = read("[edges]\nGH_X = \"unmodelled\"\n");
        assert!(m.is_none());
        assert!(out.contains("m.toml:2:8:"), "{out}");
        assert!(out.contains("without `why`"), "{out}");
        let (m, out) = read(concat!(
            "[edges]\n",
            "GH_Contains = [{ to = \"GH_EnvSecret\", kind = \"exposes\", requires = \"write\" }, { kind = \"ignore\" }]\n",
            "GH_Owns = { kind = \"covers\", unless = \"GH_ProtectedBy\" }\n",
            "GH_AddCollaborator = { kind = \"member_of\", cover = \"covers\" }\n",
        ));
        let m = m.unwrap_or_else(|| panic!("{out}"));
        assert_eq!(m.edges["GH_Contains"].len(), 2);
        assert!(matches!(
            &m.edges["GH_Owns"][0].action,
            EdgeAction::Covers { cover, unless: Some(u) } if cover == "covers" && u == "GH_ProtectedBy"
        ));
    }
}
