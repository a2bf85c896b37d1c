//! authpath's own names in other tools' graphs, shared by the exports that write them and
//! the importers that read them back: the OpenGraph kinds (`AP_Service`, `AP_Assumes`…),
//! their namespace and source kind, and the keys the exports add to properties.

use crate::model::{EdgeKind, NodeKind};

/// The kind every exported node also gets from BloodHound (`metadata.source_kind`).
pub const SOURCE_KIND: &str = "AuthPath";

/// The namespace prefix of every kind authpath defines.
pub const NAMESPACE: &str = "AP";

/// `AP_` and the kind in CamelCase: `AP_Service`.
pub fn node_kind(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Human => "AP_Human",
        NodeKind::Service => "AP_Service",
        NodeKind::Agent => "AP_Agent",
        NodeKind::App => "AP_App",
        NodeKind::Partner => "AP_Partner",
        NodeKind::Tenant => "AP_Tenant",
        NodeKind::Group => "AP_Group",
        NodeKind::Credential => "AP_Credential",
        NodeKind::Resource => "AP_Resource",
    }
}

/// `AP_` and the kind in CamelCase: `AP_AuthenticatesAs`.
pub fn edge_kind(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Holds => "AP_Holds",
        EdgeKind::AuthenticatesAs => "AP_AuthenticatesAs",
        EdgeKind::MemberOf => "AP_MemberOf",
        EdgeKind::Assumes => "AP_Assumes",
        EdgeKind::AdminOf => "AP_AdminOf",
        EdgeKind::Mints => "AP_Mints",
        EdgeKind::Grants => "AP_Grants",
        EdgeKind::Exposes => "AP_Exposes",
    }
}

/// The keys the exports add to a node's or edge's properties; an import drops them.
pub const ANNOTATIONS: &[&str] = &[
    "ap_usable",
    "ap_critical",
    "ap_subject",
    "ap_external",
    "ap_passes",
    "ap_index",
    "ap_findings",
    "ap_max_severity",
];
