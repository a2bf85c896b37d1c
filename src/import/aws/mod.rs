//! An AWS account's IAM into an authority graph (`authpath import aws-iam`).
//!
//! Reads `aws iam get-account-authorization-details` (users, groups, roles, managed
//! policies) and, optionally, the IAM credential report. Users, roles and groups become
//! principals and groups; trust policies become `assumes` edges from the principals,
//! partner accounts and identity providers they let in; identity policies become `grants`
//! on resource nodes per service, at the level their actions carry, after denies and
//! permissions boundaries; the catalogued privilege-escalation methods become `mints`,
//! `assumes`, `admin_of` and `member_of` edges ([`escalation`]); access keys from the report
//! become credentials. Every edge says in `derived_from` which policy statement or method
//! produced it; conditional permissions keep their conditions on the edge.
//! `docs/aws-import.md` documents the mapping, the methods with their sources, and what is
//! approximated.

pub mod actions;
pub mod conditions;
pub(crate) mod cross_account;
pub mod details;
pub mod escalation;
#[cfg(feature = "generators")]
pub mod generate;
pub mod organization;
pub mod policy;
pub mod report;

use super::GraphBuilder;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, codes, quote};
use crate::model::{EdgeKind, Level, NodeKind, Span};
use crate::timestamp::Timestamp;
use details::{Attached, Details, Inline, Origin};
use escalation::{Actor, ActorKind, Ctx, Derived, PolicyInfo, Principal, RoleInfo};
use policy::{Condition, Document, Permission, Permissions, Resources};
use report::Row;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What an import produced: the graph (absent when an input had an error) and every
/// problem, per file.
#[derive(Debug, Default)]
pub struct Import {
    pub graph: Option<GraphBuilder>,
    pub problems: Vec<Diagnostics>,
    pub users: usize,
    pub groups: usize,
    pub roles: usize,
    pub policies: usize,
    pub report_rows: usize,
    /// What each principal's identity policies allow of `sts:AssumeRole` (denies and
    /// boundaries applied), by node id: the reference to other accounts' roles that only
    /// an estate holding those accounts can resolve.
    pub assume_role: BTreeMap<String, Permissions>,
    /// What judging the time conditions at the instant given did.
    pub judged: conditions::Judged,
    /// Each condition key left undecided, with the number of edges drawn as if it held.
    pub undecided: BTreeMap<String, usize>,
    /// With an organization: what its SCPs do to the account, in a sentence.
    pub scp: Option<String>,
}

impl Import {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Diagnostics::has_errors)
    }
}

/// Node ids, one scheme so that findings stay stable across imports.
pub mod ids {
    pub fn account(id: &str) -> String {
        format!("aws:account:{id}")
    }
    pub fn user(name: &str) -> String {
        format!("aws:user:{name}")
    }
    pub fn role(name: &str) -> String {
        format!("aws:role:{name}")
    }
    pub fn group(name: &str) -> String {
        format!("aws:group:{name}")
    }
    /// A user's access key by its slot in the credential report (which does not give ids).
    pub fn key(user: &str, slot: usize) -> String {
        format!("aws:key:{user}/{slot}")
    }
    pub(crate) fn certificate(user: &str, slot: usize) -> String {
        format!("aws:cert:{user}/{slot}")
    }
    pub fn root(account: &str) -> String {
        format!("aws:root:{account}")
    }
    /// A SAML or OIDC identity provider a trust policy lets in.
    pub fn provider(name: &str) -> String {
        format!("aws:idp:{name}")
    }
    /// What a policy's `Resource` names, per service: `aws:res:s3:::bucket/*`,
    /// `aws:res:s3:*`.
    pub fn resource(service: &str, rest: &str) -> String {
        format!("aws:res:{service}:{rest}")
    }
    /// Every action on every resource: control of the account.
    pub fn everything() -> String {
        resource("*", "*")
    }
    /// A node of another account than the file's own, in a file that mixes accounts:
    /// `aws:user:ACCOUNT/NAME`, `aws:res:ACCOUNT/s3:*`; account and root nodes already name
    /// theirs.
    pub fn qualified(id: &str, account: &str) -> String {
        if let Some((base, changer)) = id.split_once("#rewritten-by:") {
            return rewritten(&qualified(base, account), &qualified(changer, account));
        }
        let (base, suffix) = id.split_at(id.find('#').unwrap_or(id.len()));
        match base.strip_prefix("aws:").and_then(|r| r.split_once(':')) {
            Some((kind, rest)) if kind != "account" && kind != "root" => {
                format!("aws:{kind}:{account}/{rest}{suffix}")
            }
            _ => id.to_string(),
        }
    }
    /// A principal with a policy of its changer's choosing (see `Builder::compose`).
    pub fn rewritten(principal: &str, changer: &str) -> String {
        format!("{principal}#rewritten-by:{changer}")
    }
}

/// Reads the files and builds their graph, leaving every condition undecided.
pub fn import(details: &Path, report: Option<&Path>) -> Import {
    import_at(details, report, None)
}

/// What an import is told besides its files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings<'a> {
    /// The instant the time conditions are judged at (`conditions`); none: undecided.
    pub as_of: Option<Timestamp>,
    /// The organization whose SCPs bind the account, and whose id `aws:PrincipalOrgID` is.
    pub organization: Option<&'a organization::Organization>,
}

/// Reads the files and builds their graph; with `as_of`, the time conditions are judged
/// at that instant (`conditions`).
pub fn import_at(details: &Path, report: Option<&Path>, as_of: Option<Timestamp>) -> Import {
    import_with(
        details,
        report,
        Settings {
            as_of,
            organization: None,
        },
    )
}

/// Reads the files and builds their graph under `settings`.
pub fn import_with(details: &Path, report: Option<&Path>, settings: Settings<'_>) -> Import {
    let mut problems = Vec::new();
    let details_text = read_text(details, &mut problems);
    let report_text = report.map(|p| (p, read_text(p, &mut problems)));
    match (details_text, report_text) {
        (Some(d), None) => import_text_with(&details.display().to_string(), &d, None, settings),
        (Some(d), Some((p, Some(r)))) => import_text_with(
            &details.display().to_string(),
            &d,
            Some((&p.display().to_string(), &r)),
            settings,
        ),
        _ => Import {
            problems,
            ..Import::default()
        },
    }
}

fn read_text(path: &Path, problems: &mut Vec<Diagnostics>) -> Option<String> {
    crate::source::read_text(path)
        .map_err(|d| problems.push(d))
        .ok()
}

/// Builds the graph from the files' text (`report`: its name and text).
pub fn import_text(details_name: &str, details_text: &str, report: Option<(&str, &str)>) -> Import {
    import_text_at(details_name, details_text, report, None)
}

/// `import_text`, with the time conditions judged at `as_of` when given.
pub fn import_text_at(
    details_name: &str,
    details_text: &str,
    report: Option<(&str, &str)>,
    as_of: Option<Timestamp>,
) -> Import {
    let settings = Settings {
        as_of,
        organization: None,
    };
    import_text_with(details_name, details_text, report, settings)
}

/// `import_text` under `settings`.
pub fn import_text_with(
    details_name: &str,
    details_text: &str,
    report: Option<(&str, &str)>,
    settings: Settings<'_>,
) -> Import {
    let mut diags = Diagnostics::new(details_name);
    let details = details::read(details_text, &mut diags);
    let mut report_diags = report.map(|(name, _)| Diagnostics::new(name));
    let rows = match (report, report_diags.as_mut()) {
        (Some((_, text)), Some(d)) => report::read(text, d),
        _ => Vec::new(),
    };
    let failed = diags.has_errors() || report_diags.as_ref().is_some_and(Diagnostics::has_errors);
    let mut import = Import {
        users: details.users.len(),
        groups: details.groups.len(),
        roles: details.roles.len(),
        policies: details.policies.len(),
        report_rows: rows.len(),
        ..Import::default()
    };
    if !failed {
        let accounts = details.accounts();
        let parts: Vec<(String, Details)> = if accounts.len() > 1 {
            mixed_accounts(&details, &accounts, &mut diags);
            accounts
                .iter()
                .enumerate()
                .map(|(i, a)| (a.clone(), details.of_account(a, i == 0)))
                .collect()
        } else {
            vec![(accounts.first().cloned().unwrap_or_default(), details)]
        };
        let mut out = Accounts::default();
        for (i, (account, mut part)) in parts.into_iter().enumerate() {
            let j = conditions::judge(&mut part, settings.as_of, settings.organization);
            import.judged.dead += j.dead;
            import.judged.decided += j.decided;
            // A row of an account the file does not hold goes with the file's own.
            let row_account = |r: &Row| parse_arn(&r.arn).map(|a| a.account.to_string());
            let part_rows: Vec<Row> = rows
                .iter()
                .filter(|r| {
                    accounts.len() < 2
                        || row_account(r).as_ref() == Some(&account)
                        || (i == 0 && !row_account(r).is_some_and(|a| accounts.contains(&a)))
                })
                .cloned()
                .collect();
            let mut b = Builder::new(&part, &part_rows, &mut diags, report_diags.as_mut());
            let scp = settings.organization.map(|o| b.bind(o));
            let built = b.build();
            // The file's own account keeps the short ids.
            let other = (i > 0).then_some(account.as_str());
            out.add(&account, &part, built, other, scp);
        }
        out.join_trusts();
        import.graph = Some(out.graph);
        import.assume_role = out.assume_role;
        import.undecided = out.undecided;
        import.scp = (!out.scp.is_empty()).then(|| out.scp.join("; "));
    }
    let mut problems = vec![diags];
    problems.extend(report_diags);
    problems.retain(|d| d.error_count() + d.warning_count() > 0);
    import.problems = problems;
    import
}

