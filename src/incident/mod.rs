//! Incident response: what a compromised node reaches (`blast`), who reaches a node
//! (`whocan`), the paths between two nodes (`paths`), and the cheapest set of edges to
//! revoke to cut sources off from targets (`cut`). All answers come from `reach::Engine`.

pub mod blast;
pub mod cut;
pub mod paths;
pub mod whocan;

use crate::diagnostics::{did_you_mean, quote};
use crate::graph::AuthGraph;
use crate::model::NodeIx;

/// Resolves ids given on the command line, every unknown one reported with a suggestion.
pub fn resolve(g: &AuthGraph<'_>, ids: &[String], flag: &str) -> Result<Vec<NodeIx>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for id in ids {
        // A native key (an ARN, `CLUSTER/NS/KIND/NAME`, `github:ORG/REPO`) names a node of
        // an estate: one match is that node, several are refused with the matches.
        match g.named(id) {
            Ok(n) => out.push(n),
            Err(found) if !found.is_empty() => {
                let names: Vec<String> =
                    found.iter().map(|n| quote(&g.model.node(*n).id)).collect();
                errors.push(format!(
                    "{flag} {} is the native key of {} nodes: {}; name one by its id",
                    quote(id),
                    found.len(),
                    names.join(", ")
                ));
            }
            Err(_) => {
                let hint = did_you_mean(id, g.ids.keys().copied())
                    .map(|m| format!(": did you mean {}?", quote(m)))
                    .unwrap_or_default();
                errors.push(format!(
                    "{flag} {} names no node in the graph{hint}",
                    quote(id)
                ));
            }
        }
    }
    if errors.is_empty() {
        out.sort_unstable_by_key(|n| g.model.node(*n).id.clone());
        out.dedup();
        Ok(out)
    } else {
        Err(errors)
    }
}
