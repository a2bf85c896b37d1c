//! The validated authority graph: what a graph file means, independent of how it was written.
//!
//! Values here have passed every check of docs/format.md; the loader is the only producer.

use crate::timestamp::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a closed vocabulary of docs/format.md: the enum, its spellings, and the accepted list
/// that error messages print.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order docs/format.md lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every spelling, in the same order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The spelling used in graph files and outputs.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value with this exact spelling (case-sensitive, as docs/format.md compares strings).
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What a node is.
    NodeKind {
        Human => "human",
        Service => "service",
        Agent => "agent",
        App => "app",
        Partner => "partner",
        Tenant => "tenant",
        Group => "group",
        Credential => "credential",
        Resource => "resource",
    }
}

vocabulary! {
    /// What an edge means; every edge passes authority from `from` to `to`.
    EdgeKind {
        Holds => "holds",
        AuthenticatesAs => "authenticates_as",
        MemberOf => "member_of",
        Assumes => "assumes",
        AdminOf => "admin_of",
        Mints => "mints",
        Grants => "grants",
        Exposes => "exposes",
    }
}

vocabulary! {
    /// Lifecycle state of a node; only `active` passes authority.
    Status {
        Active => "active",
        Disabled => "disabled",
        Deleted => "deleted",
        Offboarded => "offboarded",
        Revoked => "revoked",
    }
}

vocabulary! {
    /// How much it matters if a node is reached.
    Sensitivity {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
}

vocabulary! {
    /// Authority over a node, ordered `read < write < admin`.
    Level {
        Read => "read",
        Write => "write",
        Admin => "admin",
    }
}

vocabulary! {
    /// The technology of a credential.
    CredentialType {
        ApiKey => "api_key",
        OauthToken => "oauth_token",
        RefreshToken => "refresh_token",
        ClientSecret => "client_secret",
        Certificate => "certificate",
        SshKey => "ssh_key",
        Password => "password",
        Pat => "pat",
        Other => "other",
    }
}

impl NodeKind {
    /// `human`, `service`, `agent`, `app`, `partner`, `tenant`: what can act as itself.
    pub fn is_principal(self) -> bool {
        matches!(
            self,
            NodeKind::Human
                | NodeKind::Service
                | NodeKind::Agent
                | NodeKind::App
                | NodeKind::Partner
                | NodeKind::Tenant
        )
    }

    /// A principal or a group: what can hold authority of its own.
    pub fn is_actor(self) -> bool {
        self.is_principal() || self == NodeKind::Group
    }

    /// `tenant` and `partner`: each is its own organisation.
    pub fn is_org(self) -> bool {
        matches!(self, NodeKind::Tenant | NodeKind::Partner)
    }
}

impl EdgeKind {
    /// Whether an edge of this kind may join a `from` node of one kind to a `to` node of another.
    pub fn fits(self, from: NodeKind, to: NodeKind) -> bool {
        use NodeKind as K;
        match self {
            EdgeKind::Holds => from.is_actor() && to == K::Credential,
            EdgeKind::AuthenticatesAs => from == K::Credential && to.is_principal(),
            EdgeKind::MemberOf => from.is_actor() && to == K::Group,
            EdgeKind::Assumes => from.is_actor() && to.is_actor(),
            EdgeKind::AdminOf => from.is_actor() && to != K::Credential,
            EdgeKind::Mints => from.is_actor() && (to == K::Credential || to.is_principal()),
            EdgeKind::Grants => from.is_actor() && to == K::Resource,
            EdgeKind::Exposes => from == K::Resource && to == K::Credential,
        }
    }

    /// The endpoint kinds this edge kind accepts, in words, for error messages.
    pub fn signature(self) -> &'static str {
        match self {
            EdgeKind::Holds => "an actor (principal or group) → a credential",
            EdgeKind::AuthenticatesAs => {
                "a credential → a principal (human, service, agent, app, partner, tenant)"
            }
            EdgeKind::MemberOf => "an actor (principal or group) → a group",
            EdgeKind::Assumes => "an actor (principal or group) → an actor",
            EdgeKind::AdminOf => "an actor (principal or group) → anything but a credential",
            EdgeKind::Mints => "an actor (principal or group) → a credential or a principal",
            EdgeKind::Grants => "an actor (principal or group) → a resource",
            EdgeKind::Exposes => "a resource → a credential",
        }
    }

    /// `holds`, `authenticates_as`, `assumes`, `admin_of`, `mints`, `exposes`: following one
    /// means acting through another identity or a credential (docs/rules.md).
    pub fn is_identity_changing(self) -> bool {
        !matches!(self, EdgeKind::MemberOf | EdgeKind::Grants)
    }
}