/// Says, once, that the file holds several accounts' principals, and how they are modelled.
fn mixed_accounts(d: &Details, accounts: &[String], diags: &mut Diagnostics) {
    let count = |a: &str| {
        d.principal_arns()
            .filter(|arn| arn.split(':').nth(4) == Some(a))
            .count()
    };
    let listed: Vec<String> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let own = if i == 0 { ", the file's own" } else { "" };
            format!("{a} ({} principal(s){own})", count(a))
        })
        .collect();
    diags.push(
        Diagnostic::warning(
            codes::AWS_OTHER_ACCOUNT,
            Some(Span { line: 1, column: 1 }),
            format!(
                "the file mixes accounts: {}. Each is modelled in its own account (nothing passes a role, mints a key or rewrites a policy across them; a trust between them holds only where the caller's own policy allows sts:AssumeRole); the ids of another account's nodes carry it (aws:user:ACCOUNT/NAME)",
                listed.join(", ")
            ),
        )
        .help("import one account's authorization details at a time, or accept the split"),
    );
}

/// The accounts of one file, each built on its own and gathered into one graph.
#[derive(Default)]
struct Accounts {
    graph: GraphBuilder,
    assume_role: BTreeMap<String, Permissions>,
    undecided: BTreeMap<String, usize>,
    scp: Vec<String>,
    /// Each account's principals by ARN (node ids as written), and its root user's node.
    principals: BTreeMap<String, (BTreeMap<String, String>, Option<String>)>,
}

impl Accounts {
    /// Takes in one account's graph; `other`: the account, when it is not the file's own
    /// and its ids carry it.
    fn add(
        &mut self,
        account: &str,
        d: &Details,
        built: Built,
        other: Option<&str>,
        scp: Option<String>,
    ) {
        let qualify = |id: &str| match other {
            Some(a) => ids::qualified(id, a),
            None => id.to_string(),
        };
        let mut graph = built.graph;
        if other.is_some() {
            graph.rename(qualify);
        }
        let root = qualify(&ids::root(account));
        let arns = d
            .users
            .iter()
            .map(|u| (u.arn.clone(), qualify(&ids::user(&u.name))))
            .chain(
                d.roles
                    .iter()
                    .map(|r| (r.arn.clone(), qualify(&ids::role(&r.name)))),
            )
            .collect();
        let root = graph.has_node(&root).then_some(root);
        self.principals.insert(account.to_string(), (arns, root));
        if self.graph.node_count() == 0 {
            self.graph = graph;
        } else {
            self.graph.absorb(graph, |n| n.kind == NodeKind::Partner);
        }
        if other.is_some() {
            self.assume_role.extend(
                built
                    .assume_role
                    .into_iter()
                    .map(|(id, p)| (qualify(&id), p)),
            );
        } else {
            self.assume_role.extend(built.assume_role);
        }
        for (k, n) in built.undecided {
            *self.undecided.entry(k).or_default() += n;
        }
        self.scp.extend(scp);
    }

    /// A trust of one account's role naming another account of the file is resolved to
    /// the principals of that account it admits (`cross_account`).
    fn join_trusts(&mut self) {
        if self.principals.len() < 2 {
            return;
        }
        let placeholders: Vec<(String, String, String)> = self
            .graph
            .edges()
            .filter(|((_, _, kind), _)| *kind == EdgeKind::Assumes)
            .filter_map(|((from, to, _), _)| {
                let account = from.strip_prefix("aws:account:")?;
                self.principals.contains_key(account).then_some(())?;
                let role_arn = self
                    .graph
                    .get_node(to)?
                    .properties
                    .get("aws_arn")?
                    .as_str()?;
                (parse_arn(role_arn)?.account != account)
                    .then(|| (from.clone(), to.clone(), role_arn.to_string()))
            })
            .collect();
        let Accounts {
            graph,
            assume_role,
            principals,
            ..
        } = self;
        let principals: BTreeMap<&str, cross_account::Principals<'_>> = principals
            .iter()
            .map(|(account, (arns, root))| {
                let ids: BTreeSet<&String> = arns.values().collect();
                let p = cross_account::Principals {
                    arns: arns.clone(),
                    assume_role: assume_role
                        .iter()
                        .filter(|(id, _)| ids.contains(id))
                        .map(|(id, p)| (id.clone(), p))
                        .collect(),
                    root: root.clone(),
                };
                (account.as_str(), p)
            })
            .collect();
        for (from, to, role_arn) in placeholders {
            let account = &from["aws:account:".len()..];
            let Some(e) = graph.remove_edge(&from, &to, EdgeKind::Assumes) else {
                continue;
            };
            let principals = &principals[account];
            let (whole, named) = cross_account::trusted(|k| e.properties.get(k));
            let (admitted, _) = principals.admitted(whole, &named, &role_arn);
            for (p, allowed) in admitted {
                let edge = graph.edge(&p, &to, EdgeKind::Assumes, e.level, "");
                edge.derived_from.remove("");
                edge.derived_from.extend(e.derived_from.iter().cloned());
                edge.derived_from
                    .insert(cross_account::reason(&role_arn, allowed.as_ref()));
                for (k, v) in &e.properties {
                    if !k.starts_with("trusted_") {
                        edge.properties.entry(k.clone()).or_insert(v.clone());
                    }
                }
                if let Some(a) = allowed.filter(|a| !a.conditions.is_empty()) {
                    let described: Vec<String> =
                        a.conditions.iter().map(Condition::describe).collect();
                    let keys: Vec<String> = a.conditions.iter().map(|c| c.key.clone()).collect();
                    add_to_list(&mut edge.properties, "conditions", &described);
                    add_to_list(&mut edge.properties, crate::coverage::CONDITION_KEYS, &keys);
                    edge.properties
                        .entry("unconditional_level".into())
                        .or_insert(json!("none"));
                }
            }
        }
    }
}

/// The parts of an ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

pub(crate) fn parse_arn(s: &str) -> Option<Arn<'_>> {
    let mut parts = s.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    Some(Arn {
        partition: parts.next()?,
        service: parts.next()?,
        region: parts.next()?,
        account: parts.next()?,
        resource: parts.next()?,
    })
}

/// The AWS managed policy that allows everything, recognised even when the file leaves it
/// out of `Policies`.
const ADMINISTRATOR_ACCESS: &str = "/AdministratorAccess";

/// How an edge came about: the highest level reached without conditions, and the conditions
/// of the derivations that reach higher.
#[derive(Default)]
struct Conditional {
    unconditional: Option<Level>,
    conditional: Option<Level>,
    conditions: BTreeSet<String>,
    /// The highest level reached under time limits alone, and the latest limit at it.
    until: Option<(Level, Timestamp)>,
    /// The keys of the conditions proper.
    keys: BTreeSet<String>,
}

/// What the builder hands back (see `Import` for the last two).
struct Built {
    graph: GraphBuilder,
    assume_role: BTreeMap<String, Permissions>,
    undecided: BTreeMap<String, usize>,
}

