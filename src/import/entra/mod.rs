//! A Microsoft Entra ID tenant into an authority graph (`authpath import entra`), from
//! AzureHound's JSON output ([`azurehound`] reads the envelope as a stream).
//!
//! Reading keeps only what the graph needs, with every GUID lower-cased (AzureHound 3
//! upper-cases most of them, older versions none) and display names as written. Records
//! arrive in any order, so edges are drawn after every file is read. docs/entra-import.md
//! gives each rule with its source.

pub mod azurehound;
mod build;
pub mod catalogue;
mod records;

use super::GraphBuilder;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use build::Builder;
pub use build::guest_domain;
use records::Tenant;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Node ids: the native keys the estate names Entra objects by.
pub mod ids {
    pub fn tenant(id: &str) -> String {
        format!("entra:tenant:{id}")
    }
    pub fn user(id: &str) -> String {
        format!("entra:user:{id}")
    }
    pub fn group(id: &str) -> String {
        format!("entra:group:{id}")
    }
    /// An application registration, by its client id (`appId`).
    pub fn app(app_id: &str) -> String {
        format!("entra:app:{app_id}")
    }
    pub fn sp(id: &str) -> String {
        format!("entra:sp:{id}")
    }
    /// A directory role, by its template id, in a tenant.
    pub fn role(template: &str, tenant: &str) -> String {
        format!("entra:role:{template}@{tenant}")
    }
    /// The organisation guests of a home domain come from, until the estate says whose.
    pub fn domain(domain: &str) -> String {
        format!("entra:domain:{domain}")
    }
    /// A client secret or certificate of an application.
    pub fn secret(app_id: &str, key_id: &str) -> String {
        format!("entra:secret:{app_id}/{key_id}")
    }
    /// The identity provider a federated credential trusts, by its issuer without scheme.
    pub fn issuer(issuer: &str) -> String {
        let bare = issuer
            .strip_prefix("https://")
            .unwrap_or(issuer)
            .trim_end_matches('/');
        format!("entra:issuer:{bare}")
    }
    /// An app role of a resource service principal (`…#approle:ID`).
    pub fn app_role(sp_id: &str, role_id: &str) -> String {
        format!("entra:sp:{sp_id}#approle:{role_id}")
    }
    /// A PIM eligibility: the principal may activate the role.
    pub fn eligible(principal: &str, role: &str) -> String {
        format!("{principal}#eligible:{role}")
    }
}

/// What an import produced: the graph (absent when an input had an error), every problem
/// per file, and counts for the summary.
#[derive(Debug, Default)]
pub struct Import {
    pub graph: Option<GraphBuilder>,
    pub problems: Vec<Diagnostics>,
    pub files: usize,
    pub records: usize,
    /// Records by kind: those modelled.
    pub kinds: BTreeMap<String, usize>,
    /// Kinds read and not modelled (Azure resource manager kinds, devices…), with counts.
    pub skipped: BTreeMap<String, usize>,
    /// The tenant's id.
    pub tenant: Option<String>,
    /// Federated credentials whose subject can never match: (their application, the
    /// credential's name, its subject).
    pub misconfigured: Vec<(String, String, String)>,
}

/// The `.json` files of the paths given (directories walked, in name order).
fn files_of(paths: &[PathBuf], problems: &mut Vec<Diagnostics>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        match crate::source::json_files(p) {
            Ok(f) => out.extend(f),
            Err(d) => problems.push(d),
        }
    }
    out
}

/// Reads the AzureHound files (files or directories) and builds their graph.
pub fn import(paths: &[PathBuf]) -> Import {
    let mut problems = Vec::new();
    let files = files_of(paths, &mut problems);
    let mut t = Tenant::default();
    let mut import = Import {
        files: files.len(),
        ..Import::default()
    };
    for f in &files {
        let name = f.display().to_string();
        let mut d = Diagnostics::new(&name);
        let input: Box<dyn std::io::Read> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            match std::fs::File::open(f) {
                Ok(file) => Box::new(file),
                Err(_) => {
                    if let Err(e) = crate::source::read_bytes(f) {
                        problems.push(e);
                    }
                    continue;
                }
            }
        };
        read_one(input, &mut d, &mut t, &mut import);
        if d.error_count() + d.warning_count() > 0 {
            problems.push(d);
        }
    }
    finish(t, problems, import, paths)
}

/// Builds the graph from one text (the fuzz target's and the tests' way in).
pub fn import_text(name: &str, text: &str) -> Import {
    let mut t = Tenant::default();
    let mut import = Import {
        files: 1,
        ..Import::default()
    };
    let mut d = Diagnostics::new(name);
    read_one(text.as_bytes(), &mut d, &mut t, &mut import);
    let mut problems = Vec::new();
    if d.error_count() + d.warning_count() > 0 {
        problems.push(d);
    }
    finish(t, problems, import, &[PathBuf::from(name)])
}

fn read_one(input: impl std::io::Read, d: &mut Diagnostics, t: &mut Tenant, import: &mut Import) {
    let mut problems: Vec<(usize, String)> = Vec::new();
    let summary = azurehound::read(input, d, |r| {
        *import.kinds.entry(r.kind.clone()).or_default() += 1;
        if let Err(why) = t.take(&r) {
            problems.push((r.index, why));
        }
    });
    import.records += summary.records;
    for (index, why) in problems {
        d.push(
            Diagnostic::warning(
                codes::ENTRA_RECORD,
                None,
                format!("record {index}: {why}: skipped"),
            )
            .help("give the records as AzureHound wrote them"),
        );
    }
}

fn finish(
    t: Tenant,
    mut problems: Vec<Diagnostics>,
    mut import: Import,
    paths: &[PathBuf],
) -> Import {
    for k in t.skipped.keys() {
        import.kinds.remove(k);
    }
    import.skipped = t.skipped.clone();
    let failed = problems.iter().any(Diagnostics::has_errors);
    let place = paths
        .first()
        .map_or_else(|| "entra".to_string(), |p| p.display().to_string());
    let mut d = Diagnostics::new(place);
    if !failed {
        let mut b = Builder {
            t: &t,
            g: GraphBuilder::default(),
            d: &mut d,
            tenant: String::new(),
            misconfigured: Vec::new(),
        };
        b.build();
        import.tenant = Some(b.tenant.clone());
        import.misconfigured = std::mem::take(&mut b.misconfigured);
        let graph = b.g;
        if !d.has_errors() {
            import.graph = Some(graph);
        }
    }
    if d.error_count() + d.warning_count() > 0 {
        problems.push(d);
    }
    import.problems = problems;
    import
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guest_names_its_home_domain() {
        assert_eq!(
            guest_domain("jo.doe_fabrikam.com#EXT#@contoso.onmicrosoft.com").as_deref(),
            Some("fabrikam.com")
        );
        assert_eq!(
            guest_domain("JO_Partner.Example#ext#@contoso.onmicrosoft.com").as_deref(),
            Some("partner.example")
        );
        assert_eq!(guest_domain("jo@contoso.com"), None);
    }

    #[test]
    fn issuers_lose_their_scheme() {
        assert_eq!(
            ids::issuer("https://token.actions.githubusercontent.com/"),
            "entra:issuer:token.actions.githubusercontent.com"
        );
    }
}