/// The tag that marks a platform's own identity (a Kubernetes controller, a cloud
/// provider's service role, a CI system's per-job token): its findings are rated `info`
/// unless `--include-builtin`. Importers write it; the rules read it.
pub const BUILTIN_TAG: &str = "builtin";

/// The tag that marks a node standing for every account of a system anyone can join (any
/// GitHub account): what it reaches, anyone at all can. The estate's join writes it; the
/// `open-trust` rule reads it.
pub const ANYONE_TAG: &str = "anyone";

/// Index of a node in [`Graph::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeIx(pub u32);

impl NodeIx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of an edge in [`Graph::edges`]. Parallel edges are distinct edges, so an edge is
/// named by its index, never by its endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct EdgeIx(pub u32);

impl EdgeIx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The position in the file's `edges` array, as messages name it (`edges[7]`).
impl std::fmt::Display for EdgeIx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Where something was written: 1-based line and column (in characters) of the input file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub line: u32,
    pub column: u32,
}

/// Keys the format does not define, kept in file order and shown, never interpreted.
pub type Properties = Vec<(String, serde_json::Value)>;

/// Fields only a `credential` node may carry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CredentialFields {
    pub credential_type: Option<CredentialType>,
    pub issued_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub rotated_at: Option<Timestamp>,
    pub scopes: Option<Vec<String>>,
    pub used_scopes: Option<Vec<String>>,
}

impl CredentialFields {
    /// `other` when the file leaves the type out.
    pub fn credential_type(&self) -> CredentialType {
        self.credential_type.unwrap_or(CredentialType::Other)
    }
}

/// One identity, group, credential, organisation or resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub name: Option<String>,
    /// The `tenant` or `partner` this node belongs to; `None` is the home organisation.
    pub org: Option<NodeIx>,
    /// The owner exactly as written; it may name no node (a finding, not an error).
    pub owner: Option<String>,
    pub status: Status,
    pub sensitivity: Sensitivity,
    pub tags: Vec<String>,
    pub purpose: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    /// Present exactly when `kind` is `credential`.
    pub credential: Option<Box<CredentialFields>>,
    /// Only a `partner` may carry it.
    pub contract_end: Option<Timestamp>,
    pub properties: Properties,
    pub span: Span,
    /// Critical because the policy's `[critical]` says so (set by
    /// `policy::CriticalSpec::mark`, so every command that reads the policy agrees).
    pub critical_by_policy: bool,
}

impl Node {
    /// The display name: `name`, or the id when there is none.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// Live: `status` absent or `active`.
    pub fn is_live(&self) -> bool {
        self.status == Status::Active
    }

    /// `sensitivity: critical`, tagged exactly `tier0`, or made critical by the policy.
    pub fn is_critical(&self) -> bool {
        self.critical_by_policy
            || self.sensitivity == Sensitivity::Critical
            || self.tags.iter().any(|t| t == "tier0")
    }
}

/// One grant of authority: whoever controls `from` can act with `to`'s authority.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: NodeIx,
    pub to: NodeIx,
    pub kind: EdgeKind,
    /// The most authority over `to` this edge passes on (`admin` when absent; unused on `exposes`).
    pub level: Level,
    /// Only on `exposes`: the level over `from` needed to use it (`read` when absent).
    pub requires: Level,
    /// Only on `admin_of`.
    pub redelegable: bool,
    pub expires_at: Option<Timestamp>,
    pub span: Span,
    /// The fields most edges leave out, kept apart so that millions of plain edges stay small
    /// (48 bytes instead of 120).
    pub extra: Option<Box<EdgeExtra>>,
}

/// An edge's governance fields and free-form properties.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeExtra {
    pub granted_by: Option<String>,
    pub purpose: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    pub properties: Properties,
}