struct Builder<'a> {
    d: &'a Details,
    rows: &'a [Row],
    diags: &'a mut Diagnostics,
    report_diags: Option<&'a mut Diagnostics>,
    g: GraphBuilder,
    account_id: String,
    partition: String,
    account: String,
    policies: BTreeMap<&'a str, &'a details::Policy>,
    conditions: BTreeMap<(String, String, EdgeKind), Conditional>,
    /// Principals that hold every action on every resource.
    tier0: BTreeSet<String>,
    /// Each principal's permissions (a user's with its groups'), for the explicit denies
    /// that overrule a trust policy naming it.
    denies: BTreeMap<String, Permissions>,
    /// Principals with a permissions boundary.
    bounded: BTreeSet<String>,
    /// The SCP levels binding the account, root first (none: unbound or not known).
    scp: Vec<Permissions>,
}

impl<'a> Builder<'a> {
    fn new(
        d: &'a Details,
        rows: &'a [Row],
        diags: &'a mut Diagnostics,
        report_diags: Option<&'a mut Diagnostics>,
    ) -> Self {
        let first = d
            .principal_arns()
            .chain(rows.iter().map(|r| &r.arn))
            .find_map(|a| parse_arn(a).filter(|a| !a.account.is_empty()));
        let (partition, account_id) = match first {
            Some(a) => (a.partition.to_string(), a.account.to_string()),
            None => ("aws".to_string(), "unknown".to_string()),
        };
        Builder {
            d,
            rows,
            diags,
            report_diags,
            g: GraphBuilder::default(),
            account: ids::account(&account_id),
            account_id,
            partition,
            policies: d.policies.iter().map(|p| (p.arn.as_str(), p)).collect(),
            conditions: BTreeMap::new(),
            tier0: BTreeSet::new(),
            denies: BTreeMap::new(),
            bounded: d
                .users
                .iter()
                .filter(|u| u.boundary.is_some())
                .map(|u| ids::user(&u.name))
                .chain(
                    d.roles
                        .iter()
                        .filter(|r| r.boundary.is_some())
                        .map(|r| ids::role(&r.name)),
                )
                .collect(),
            scp: Vec::new(),
        }
    }

    /// Takes the SCPs of `org` that bind the account; says what they do.
    fn bind(&mut self, org: &organization::Organization) -> String {
        let (scope, notes) = org.scope(&self.account_id);
        for note in notes {
            self.diags.push(
                Diagnostic::warning(codes::AWS_SCP_UNAPPLIED, None, note)
                    .help("add the organization's missing answers (docs/aws-import.md, SCPs)"),
            );
        }
        match scope {
            organization::Scope::Unbound(why) => why,
            organization::Scope::Levels(levels) => {
                self.scp = levels;
                format!(
                    "the SCPs of organization {} bind account {} at {} level(s)",
                    org.id,
                    self.account_id,
                    self.scp.len()
                )
            }
        }
    }

    /// Narrows permissions to what the SCPs allow; a permission they narrowed says so.
    fn bind_scp(&self, p: &mut Permissions) {
        if self.scp.is_empty() {
            return;
        }
        let before = p.allows.clone();
        for level in &self.scp {
            p.bound_by(level);
        }
        for a in &mut p.allows {
            if !before.contains(a) {
                a.source.push_str(" (narrowed by the organization's SCPs)");
            }
        }
    }

    fn warn(&mut self, code: Code, origin: &Origin, message: String, help: &str) {
        self.diags.push(
            Diagnostic::warning(code, Some(origin.span), message)
                .about(origin.place.clone())
                .help(help),
        );
    }

    fn build(mut self) -> Built {
        for section in &self.d.missing {
            self.diags.push(
                Diagnostic::warning(
                    codes::AWS_MISSING_SECTION,
                    Some(Span { line: 1, column: 1 }),
                    format!("the file has no {section}: what it would list is not in the graph"),
                )
                .help("export without --filter to get every section"),
            );
        }
        self.account_node();
        self.principals();
        let perms = self.permissions();
        self.grants(&perms);
        self.tier0_principals(&perms);
        self.denies = perms
            .iter()
            .map(|(id, (_, all))| (id.clone(), all.clone()))
            .collect();
        let ctx = self.trust();
        self.escalations(&ctx, &perms);
        self.credentials();
        let undecided = self.finish_conditions();
        self.cover();
        let assume = self
            .denies
            .iter()
            .map(|(id, p)| (id.clone(), p.only(&["sts:AssumeRole"])))
            .filter(|(_, p)| p.may("sts:AssumeRole"))
            .collect();
        Built {
            graph: self.g,
            assume_role: assume,
            undecided,
        }
    }

    /// Broader resource patterns cover narrower ones (`import::cover`): every action on
    /// every resource covers all, a service's `*` every resource of the service, and an ARN
    /// pattern every resource node whose ARN it matches (`arn:aws:s3:::acme-*` covers
    /// `arn:aws:s3:::acme-exports/*` and `arn:aws:s3:::acme-exports`). A grant's conditions
    /// and partial denies (`except`) go with it to what it covers.
    fn cover(&mut self) {
        let everything = ids::everything();
        let nodes: Vec<(String, String)> = self
            .g
            .nodes()
            .filter(|(id, n)| n.kind == NodeKind::Resource && id.starts_with("aws:res:"))
            .map(|(id, _)| (id.clone(), arn_text(id, &self.partition)))
            .collect();
        let text: BTreeMap<&str, &str> = nodes
            .iter()
            .map(|(i, t)| (i.as_str(), t.as_str()))
            .collect();
        // Each pattern with its literal head: a pattern can cover only texts that begin
        // with it, which rules out most pairs before the full comparison.
        let patterns: Vec<(&str, &str, &str)> = nodes
            .iter()
            .filter(|(i, t)| *i != everything && t.contains(['*', '?']))
            .map(|(i, t)| {
                let head = &t[..t.find(['*', '?']).unwrap_or(t.len())];
                (i.as_str(), t.as_str(), head)
            })
            .collect();
        let has_everything = text.contains_key(everything.as_str());
        let coverers = |r: &str| -> Vec<String> {
            if r == everything {
                return Vec::new();
            }
            let t = text[r];
            let mut out: Vec<String> = patterns
                .iter()
                .filter(|(p, pt, head)| {
                    *p != r
                        && t.starts_with(head)
                        && policy::glob_covers(pt, t, false)
                        // Two patterns naming the same set: the smaller id covers the other.
                        && !(policy::glob_covers(t, pt, false) && r < *p)
                })
                .map(|(p, _, _)| p.to_string())
                .collect();
            if has_everything {
                out.push(everything.clone());
            }
            out
        };
        let ids: Vec<String> = nodes.iter().map(|(i, _)| i.clone()).collect();
        crate::import::cover::add_cover_groups(&mut self.g, &ids, coverers);
    }

    /// The account (the organisation every node of it belongs to) and its crown: every
    /// action on every resource, the node whoever controls the account reaches.
    fn account_node(&mut self) {
        let n = self.g.node(&self.account, NodeKind::Tenant);
        n.name = Some(format!("AWS account {}", self.account_id));
        n.properties
            .insert("aws_account_id".into(), json!(self.account_id));
        n.properties
            .insert("aws_partition".into(), json!(self.partition));
        let everything = ids::everything();
        let n = self.g.node(&everything, NodeKind::Resource);
        n.name = Some(format!("every resource of AWS account {}", self.account_id));
        n.org = Some(self.account.clone());
        n.tags.insert("tier0".into());
    }

    /// Users, groups and roles, and group membership.
    fn principals(&mut self) {
        let passwords: BTreeMap<&str, &Row> =
            self.rows.iter().map(|r| (r.user.as_str(), r)).collect();
        for u in &self.d.users {
            let id = ids::user(&u.name);
            let machine = passwords
                .get(u.name.as_str())
                .is_some_and(|r| r.password_enabled == Some(false) && r.has_keys());
            let kind = if machine {
                NodeKind::Service
            } else {
                NodeKind::Human
            };
            self.principal(&id, kind, Described::of_user(u));
            for g in &u.groups {
                let gid = ids::group(g);
                if !self.d.groups.iter().any(|x| &x.name == g) {
                    self.warn(
                        codes::AWS_UNKNOWN_GROUP,
                        &u.origin,
                        format!("GroupList names group {} that GroupDetailList does not have: its permissions are unknown", quote(g)),
                        "export the whole account so every group is listed",
                    );
                    let n = self.g.node(&gid, NodeKind::Group);
                    n.org = Some(self.account.clone());
                }
                self.g.edge(
                    &id,
                    &gid,
                    EdgeKind::MemberOf,
                    Level::Admin,
                    &format!("GroupList of user {}", u.name),
                );
            }
        }
        for gr in &self.d.groups {
            self.principal(
                &ids::group(&gr.name),
                NodeKind::Group,
                Described::of_group(gr),
            );
        }
        for r in &self.d.roles {
            let n = self.principal(
                &ids::role(&r.name),
                NodeKind::Service,
                Described::of_role(r),
            );
            if !r.instance_profiles.is_empty() {
                n.properties
                    .insert("aws_instance_profiles".into(), json!(r.instance_profiles));
            }
            if let Some(t) = &r.last_used {
                n.properties.insert("aws_last_used".into(), json!(t));
            }
            if r.path
                .as_deref()
                .is_some_and(|p| p.starts_with("/aws-service-role/"))
            {
                n.properties
                    .insert("aws_service_linked".into(), json!(true));
            }
        }
    }