impl Edge {
    pub fn granted_by(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|x| x.granted_by.as_deref())
    }

    pub fn purpose(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|x| x.purpose.as_deref())
    }

    pub fn reviewed_at(&self) -> Option<Timestamp> {
        self.extra.as_ref().and_then(|x| x.reviewed_at)
    }

    pub fn properties(&self) -> &[(String, serde_json::Value)] {
        self.extra.as_ref().map_or(&[], |x| &x.properties)
    }

    /// The extra fields, created empty on first use.
    pub(crate) fn extra_mut(&mut self) -> &mut EdgeExtra {
        self.extra.get_or_insert_with(Box::default)
    }
}

/// A whole validated graph file.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The name the input was read under (a path, or `-` for standard input).
    pub source: String,
    pub as_of: Option<Timestamp>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// What reading it left a person to know: an estate's warnings (a key not read, an
    /// alias that merged nothing), rendered; every command's answer repeats them.
    pub notes: Vec<String>,
    /// For an estate: its sources, seams and what could not be decided (a graph file
    /// read alone has none, and counts as one source).
    pub coverage: Option<crate::coverage::Coverage>,
}

impl Graph {
    pub fn node(&self, ix: NodeIx) -> &Node {
        &self.nodes[ix.index()]
    }

    pub fn edge(&self, ix: EdgeIx) -> &Edge {
        &self.edges[ix.index()]
    }

    /// The organisation of a node: itself for tenants and partners, else its `org`, else
    /// the home organisation (`None`).
    pub fn org_of(&self, n: NodeIx) -> Option<NodeIx> {
        let node = self.node(n);
        if node.kind.is_org() {
            Some(n)
        } else {
            node.org
        }
    }

    /// Node counts per kind, in docs/format.md order, kinds with none left out.
    pub fn node_counts(&self) -> Vec<(NodeKind, usize)> {
        let mut counts = [0usize; NodeKind::ALL.len()];
        for n in &self.nodes {
            counts[n.kind as usize] += 1;
        }
        NodeKind::ALL
            .iter()
            .zip(counts)
            .filter(|(_, c)| *c > 0)
            .map(|(k, c)| (*k, c))
            .collect()
    }

    /// Edge counts per kind, in docs/format.md order, kinds with none left out.
    pub fn edge_counts(&self) -> Vec<(EdgeKind, usize)> {
        let mut counts = [0usize; EdgeKind::ALL.len()];
        for e in &self.edges {
            counts[e.kind as usize] += 1;
        }
        EdgeKind::ALL
            .iter()
            .zip(counts)
            .filter(|(_, c)| *c > 0)
            .map(|(k, c)| (*k, c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_fit_follows_the_format_table() {
        use EdgeKind as E;
        use NodeKind as K;
        assert!(E::Holds.fits(K::Partner, K::Credential));
        assert!(!E::Holds.fits(K::Credential, K::Credential));
        assert!(E::AuthenticatesAs.fits(K::Credential, K::Tenant));
        assert!(!E::AuthenticatesAs.fits(K::Service, K::Service));
        assert!(!E::AuthenticatesAs.fits(K::Credential, K::Group));
        assert!(E::MemberOf.fits(K::Group, K::Group));
        assert!(E::AdminOf.fits(K::Group, K::Resource));
        assert!(!E::AdminOf.fits(K::Human, K::Credential));
        assert!(E::Mints.fits(K::App, K::Service));
        assert!(!E::Mints.fits(K::App, K::Group));
        assert!(!E::Grants.fits(K::Resource, K::Resource));
        assert!(E::Exposes.fits(K::Resource, K::Credential));
        assert!(!E::Exposes.fits(K::Service, K::Credential));
    }

    #[test]
    fn vocabulary_round_trips() {
        for k in NodeKind::ALL {
            assert_eq!(NodeKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(EdgeKind::parse("Holds"), None);
        assert!(Level::Read < Level::Write && Level::Write < Level::Admin);
        assert_eq!(
            CredentialType::parse("api_key"),
            Some(CredentialType::ApiKey)
        );
    }

    #[test]
    fn plain_edges_stay_small() {
        // Five million edges are 240 MB at this size; the rare fields live in `extra`.
        assert!(
            std::mem::size_of::<Edge>() <= 48,
            "{}",
            std::mem::size_of::<Edge>()
        );
    }
}