    /// A user's, group's or role's node: its name, the account as its organisation, and
    /// what AWS says of it (`aws_arn`, `aws_id`, `aws_path`, `aws_created`, `aws_tags`,
    /// `aws_permissions_boundary`).
    fn principal(&mut self, id: &str, kind: NodeKind, d: Described<'_>) -> &mut super::NodeOut {
        self.check_account(d.arn, d.origin);
        let n = self.g.node(id, kind);
        n.name = Some(d.name.to_string());
        n.org = Some(self.account.clone());
        n.properties.insert("aws_arn".into(), json!(d.arn));
        if let Some(i) = d.id {
            n.properties.insert("aws_id".into(), json!(i));
        }
        if let Some(p) = d.path.filter(|p| *p != "/") {
            n.properties.insert("aws_path".into(), json!(p));
        }
        if let Some(c) = d.created {
            n.properties.insert("aws_created".into(), json!(c));
        }
        if !d.tags.is_empty() {
            let map: serde_json::Map<String, Value> =
                d.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            n.properties.insert("aws_tags".into(), Value::Object(map));
        }
        if let Some(b) = d.boundary {
            n.properties
                .insert("aws_permissions_boundary".into(), json!(b));
        }
        n
    }

    fn check_account(&mut self, arn: &str, origin: &Origin) {
        if let Some(a) = parse_arn(arn)
            && a.account != self.account_id
        {
            let msg = format!(
                "its ARN {} is in account {}, not {}: the file mixes accounts",
                quote(arn),
                quote(a.account),
                quote(&self.account_id)
            );
            self.warn(
                codes::AWS_OTHER_ACCOUNT,
                origin,
                msg,
                "import one account's authorization details at a time",
            );
        }
    }

    /// The documents attached to a principal: inline ones and managed ones by ARN.
    fn documents(
        &mut self,
        inline: &'a [Inline],
        attached: &'a [Attached],
        origin: &Origin,
    ) -> Vec<(String, &'a Document)> {
        let mut docs: Vec<(String, &'a Document)> = inline
            .iter()
            .map(|p| (format!("inline policy {}", p.name), &p.document))
            .collect();
        for a in attached {
            match self.policies.get(a.arn.as_str()) {
                Some(p) => docs.push((format!("policy {}", p.name), &p.document)),
                None if a.arn.ends_with(ADMINISTRATOR_ACCESS) && a.arn.contains(":iam::aws:policy/") => {
                    docs.push((format!("policy {}", a.name), administrator_access()));
                }
                None => self.warn(
                    codes::AWS_UNKNOWN_POLICY,
                    origin,
                    format!("attached policy {} is not in Policies: its permissions are unknown and not in the graph", quote(&a.arn)),
                    "export without --filter so that every attached policy's document is listed",
                ),
            }
        }
        docs
    }

    fn boundary(
        &mut self,
        arn: Option<&'a String>,
        origin: &Origin,
        username: Option<&str>,
    ) -> Option<Permissions> {
        let arn = arn?;
        match self.policies.get(arn.as_str()) {
            Some(p) => {
                let mut b = Permissions::default();
                b.add(&p.document, &format!("boundary {}", p.name), username);
                Some(b)
            }
            None => {
                self.warn(
                    codes::AWS_UNKNOWN_BOUNDARY,
                    origin,
                    format!("permissions boundary {} is not in Policies: it is not applied (what the principal is granted may be less)", quote(arn)),
                    "export without --filter so that the boundary's document is listed",
                );
                None
            }
        }
    }

    /// Each principal's permissions: its own (for its grants), and for users also the union
    /// with its groups' (for the escalation methods, which may combine them).
    fn permissions(&mut self) -> BTreeMap<String, (Permissions, Permissions)> {
        let mut out = BTreeMap::new();
        let mut group_docs: BTreeMap<&str, Vec<(String, &'a Document)>> = BTreeMap::new();
        for g in &self.d.groups {
            let docs = self.documents(&g.inline, &g.attached, &g.origin);
            let mut p = Permissions::default();
            for (src, doc) in &docs {
                p.add(doc, &format!("group {} {src}", g.name), None);
            }
            p.apply_denies();
            self.bind_scp(&mut p);
            out.insert(ids::group(&g.name), (p.clone(), p));
            group_docs.insert(g.name.as_str(), docs);
        }
        for r in &self.d.roles {
            let docs = self.documents(&r.inline, &r.attached, &r.origin);
            let mut p = Permissions::default();
            for (src, doc) in &docs {
                p.add(doc, src, None);
            }
            p.apply_denies();
            if let Some(b) = self.boundary(r.boundary.as_ref(), &r.origin, None) {
                p.bound_by(&b);
            }
            // Service-linked roles are the one kind of principal SCPs do not bind.
            if !r
                .path
                .as_deref()
                .is_some_and(|p| p.starts_with("/aws-service-role/"))
            {
                self.bind_scp(&mut p);
            }
            out.insert(ids::role(&r.name), (p.clone(), p));
        }
        for u in &self.d.users {
            let docs = self.documents(&u.inline, &u.attached, &u.origin);
            let boundary = self.boundary(u.boundary.as_ref(), &u.origin, Some(&u.name));
            let mut own = Permissions::default();
            let mut all = Permissions::default();
            for (src, doc) in &docs {
                own.add(doc, src, Some(&u.name));
                all.add(doc, src, Some(&u.name));
            }
            let mut from_groups = false;
            for g in &u.groups {
                for (src, doc) in group_docs.get(g.as_str()).into_iter().flatten() {
                    all.add(doc, &format!("group {g} {src}"), Some(&u.name));
                    // A group's denies bind its members' own policies too.
                    let mut denies_only = Permissions::default();
                    denies_only.add(doc, "", Some(&u.name));
                    own.denies.extend(denies_only.denies);
                    from_groups = true;
                }
            }
            own.apply_denies();
            all.apply_denies();
            if let Some(b) = &boundary {
                own.bound_by(b);
                all.bound_by(b);
            }
            self.bind_scp(&mut own);
            self.bind_scp(&mut all);
            let narrowed = !own.denies.is_empty() || boundary.is_some();
            if from_groups && narrowed {
                let msg = "its permissions boundary or denies cannot be applied to what it holds through its groups in the graph (a group's edges serve every member): those are shown as granted".to_string();
                self.warn(
                    codes::AWS_UNAPPLIED_RESTRICTION,
                    &u.origin,
                    msg,
                    "read the user's findings knowing its boundary or denies may stop some of them",
                );
                self.g
                    .node(&ids::user(&u.name), NodeKind::Human)
                    .properties
                    .insert("aws_boundary_not_applied_to_groups".into(), json!(true));
            }
            out.insert(ids::user(&u.name), (own, all));
        }
        out
    }

    /// `grants` from each principal's own permissions, one edge per resource pattern.
    fn grants(&mut self, perms: &BTreeMap<String, (Permissions, Permissions)>) {
        for (principal, (own, _)) in perms {
            self.grant(principal, own);
        }
    }

    /// One principal's `grants`, one edge per resource pattern.
    fn grant(&mut self, principal: &str, own: &Permissions) {
        {
            for p in &own.allows {
                let (node, name) = self.resource_node(p);
                let level = actions::level(&p.actions);
                let mut why = p.source.clone();
                if p.negated {
                    why.push_str(&format!(" ({})", negation(p)));
                }
                self.add_edge(
                    principal,
                    &node,
                    EdgeKind::Grants,
                    level,
                    &why,
                    &p.conditions,
                );
                if !p.except.is_empty() {
                    let e = self
                        .g
                        .edge_mut(principal, &node, EdgeKind::Grants)
                        .expect("just added");
                    add_to_list(&mut e.properties, "except", &p.except);
                }
                let n = self.g.node(&node, NodeKind::Resource);
                n.name = Some(name);
                n.org = Some(self.account.clone());
            }
        }
    }

    fn resource_node(&self, p: &Permission) -> (String, String) {
        let service = actions::service(&p.actions);
        if p.actions.is_everything()
            && p.written == "*"
            && matches!(p.resources, Resources::Pattern(_))
        {
            return (
                ids::everything(),
                format!("every resource of AWS account {}", self.account_id),
            );
        }
        // Some actions of every service: not the account's crown.
        let service = if service == "*" {
            "any".to_string()
        } else {
            service
        };
        match &p.resources {
            Resources::Pattern(_) if p.written == "*" => {
                (ids::resource(&service, "*"), every(&service))
            }
            Resources::Pattern(_) => match parse_arn(&p.written) {
                Some(a) if !a.service.contains(['*', '?']) && !a.service.is_empty() => {
                    let rest = &p.written[format!("arn:{}:{}:", a.partition, a.service).len()..];
                    (ids::resource(a.service, rest), p.written.clone())
                }
                _ => (ids::resource(&service, &p.written), p.written.clone()),
            },
            Resources::AllBut(_) => (ids::resource(&service, "*"), every(&service)),
        }
    }

    /// Principals allowed every action on every resource, by their own policies or their
    /// groups': tier0 (their grant on [`ids::everything`] is drawn with the other grants).
    /// Their escalation paths are not drawn: they would only restate that.
    fn tier0_principals(&mut self, perms: &BTreeMap<String, (Permissions, Permissions)>) {
        for (id, (_, all)) in perms {
            if all.everything().is_some() {
                self.tier0.insert(id.clone());
                self.g.node(id, NodeKind::Human).tags.insert("tier0".into());
            }
        }
    }

    /// Trust policies: `assumes` edges from the principals, accounts and identity providers
    /// each role lets in; the services it trusts and whether its own account may assume it
    /// are kept for the escalation methods, with the other facts they look at.
    fn trust(&mut self) -> Ctx {
        let roles: Vec<RoleInfo> = self.d.roles.iter().map(|r| self.role_trust(r)).collect();
        let principal = |id: String, name: &str, arn: &str| Principal {
            id,
            name: name.to_string(),
            arn: arn.to_string(),
        };
        Ctx {
            account_id: self.account_id.clone(),
            partition: self.partition.clone(),
            users: self
                .d
                .users
                .iter()
                .map(|u| principal(ids::user(&u.name), &u.name, &u.arn))
                .collect(),
            groups: self
                .d
                .groups
                .iter()
                .map(|g| principal(ids::group(&g.name), &g.name, &g.arn))
                .collect(),
            role_principals: roles.iter().map(|r| r.principal.clone()).collect(),
            roles,
            policies: self.policy_attachments(),
            members: self.members(),
            passwords: self
                .rows
                .iter()
                .filter_map(|r| Some((ids::user(&r.user), r.password_enabled?)))
                .collect(),
            key_counts: self
                .rows
                .iter()
                .map(|r| (ids::user(&r.user), r.keys.iter().flatten().count()))
                .collect(),
            arns: self
                .d
                .users
                .iter()
                .map(|u| (ids::user(&u.name), u.arn.clone()))
                .chain(
                    self.d
                        .groups
                        .iter()
                        .map(|g| (ids::group(&g.name), g.arn.clone())),
                )
                .chain(
                    self.d
                        .roles
                        .iter()
                        .map(|r| (ids::role(&r.name), r.arn.clone())),
                )
                .collect(),
        }
    }

    fn role_trust(&mut self, r: &details::Role) -> RoleInfo {
        let id = ids::role(&r.name);
        let mut info = RoleInfo {
            principal: Principal {
                id: id.clone(),
                name: r.name.clone(),
                arn: r.arn.clone(),
            },
            services: BTreeSet::new(),
            instance_profile: !r.instance_profiles.is_empty(),
            account_trust: None,
        };
        let denied = TrustDenies::of(&r.trust);
        if denied.all {
            return info;
        }
        for st in r
            .trust
            .statements
            .iter()
            .filter(|s| s.effect == policy::Effect::Allow && lets_in(s))
        {
            let Some(p) = &st.principals else { continue };
            let why = format!("trust policy of role {} statement {}", r.name, st.label);
            if p.anyone || st.not_principal {
                let any = ids::account("*");
                self.g.node(&any, NodeKind::Partner).name = Some("any AWS account".into());
                self.trust_edge(&any, &id, &why, &st.conditions, None);
                merge_trust(&mut info.account_trust, &st.conditions);
            }
            info.services
                .extend(p.service.iter().map(|s| s.to_ascii_lowercase()));
            for f in p.federated.iter().filter(|f| !denied.other.contains(f)) {
                if f.is_empty() {
                    self.warn(
                        codes::AWS_EMPTY_FEDERATED,
                        &r.origin,
                        "the trust policy names an empty federated provider: not drawn".into(),
                        "remove the empty entry",
                    );
                    continue;
                }
                let pid = self.provider(f);
                self.trust_edge(&pid, &id, &why, &st.conditions, None);
                // The estate's join decides which tokens each statement admits, so it
                // needs the conditions as data, one statement apart from another.
                let statement = json!({
                    "statement": st.label,
                    "conditions": st.conditions.iter().map(|c| json!({
                        "operator": c.operator, "key": c.key, "values": c.values,
                    })).collect::<Vec<_>>(),
                });
                if let Some(e) = self.g.edge_mut(&pid, &id, EdgeKind::Assumes) {
                    match e.properties.get_mut("trust_statements") {
                        Some(Value::Array(a)) => a.push(statement),
                        _ => {
                            e.properties
                                .insert("trust_statements".into(), json!([statement]));
                        }
                    }
                }
            }
            for a in p.aws.iter().filter(|a| !denied.denies_aws(a)) {
                self.trusted_aws(a, &id, &why, &st.conditions, &mut info, &r.origin);
            }
        }
        if !info.services.is_empty() {
            let services: Vec<&String> = info.services.iter().collect();
            self.g
                .node(&id, NodeKind::Service)
                .properties
                .insert("aws_trusted_services".into(), json!(services));
        }
        info
    }

    /// The node of a SAML or OIDC provider named in a trust policy.
    fn provider(&mut self, federated: &str) -> String {
        let name = federated
            .rsplit_once(":oidc-provider/")
            .or_else(|| federated.rsplit_once(":saml-provider/"))
            .map_or(federated, |(_, n)| n);
        let kind = if federated.contains(":saml-provider/") {
            "SAML"
        } else {
            "web identity"
        };
        let pid = ids::provider(name);
        let n = self.g.node(&pid, NodeKind::App);
        n.name = Some(format!("{kind} provider {name}"));
        n.org = Some(self.account.clone());
        n.properties.insert("aws_provider".into(), json!(federated));
        pid
    }

    fn members(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for u in &self.d.users {
            for g in &u.groups {
                members
                    .entry(ids::group(g))
                    .or_default()
                    .insert(ids::user(&u.name));
            }
        }
        members
    }

    /// Every managed policy with the principals it is attached to.
    fn policy_attachments(&self) -> Vec<PolicyInfo> {
        let mut policies: Vec<PolicyInfo> = self
            .d
            .policies
            .iter()
            .map(|p| PolicyInfo {
                arn: p.arn.clone(),
                name: p.name.clone(),
                attached_to: Vec::new(),
                versions: p.versions,
            })
            .collect();
        let attachments = self
            .d
            .users
            .iter()
            .map(|u| (ids::user(&u.name), &u.attached))
            .chain(
                self.d
                    .groups
                    .iter()
                    .map(|g| (ids::group(&g.name), &g.attached)),
            )
            .chain(
                self.d
                    .roles
                    .iter()
                    .map(|r| (ids::role(&r.name), &r.attached)),
            );
        for (id, attached) in attachments {
            for a in attached {
                if let Some(p) = policies.iter_mut().find(|p| p.arn == a.arn) {
                    p.attached_to.push(id.clone());
                }
            }
        }
        policies
    }

    /// One `Principal.AWS` entry of a trust policy.
    fn trusted_aws(
        &mut self,
        a: &str,
        role: &str,
        why: &str,
        conditions: &[Condition],
        info: &mut RoleInfo,
        origin: &Origin,
    ) {
        let (account, resource) = match parse_arn(a) {
            Some(arn) => (arn.account.to_string(), Some(arn.resource)),
            None if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => (a.to_string(), None),
            None => {
                let msg = format!(
                    "the trust policy names {}, which is neither an account nor an ARN: a principal deleted since (IAM shows its unique id), not drawn",
                    quote(a)
                );
                self.warn(
                    codes::AWS_DELETED_PRINCIPAL,
                    origin,
                    msg,
                    "remove the stale principal from the role's trust policy",
                );
                return;
            }
        };
        let whole_account = resource.is_none_or(|r| r == "root");
        if account == self.account_id {
            if whole_account {
                merge_trust(&mut info.account_trust, conditions);
                return;
            }
            let resource = resource.unwrap_or_default();
            let name = resource.rsplit('/').next().unwrap_or(resource);
            let target = if resource.starts_with("user/") {
                ids::user(name)
            } else if resource.starts_with("role/") {
                ids::role(name)
            } else if resource.starts_with("assumed-role/") {
                ids::role(resource.split('/').nth(1).unwrap_or(name))
            } else {
                String::new()
            };
            if target.is_empty() || !self.g.has_node(&target) {
                let msg = format!(
                    "the trust policy names {}, which is not in the file: not drawn",
                    quote(a)
                );
                self.warn(
                    codes::AWS_UNKNOWN_PRINCIPAL,
                    origin,
                    msg,
                    "export the whole account, or remove the stale principal from the trust policy",
                );
                return;
            }
            // An explicit deny in the principal's own policies wins over the trust policy.
            if self
                .denies
                .get(&target)
                .is_some_and(|p| p.denied("sts:AssumeRole", Some(&info.principal.arn)))
            {
                return;
            }
            self.trust_edge(&target, role, why, conditions, None);
        } else {
            let pid = ids::account(&account);
            let n = self.g.node(&pid, NodeKind::Partner);
            n.name = Some(format!("AWS account {account}"));
            n.properties.insert("aws_account_id".into(), json!(account));
            let principal = (!whole_account).then_some(a);
            self.trust_edge(&pid, role, why, conditions, principal);
            if whole_account && let Some(e) = self.g.edge_mut(&pid, role, EdgeKind::Assumes) {
                // The estate resolves this to the account's principals allowed to assume it.
                e.properties
                    .insert("trusted_whole_account".into(), json!(true));
            }
        }
    }

    fn trust_edge(
        &mut self,
        from: &str,
        role: &str,
        why: &str,
        conditions: &[Condition],
        principal: Option<&str>,
    ) {
        self.add_edge(from, role, EdgeKind::Assumes, Level::Admin, why, conditions);
        let external: Vec<String> = conditions
            .iter()
            .filter(|c| c.key.eq_ignore_ascii_case("sts:ExternalId"))
            .flat_map(|c| c.values.iter().cloned())
            .collect();
        let e = self
            .g
            .edge_mut(from, role, EdgeKind::Assumes)
            .expect("just added");
        if !external.is_empty() {
            add_to_list(&mut e.properties, "external_id", &external);
        }
        if let Some(p) = principal {
            add_to_list(&mut e.properties, "trusted_principals", &[p.to_string()]);
        }
    }

    fn escalations(&mut self, ctx: &Ctx, perms: &BTreeMap<String, (Permissions, Permissions)>) {
        let mut by_group: BTreeMap<String, Vec<Derived>> = BTreeMap::new();
        let mut rewrites: Vec<(String, ActorKind, Derived)> = Vec::new();
        let actors = ctx
            .groups
            .iter()
            .map(|p| (p, ActorKind::Group))
            .chain(ctx.roles.iter().map(|r| (&r.principal, ActorKind::Role)))
            .chain(ctx.users.iter().map(|p| (p, ActorKind::User)));
        for (p, kind) in actors {
            if self.tier0.contains(&p.id) {
                continue;
            }
            let Some((own, all)) = perms.get(&p.id) else {
                continue;
            };
            let groups: Vec<String> = match kind {
                ActorKind::User => ctx
                    .members
                    .iter()
                    .filter(|(_, m)| m.contains(&p.id))
                    .map(|(g, _)| g.clone())
                    .collect(),
                _ => Vec::new(),
            };
            let actor = Actor {
                id: &p.id,
                arn: &p.arn,
                bounded: self.bounded.contains(&p.id),
                kind,
                groups: &groups,
                perms: if kind == ActorKind::User { all } else { own },
            };
            let mut derived = escalation::derive(ctx, &actor);
            if kind == ActorKind::User {
                // What a group derives serves its members through `member_of`.
                derived.retain(|d| {
                    !groups.iter().any(|g| {
                        by_group.get(g).is_some_and(|list| {
                            list.iter().any(|x| {
                                x.to == d.to
                                    && x.kind == d.kind
                                    && (x.conditions.is_empty() || x.conditions == d.conditions)
                            })
                        })
                    })
                });
            }
            for d in &derived {
                if d.rewrites {
                    rewrites.push((p.id.clone(), kind, d.clone()));
                    continue;
                }
                let to = d.to.clone().unwrap_or_else(ids::everything);
                let conditions = d.conditions.clone();
                self.add_edge(&p.id, &to, d.kind, Level::Admin, &d.why, &conditions);
            }
            if kind == ActorKind::Group {
                by_group.insert(p.id.clone(), derived);
            }
        }
        self.compose(ctx, &rewrites);
    }

    /// Composite methods: changing a principal's permissions gives the changer nothing by
    /// itself, and neither does acting as that principal — together they are control of the
    /// account. For each such capability, the changer (each member, for a group) is searched
    /// for a walk of the edges drawn so far by which it becomes the principal (`assumes`,
    /// `mints`, credentials, and for a group, joining it); where one exists, the changer gets
    /// `admin_of` a node standing for the principal with a policy of the changer's choosing,
    /// which administers everything. The capabilities combine through the graph, so no pair
    /// of methods is listed; the edge's `derived_from` names both halves.
    fn compose(&mut self, ctx: &Ctx, rewrites: &[(String, ActorKind, Derived)]) {
        if rewrites.is_empty() {
            return;
        }
        // The ways of becoming another principal, drawn so far: from → (to, kind, the
        // conditions the edge holds under, none when it holds without any).
        let mut next: Becomes = BTreeMap::new();
        for ((from, to, kind), _) in self.g.edges() {
            if !matches!(
                kind,
                EdgeKind::Assumes
                    | EdgeKind::Mints
                    | EdgeKind::AuthenticatesAs
                    | EdgeKind::Holds
                    | EdgeKind::MemberOf
            ) {
                continue;
            }
            let conditions = match self.conditions.get(&(from.clone(), to.clone(), *kind)) {
                Some(c) if c.unconditional.is_none() => c.conditions.iter().cloned().collect(),
                _ => Vec::new(),
            };
            next.entry(from.clone())
                .or_default()
                .push((to.clone(), *kind, conditions));
        }
        // One search per changer, however many principals it may change.
        let mut searches: BTreeMap<String, [Back<'_>; 2]> = BTreeMap::new();
        for (actor, kind, d) in rewrites {
            let Some(target) = &d.to else { continue };
            let starts: Vec<String> = if *kind == ActorKind::Group {
                ctx.members
                    .get(actor)
                    .map(|m| m.iter().cloned().collect())
                    .unwrap_or_default()
            } else {
                vec![actor.clone()]
            };
            for start in starts {
                let backs = searches
                    .entry(start.clone())
                    .or_insert_with(|| [search(&next, &start, false), search(&next, &start, true)]);
                if let Some((walk, conditions)) = become_walk(&next, backs, &start, target) {
                    self.composite(&start, target, d, &walk, conditions);
                }
            }
        }
    }

    /// The edges of one composite: `from` changes `target` (`d`) and becomes it by `walk`,
    /// whose conditional edges hold under `walk_conditions`. One node per (changer,
    /// principal): its name tells both halves, so the finding's sentence does.
    fn composite(
        &mut self,
        from: &str,
        target: &str,
        d: &Derived,
        walk: &[(EdgeKind, String)],
        walk_conditions: Vec<String>,
    ) {
        let walk: Vec<String> = walk
            .iter()
            .map(|(kind, to)| format!("{} {}", verb(*kind), self.name_of(to)))
            .collect();
        let walk = walk.join(", then ");
        let id = ids::rewritten(target, from);
        let name = format!(
            "{}, its policy rewritten by {}, who can then act as it ({walk})",
            self.name_of(target),
            self.name_of(from)
        );
        let n = self.g.node(&id, NodeKind::Group);
        n.name = Some(name);
        n.org = Some(self.account.clone());
        self.add_edge(
            &id,
            &ids::everything(),
            EdgeKind::AdminOf,
            Level::Admin,
            "a principal's policy written by whoever changes it can allow every action on every resource",
            &[],
        );
        let why = format!("{}; and it can act as it: {walk}", d.why);
        self.add_edge(
            from,
            &id,
            EdgeKind::AdminOf,
            Level::Admin,
            &why,
            &d.conditions,
        );
        if !walk_conditions.is_empty() {
            // The walk's conditions are already in words (`Becomes`): the edge holds under
            // them too.
            let c = self
                .conditions
                .entry((from.to_string(), id, EdgeKind::AdminOf))
                .or_default();
            if d.conditions.is_empty() {
                c.unconditional = None;
            }
            c.conditional = Some(Level::Admin);
            c.conditions.extend(walk_conditions);
        }
    }

    /// Access keys and signing certificates from the credential report, the root user, and
    /// each user's password facts.
    fn credentials(&mut self) {
        for row in self.rows {
            let span = Some(Span {
                line: row.line as u32,
                column: 1,
            });
            if let Some(a) = parse_arn(&row.arn)
                && a.account != self.account_id
                && let Some(d) = self.report_diags.as_deref_mut()
            {
                d.push(
                    Diagnostic::warning(codes::AWS_OTHER_ACCOUNT, span, format!("this row's ARN is in account {}, not {}", quote(a.account), quote(&self.account_id)))
                        .about(format!("row of user {}", quote(&row.user)))
                        .help("give the credential report of the same account as the authorization details"),
                );
            }
            let user = if row.is_root() {
                let id = ids::root(&self.account_id);
                // No identity policy limits the root user; the SCPs of a member account do.
                let mut own = Permissions::default();
                own.add(administrator_access(), "the account's root user", None);
                self.bind_scp(&mut own);
                let n = self.g.node(&id, NodeKind::Human);
                n.name = Some(format!("root user of AWS account {}", self.account_id));
                n.org = Some(self.account.clone());
                if own.everything().is_some() {
                    n.tags.insert("tier0".into());
                    self.g.edge(
                        &id,
                        &ids::everything(),
                        EdgeKind::Grants,
                        Level::Admin,
                        "the account's root user",
                    );
                } else {
                    self.grant(&id, &own);
                }
                id
            } else {
                let id = ids::user(&row.user);
                if !self.g.has_node(&id) {
                    if let Some(d) = self.report_diags.as_deref_mut() {
                        d.push(
                            Diagnostic::warning(codes::AWS_REPORT_UNKNOWN_USER, span, "this user is not in the authorization details: added with its credentials only")
                                .about(format!("row of user {}", quote(&row.user)))
                                .help("export both files at the same time"),
                        );
                    }
                    let machine = row.password_enabled == Some(false) && row.has_keys();
                    let n = self.g.node(
                        &id,
                        if machine {
                            NodeKind::Service
                        } else {
                            NodeKind::Human
                        },
                    );
                    n.name = Some(row.user.clone());
                    n.org = Some(self.account.clone());
                    n.properties.insert("aws_arn".into(), json!(row.arn));
                }
                id
            };
            let n = self.g.node(&user, NodeKind::Human);
            if let Some(p) = row.password_enabled {
                n.properties.insert("aws_password_enabled".into(), json!(p));
            }
            if let Some(t) = row.password_last_used {
                n.properties
                    .insert("aws_password_last_used".into(), json!(t.to_string()));
            }
            if let Some(m) = row.mfa_active {
                n.properties.insert("aws_mfa_active".into(), json!(m));
            }
            for (slot, key) in row.keys.iter().enumerate() {
                let Some(key) = key else { continue };
                let kid = ids::key(&row.user, slot + 1);
                self.credential(
                    &kid,
                    &user,
                    key,
                    "api_key",
                    &format!("access key {} of {}", slot + 1, row.user),
                );
            }
            for (slot, cert) in row.certs.iter().enumerate() {
                let Some(cert) = cert else { continue };
                let cid = ids::certificate(&row.user, slot + 1);
                self.credential(
                    &cid,
                    &user,
                    cert,
                    "certificate",
                    &format!("signing certificate {} of {}", slot + 1, row.user),
                );
            }
        }
    }

    fn credential(
        &mut self,
        id: &str,
        user: &str,
        key: &report::Key,
        kind: &'static str,
        name: &str,
    ) {
        let n = self.g.node(id, NodeKind::Credential);
        n.name = Some(name.to_string());
        n.org = Some(self.account.clone());
        n.owner = Some(user.to_string());
        n.credential_type = Some(kind);
        if !key.active {
            n.properties.insert("status".into(), json!("disabled"));
        }
        if let Some(t) = key.rotated {
            // The report's `last_rotated` is when the key was made: keys are replaced, not
            // changed in place.
            n.properties
                .insert("issued_at".into(), json!(t.to_string()));
            n.properties
                .insert("rotated_at".into(), json!(t.to_string()));
        }
        if let Some(t) = key.last_used {
            n.properties
                .insert("last_used_at".into(), json!(t.to_string()));
        }
        if let Some(r) = &key.last_used_region {
            n.properties.insert("aws_last_used_region".into(), json!(r));
        }
        if let Some(s) = &key.last_used_service {
            n.properties
                .insert("aws_last_used_service".into(), json!(s));
        }
        self.g
            .edge(user, id, EdgeKind::Holds, Level::Admin, "credential report");
        self.g.edge(
            id,
            user,
            EdgeKind::AuthenticatesAs,
            Level::Admin,
            "credential report",
        );
    }

    /// Adds an edge and notes whether it holds without conditions.
    /// A node's name as the graph gives it, else its id.
    fn name_of(&self, id: &str) -> String {
        self.g
            .get_node(id)
            .and_then(|n| n.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    fn add_edge(
        &mut self,
        from: &str,
        to: &str,
        kind: EdgeKind,
        level: Level,
        why: &str,
        conditions: &[Condition],
    ) {
        self.g.edge(from, to, kind, level, why);
        let c = self
            .conditions
            .entry((from.to_string(), to.to_string(), kind))
            .or_default();
        let until = conditions.iter().filter_map(Condition::expiry).min();
        let proper = conditions.iter().any(|c| c.expiry().is_none());
        if let (Some(t), false) = (until, proper) {
            // Holds until `t`, whatever else is asked.
            c.until = match c.until {
                Some((l, u)) if l > level || (l == level && u >= t) => Some((l, u)),
                _ => Some((level, t)),
            };
        } else if conditions.is_empty() {
            c.unconditional = c.unconditional.max(Some(level));
        } else {
            c.conditional = c.conditional.max(Some(level));
            c.conditions
                .extend(conditions.iter().map(Condition::describe));
            c.keys.extend(
                conditions
                    .iter()
                    .filter(|c| c.expiry().is_none())
                    .map(|c| c.key.clone()),
            );
        }
    }

    /// An edge whose level holds only under conditions says so: its conditions, and the level
    /// that holds without them.
    /// Returns each condition key left undecided on an edge, with how many edges.
    fn finish_conditions(&mut self) -> BTreeMap<String, usize> {
        let mut undecided: BTreeMap<String, usize> = BTreeMap::new();
        for ((from, to, kind), c) in std::mem::take(&mut self.conditions) {
            // What holds now without a condition proper: for ever, or until a time limit.
            let holds = c.unconditional.max(c.until.map(|(l, _)| l));
            if let Some((level, t)) = c.until
                && c.unconditional.is_none()
                && c.conditional.is_none_or(|cl| cl <= level)
                && let Some(e) = self.g.edge_mut(&from, &to, kind)
            {
                // Only time limits stand above nothing: the edge ends with the latest. (With
                // a lower level that holds for ever, the edge keeps no expiry: one edge has
                // one level.)
                e.properties
                    .insert("expires_at".into(), json!(t.to_string()));
            }
            let (Some(cond), false) = (c.conditional, c.conditions.is_empty()) else {
                continue;
            };
            if holds.is_some_and(|u| u >= cond) {
                // Another statement lets the same principal in without conditions: an
                // external id is not what protects this edge.
                if let Some(e) = self.g.edge_mut(&from, &to, kind) {
                    e.properties.remove("external_id");
                }
                continue;
            }
            for key in &c.keys {
                *undecided.entry(key.clone()).or_default() += 1;
            }
            if let Some(e) = self.g.edge_mut(&from, &to, kind) {
                e.properties
                    .insert("conditions".into(), json!(c.conditions));
                // What a reader (and coverage) counts: the keys the import left undecided.
                e.properties
                    .insert(crate::coverage::CONDITION_KEYS.into(), json!(c.keys));
                e.properties.insert(
                    "unconditional_level".into(),
                    json!(holds.map_or("none", Level::as_str)),
                );
            }
        }
        undecided
    }
}

/// The ARN pattern a resource node stands for: `aws:res:s3:::b/*` is `arn:PART:s3:::b/*`,
/// a service's `*` every ARN of the service, `aws:res:any:*` (some actions of every
/// service) every ARN.
fn arn_text(id: &str, partition: &str) -> String {
    let rest = id.strip_prefix("aws:res:").unwrap_or(id);
    let (service, resource) = rest.split_once(':').unwrap_or((rest, "*"));
    if resource.starts_with("arn:") || (service == "any" && resource == "*") {
        return resource.to_string();
    }
    format!("arn:{partition}:{service}:{resource}")
}

/// What the details say of a user, group or role, for its node.
struct Described<'a> {
    name: &'a str,
    arn: &'a str,
    id: Option<&'a str>,
    path: Option<&'a str>,
    created: Option<&'a str>,
    tags: &'a [(String, String)],
    boundary: Option<&'a str>,
    origin: &'a Origin,
}

impl<'a> Described<'a> {
    fn of_user(u: &'a details::User) -> Described<'a> {
        Described {
            name: &u.name,
            arn: &u.arn,
            id: u.id.as_deref(),
            path: u.path.as_deref(),
            created: u.created.as_deref(),
            tags: &u.tags,
            boundary: u.boundary.as_deref(),
            origin: &u.origin,
        }
    }

    fn of_group(g: &'a details::Group) -> Described<'a> {
        Described {
            name: &g.name,
            arn: &g.arn,
            id: g.id.as_deref(),
            path: g.path.as_deref(),
            created: None,
            tags: &[],
            boundary: None,
            origin: &g.origin,
        }
    }

    fn of_role(r: &'a details::Role) -> Described<'a> {
        Described {
            name: &r.name,
            arn: &r.arn,
            id: r.id.as_deref(),
            path: r.path.as_deref(),
            created: r.created.as_deref(),
            tags: &r.tags,
            boundary: r.boundary.as_deref(),
            origin: &r.origin,
        }
    }
}

/// The name of a service's every-resource node.
fn every(service: &str) -> String {
    if service == "any" {
        "every resource of every service (some actions)".into()
    } else {
        format!("every {service} resource")
    }
}

/// What a trust policy's unconditional `Deny` statements keep out.
#[derive(Default)]
struct TrustDenies {
    /// `"Principal": "*"` denied: nobody gets in.
    all: bool,
    /// Denied AWS principals: (account, resource; `None` for the whole account).
    aws: Vec<(String, Option<String>)>,
    /// Denied federated and service principals.
    other: Vec<String>,
}

impl TrustDenies {
    fn of(doc: &policy::Document) -> TrustDenies {
        let mut d = TrustDenies::default();
        for st in doc
            .statements
            .iter()
            .filter(|s| s.effect == policy::Effect::Deny && s.conditions.is_empty() && lets_in(s))
        {
            let Some(p) = &st.principals else { continue };
            if p.anyone && !st.not_principal {
                d.all = true;
            }
            d.aws.extend(p.aws.iter().filter_map(|a| aws_principal(a)));
            d.other
                .extend(p.federated.iter().chain(&p.service).cloned());
        }
        d
    }

    fn denies_aws(&self, a: &str) -> bool {
        let Some((account, resource)) = aws_principal(a) else {
            return false;
        };
        self.aws
            .iter()
            .any(|(acc, res)| *acc == account && (res.is_none() || *res == resource))
    }
}

/// An AWS principal as (account, resource), the account root and a bare id meaning the
/// whole account (`None`).
fn aws_principal(a: &str) -> Option<(String, Option<String>)> {
    match parse_arn(a) {
        Some(arn) => Some((
            arn.account.to_string(),
            (arn.resource != "root").then(|| arn.resource.to_string()),
        )),
        None if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => {
            Some((a.to_string(), None))
        }
        None => None,
    }
}

/// The account's trust in a role: unconditional as soon as one statement is.
fn merge_trust(trust: &mut Option<Vec<Condition>>, conditions: &[Condition]) {
    match trust {
        Some(c) if c.is_empty() => {}
        _ if conditions.is_empty() => *trust = Some(Vec::new()),
        Some(_) => {}
        None => *trust = Some(conditions.to_vec()),
    }
}

/// Adds `values` to the list property `key`, each once, in order of arrival.
fn add_to_list(properties: &mut BTreeMap<String, Value>, key: &str, values: &[String]) {
    let entry = properties.entry(key.into()).or_insert_with(|| json!([]));
    if let Value::Array(list) = entry {
        for v in values {
            if !list.iter().any(|x| x == v) {
                list.push(json!(v));
            }
        }
    }
}

/// Whether a trust statement lets principals assume the role.
fn lets_in(st: &policy::Statement) -> bool {
    match &st.actions {
        policy::Matcher::Only(a) => a.iter().any(|a| {
            [
                "sts:AssumeRole",
                "sts:AssumeRoleWithWebIdentity",
                "sts:AssumeRoleWithSAML",
            ]
            .iter()
            .any(|action| policy::glob_match(a, action, true))
        }),
        policy::Matcher::AllBut(_) => true,
    }
}

fn negation(p: &Permission) -> String {
    let mut parts = Vec::new();
    if !p.actions.exclude.is_empty() {
        parts.push(format!("every action but {}", p.actions.exclude.join(", ")));
    }
    if let Resources::AllBut(r) = &p.resources {
        parts.push(format!("every resource but {}", r.join(", ")));
    }
    format!(
        "NotAction/NotResource, over-approximated: {}",
        parts.join("; ")
    )
}

pub(crate) fn administrator_access() -> &'static Document {
    static DOC: std::sync::OnceLock<Document> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut problems = Vec::new();
        policy::parse_document(
            &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            "AdministratorAccess",
            &mut problems,
        )
        .unwrap_or_default()
    })
}

/// From each node, the ways of becoming another: (to, kind, the conditions it holds under).
type Becomes = BTreeMap<String, Vec<(String, EdgeKind, Vec<String>)>>;

/// A walk's steps (kind, node reached) and the conditions of its conditional edges.
type BecomeWalk = (Vec<(EdgeKind, String)>, Vec<String>);

/// A step of a walk in words: `assumes`, `mints a credential of`.
fn verb(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Assumes => "it assumes",
        EdgeKind::Mints => "it mints a credential of",
        EdgeKind::MemberOf => "it joins",
        EdgeKind::Holds => "it holds",
        EdgeKind::AuthenticatesAs => "which authenticates as",
        _ => "it reaches",
    }
}

/// The fewest-edge walk by which `start` becomes `target` (or, for a group, joins it), over
/// `next`: unconditional edges first, then any; its steps and the conditions of its
/// conditional edges.
fn become_walk(
    next: &Becomes,
    backs: &[Back<'_>; 2],
    start: &str,
    target: &str,
) -> Option<BecomeWalk> {
    let back = backs.iter().find(|b| b.contains_key(target))?;
    let mut steps = Vec::new();
    let mut conditions = Vec::new();
    let mut at = target;
    while at != start {
        let (from, kind) = back[at];
        steps.push((kind, at.to_string()));
        if let Some((_, _, c)) = next[from].iter().find(|(t, k, _)| t == at && *k == kind) {
            conditions.extend(c.iter().cloned());
        }
        at = from;
    }
    steps.reverse();
    Some((steps, conditions))
}

/// For each node a breadth-first search from `start` reaches (over unconditional edges
/// only, unless `conditional`), the node and edge kind it was first reached from.
type Back<'a> = BTreeMap<&'a str, (&'a str, EdgeKind)>;

fn search<'a>(next: &'a Becomes, start: &str, conditional: bool) -> Back<'a> {
    let mut back: Back<'a> = BTreeMap::new();
    // Borrowed from `next`, as every node the walks hold is; nothing leaves a node without
    // edges.
    let Some((start, _)) = next.get_key_value(start) else {
        return back;
    };
    let start = start.as_str();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen = BTreeSet::from([start]);
    while let Some(x) = queue.pop_front() {
        for (to, kind, c) in next.get(x).into_iter().flatten() {
            if (!conditional && !c.is_empty()) || !seen.insert(to.as_str()) {
                continue;
            }
            back.insert(to.as_str(), (x, *kind));
            queue.push_back(to.as_str());
        }
    }
    back
}
