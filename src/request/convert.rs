//! Requests whose output is a file format rather than a document of findings: `validate`
//! (a summary per file), the importers (a graph file) and the exports (OpenGraph JSON, Cypher
//! CSV files).

use super::{Instant, Limits, Notes, lines, open};
use crate::diagnostics::Diagnostics;
use crate::error::{Error, ErrorKind, Result};
use crate::findings::Finding;
use crate::model::Graph;
use crate::progress::Progress;
use crate::timestamp::Timestamp;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `validate FILE`: one file checked against the format.
#[derive(Clone, Debug)]
pub struct ValidateRequest {
    pub file: PathBuf,
    /// Warnings are errors.
    pub strict: bool,
    pub limits: Limits,
}

/// A valid graph and what to say about it.
#[derive(Debug)]
pub struct Validated {
    pub graph: Graph,
    /// `file: valid, N nodes (…), M edges (…)[, K warning(s)]`.
    pub summary: String,
    /// The warnings, each with its place.
    pub warnings: Notes,
}

impl ValidateRequest {
    pub fn run(&self, progress: &Progress) -> Result<Validated> {
        let loaded = {
            let _p = progress.phase(&format!("loading {}", self.file.display()));
            super::load_input(&self.file, &self.limits)
                .map_err(|p| Error::input(&p.iter().collect::<Vec<_>>()))?
        };
        let d = &loaded.diagnostics;
        match loaded.graph {
            Some(_) if self.strict && d.warning_count() > 0 => {
                let message = format!(
                    "{}: {} warning(s), which --strict makes errors",
                    d.file,
                    d.warning_count()
                );
                let warnings = lines(std::slice::from_ref(d));
                Err(Error::new(ErrorKind::Strict, message).after(&warnings))
            }
            Some(graph) => {
                let mut summary = summary(&d.file, &graph);
                if d.warning_count() > 0 {
                    summary.push_str(&format!(", {} warning(s)", d.warning_count()));
                }
                let mut warnings = graph.notes.clone();
                warnings.extend(lines(std::slice::from_ref(d)));
                Ok(Validated {
                    graph,
                    summary,
                    warnings,
                })
            }
            None => Err(Error::input(&[d])),
        }
    }
}

/// `file: valid, N nodes (a human, b service…), M edges (c holds…)`.
pub fn summary(file: &str, g: &Graph) -> String {
    let nodes: Vec<String> = g
        .node_counts()
        .iter()
        .map(|(k, c)| format!("{c} {k}"))
        .collect();
    let edges: Vec<String> = g
        .edge_counts()
        .iter()
        .map(|(k, c)| format!("{c} {k}"))
        .collect();
    format!(
        "{file}: valid, {} nodes ({}), {} edges ({})",
        g.nodes.len(),
        nodes.join(", "),
        g.edges.len(),
        edges.join(", ")
    )
}

/// A graph file an importer wrote, and what to say about the import.
#[derive(Debug)]
pub struct Imported {
    /// The graph file's text.
    pub graph: String,
    /// The inputs' warnings, each with its place (always worth showing).
    pub problems: Notes,
    /// What was read and what was left out (a summary `--quiet` silences).
    pub summary: Notes,
    /// Every object the import left out, as JSON (`import opengraph --skipped FILE`).
    pub skipped: Option<String>,
}

/// The importer's graph file and summary (`write` turns the graph into both), or every
/// problem and the line saying nothing was written.
fn imported<G>(
    graph: Option<G>,
    problems: &[Diagnostics],
    write: impl FnOnce(G) -> (String, Notes),
) -> Result<Imported> {
    match graph {
        Some(g) => {
            let (graph, summary) = write(g);
            Ok(Imported {
                graph,
                problems: lines(problems),
                summary,
                skipped: None,
            })
        }
        None => {
            let errors: usize = problems.iter().map(|d| d.error_count()).sum();
            let summary = format!("import failed: {errors} error(s); no graph written");
            Err(Error::with_summary(problems, ErrorKind::Input, &summary))
        }
    }
}

/// An importer's `--strict`: a graph that would be written with warnings is refused
/// instead, listing every one (an import with errors fails on its own).
fn refuse_warnings(strict: bool, written: bool, problems: &[Diagnostics]) -> Result<()> {
    let warnings: usize = problems.iter().map(Diagnostics::warning_count).sum();
    if !strict || !written || warnings == 0 {
        return Ok(());
    }
    let summary = format!("{warnings} warning(s), which --strict makes errors; no graph written");
    Err(Error::with_summary(problems, ErrorKind::Strict, &summary))
}

/// `import estate MANIFEST`: every source of an estate manifest, joined into one graph.
#[derive(Clone, Debug)]
pub struct EstateImportRequest {
    pub manifest: PathBuf,
    /// Warnings are errors: nothing is written.
    pub strict: bool,
}

impl EstateImportRequest {
    pub fn run(&self, progress: &Progress) -> Result<Imported> {
        let joined = {
            let _p = progress.phase("importing the estate's sources");
            crate::estate::import(&self.manifest)
        };
        refuse_warnings(self.strict, joined.graph.is_some(), &joined.problems)?;
        let (coverage, joins, n, e) = (joined.coverage, joined.joins, joined.nodes, joined.edges);
        imported(joined.graph, &joined.problems, |g| {
            let mut lines = vec![format!(
                "authpath: joined {} source(s) of {}: {n} nodes, {e} edges; {joins} principal(s) named by two sources joined",
                coverage.sources.len(),
                self.manifest.display()
            )];
            lines.extend(coverage.lines().iter().map(|l| format!("authpath:   {l}")));
            (g, lines)
        })
    }
}

/// `import k8s PATH…`: Kubernetes RBAC manifests.
#[derive(Clone, Debug)]
pub struct K8sImportRequest {
    pub paths: Vec<PathBuf>,
    pub options: crate::import::k8s::Options,
    /// A directory (or file) of the cluster's EKS answers: its authentication mode, access
    /// entries and policies, Pod Identity associations.
    pub eks: Option<PathBuf>,
}

impl K8sImportRequest {
    pub fn run(&self, progress: &Progress) -> Result<Imported> {
        let mut options = self.options.clone();
        let mut eks_problems = Vec::new();
        if let Some(dir) = &self.eks {
            // Whatever cluster they name: the directory is this cluster's.
            let (eks, problems) = crate::import::eks::read(dir, None);
            if problems
                .iter()
                .any(crate::diagnostics::Diagnostics::has_errors)
            {
                return Err(Error::input(&problems.iter().collect::<Vec<_>>()));
            }
            eks_problems = problems;
            options.eks = Some(eks);
        }
        let mut import = {
            let _p = progress.phase("reading manifests");
            crate::import::k8s::import(&self.paths, &options)
        };
        import.problems.extend(eks_problems);
        refuse_warnings(
            self.options.strict,
            import.graph.is_some(),
            &import.problems,
        )?;
        imported(import.graph.as_ref(), &import.problems, |g| {
            let mut line = format!(
                "authpath: imported {} object(s) from {} file(s) ({} document(s)): {} nodes, {} edges",
                import.objects,
                import.files,
                import.documents,
                g.node_count(),
                g.edge_count()
            );
            let mut lines = Vec::new();
            if !import.skipped.is_empty() {
                let kinds: Vec<String> = import
                    .skipped
                    .iter()
                    .map(|(k, names)| format!("{} {k}", names.len()))
                    .collect();
                line.push_str(&format!(
                    "; skipped {} object(s) of kinds not modelled ({})",
                    import.skipped.values().map(Vec::len).sum::<usize>(),
                    kinds.join(", ")
                ));
                // Every skipped object by name: nothing is left out without saying so.
                for (kind, names) in &import.skipped {
                    lines.push(format!("authpath:   skipped {kind}: {}", names.join(", ")));
                }
            }
            lines.insert(0, line);
            (g.to_json(self.options.as_of), lines)
        })
    }
}

/// `import entra PATHS`: a Microsoft Entra ID tenant from AzureHound's JSON output.
#[derive(Clone, Debug)]
pub struct EntraImportRequest {
    pub paths: Vec<PathBuf>,
    /// Written as the graph's `as_of` when given.
    pub as_of: Option<Timestamp>,
    /// Warnings are errors: nothing is written.
    pub strict: bool,
}

impl EntraImportRequest {
    pub fn run(&self, progress: &Progress) -> Result<Imported> {
        let import = {
            let _p = progress.phase("reading AzureHound's records");
            crate::import::entra::import(&self.paths)
        };
        refuse_warnings(self.strict, import.graph.is_some(), &import.problems)?;
        imported(import.graph.as_ref(), &import.problems, |g| {
            let kinds: Vec<String> = import
                .kinds
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            let mut lines = vec![format!(
                "authpath: imported tenant {} from {} file(s), {} record(s) ({}): {} nodes, {} edges",
                import.tenant.as_deref().unwrap_or("unknown"),
                import.files,
                import.records,
                if kinds.is_empty() {
                    "none".to_string()
                } else {
                    kinds.join(", ")
                },
                g.node_count(),
                g.edge_count()
            )];
            if !import.skipped.is_empty() {
                let skipped: Vec<String> = import
                    .skipped
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect();
                lines.push(format!(
                    "authpath: records of kinds not modelled, left out: {}",
                    skipped.join(", ")
                ));
            }
            (g.to_json(self.as_of), lines)
        })
    }
}

/// `import aws-iam DETAILS [--credential-report CSV]`: an AWS account's IAM.
#[derive(Clone, Debug)]
pub struct AwsImportRequest {
    pub details: PathBuf,
    pub credential_report: Option<PathBuf>,
    /// Written as the graph's `as_of` when given.
    pub as_of: Option<Timestamp>,
    /// The organization's answers (a directory or a JSON file): its SCPs bind the account.
    pub organization: Option<PathBuf>,
    /// Warnings are errors: nothing is written.
    pub strict: bool,
}

impl AwsImportRequest {
    pub fn run(&self, progress: &Progress) -> Result<Imported> {
        let (org, mut org_problems) = match &self.organization {
            Some(path) => {
                let _p = progress.phase("reading the organization");
                let (org, problems) = crate::import::aws::organization::read(path);
                (org, problems)
            }
            None => (None, Vec::new()),
        };
        let mut import = {
            let _p = progress.phase("reading the authorization details");
            let settings = crate::import::aws::Settings {
                as_of: self.as_of,
                organization: org.as_ref(),
            };
            crate::import::aws::import_with(
                &self.details,
                self.credential_report.as_deref(),
                settings,
            )
        };
        // The details are read even so, so that every problem of every file is listed.
        if org_problems
            .iter()
            .any(crate::diagnostics::Diagnostics::has_errors)
        {
            import.graph = None;
        }
        org_problems.append(&mut import.problems);
        import.problems = org_problems;
        refuse_warnings(self.strict, import.graph.is_some(), &import.problems)?;
        imported(import.graph.as_ref(), &import.problems, |g| {
            let mut line = format!(
                "authpath: imported {} user(s), {} group(s), {} role(s), {} managed policies",
                import.users, import.groups, import.roles, import.policies
            );
            if self.credential_report.is_some() {
                line.push_str(&format!(
                    ", {} credential report row(s)",
                    import.report_rows
                ));
            }
            line.push_str(&format!(
                ": {} nodes, {} edges",
                g.node_count(),
                g.edge_count()
            ));
            let mut lines = vec![line];
            if !import.undecided.is_empty() {
                let keys: Vec<String> = import
                    .undecided
                    .iter()
                    .map(|(k, n)| format!("{k} ({n} edge(s))"))
                    .collect();
                lines.push(format!(
                    "authpath: condition keys not evaluated, their edges drawn as if they held: {}",
                    keys.join(", ")
                ));
            }
            if let Some(scp) = &import.scp {
                lines.push(format!("authpath: {scp}"));
            }
            let j = import.judged;
            let principal = if org.is_some() {
                "aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount"
            } else {
                "aws:PrincipalAccount, aws:SourceAccount"
            };
            let which = match self.as_of {
                Some(at) => format!("{principal}, and the time keys at {at}"),
                None => format!("{principal}; the time keys need --as-of"),
            };
            if self.as_of.is_some() || j.dead + j.decided > 0 {
                lines.push(format!(
                    "authpath: conditions decided ({which}): {} statement(s) that cannot hold left out; {} test(s) decided",
                    j.dead, j.decided
                ));
            }
            (g.to_json(self.as_of), lines)
        })
    }
}

/// `import opengraph FILE [--mapping TOML]`: a BloodHound OpenGraph document.
#[derive(Clone, Debug)]
pub struct OpengraphImportRequest {
    pub file: PathBuf,
    /// Foreign kinds to authpath's; without one only authpath's own `AP_` kinds are read.
    pub mapping: Option<PathBuf>,
    pub as_of: Option<Timestamp>,
    /// Every warning (an object skipped that matters to authority, an organisation that names
    /// no node) is an error.
    pub strict: bool,
}

impl OpengraphImportRequest {
    pub fn run(&self, progress: &Progress) -> Result<Imported> {
        use crate::import::opengraph;
        let read = |p: &Path| crate::source::read_text(p).map_err(|d| Error::input(&[&d]));
        let mapping = match &self.mapping {
            Some(p) => {
                let text = read(p)?;
                let mut d = Diagnostics::new(p.display().to_string());
                opengraph::read_mapping(&text, &mut d).ok_or_else(|| Error::input(&[&d]))?
            }
            None => opengraph::Mapping {
                name_property: "name".into(),
                ..opengraph::Mapping::default()
            },
        };
        let text = read(&self.file)?;
        let import = {
            let _p = progress.phase("reading OpenGraph");
            opengraph::import_text(
                &self.file.display().to_string(),
                &text,
                &mapping,
                self.as_of,
            )
        };
        let opengraph::Import {
            graph,
            problems,
            summary,
        } = import;
        refuse_warnings(self.strict, graph.is_some(), &problems)?;
        let skipped =
            serde_json::to_string_pretty(&serde_json::json!({ "skipped": summary.skipped }))
                .expect("plain values serialise")
                + "\n";
        let mut out = imported(graph, &problems, |g| (g, og_summary(&summary)))?;
        out.skipped = Some(skipped);
        Ok(out)
    }
}

/// What an OpenGraph import read and every kind of thing it left out.
fn og_summary(s: &crate::import::opengraph::Summary) -> Notes {
    let list = |m: &BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let skipped = [
        (
            &s.unmapped_nodes,
            "node(s) whose kinds the mapping does not name",
        ),
        (
            &s.unmapped_edges,
            "edge(s) whose kind the mapping does not name",
        ),
        (
            &s.unfit_edges,
            "edge(s) whose ends do not fit the mapped kind",
        ),
    ];
    let mut out = vec![format!(
        "authpath: imported {} nodes, {} edges",
        s.nodes, s.edges
    )];
    for (counts, what) in skipped {
        if !counts.is_empty() {
            out.push(format!(
                "authpath: warning: skipped {} {what}: {}",
                counts.values().sum::<usize>(),
                list(counts)
            ));
        }
    }
    if !s.ignored.is_empty() {
        out.push(format!(
            "authpath: left out {} object(s) the mapping ignores as changing no authority: {}",
            s.ignored.values().sum::<usize>(),
            list(&s.ignored)
        ));
    }
    if !s.unmodelled.is_empty() {
        out.push(format!(
            "authpath: warning: left out {} object(s) that matter to authority but the mapping marks unmodelled: {}",
            s.unmodelled.values().sum::<usize>(),
            list(&s.unmodelled)
        ));
    }
    if s.cover_groups > 0 {
        out.push(format!(
            "authpath: made {} cover group(s) with {} edge(s), so grants on a broader resource reach what it covers",
            s.cover_groups, s.cover_edges
        ));
    }
    if s.unresolved_edges > 0 {
        out.push(format!(
            "authpath: warning: skipped {} edge(s) with an end that names no imported node (a node skipped above, or not in the file)",
            s.unresolved_edges
        ));
    }
    if s.repeated_nodes > 0 {
        out.push(format!(
            "authpath: warning: {} node(s) repeat an earlier id: the first of each is kept",
            s.repeated_nodes
        ));
    }
    if s.renamed > 0 {
        out.push(format!(
            "authpath: note: {} foreign propert(ies) named like a field of the format kept as og_NAME",
            s.renamed
        ));
    }
    out
}

/// What every export reads: the graph, what passes authority at its instant, and (when
/// asked) its findings.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    pub file: PathBuf,
    pub now: Option<Timestamp>,
    /// Annotate nodes and edges with the findings they take part in.
    pub findings: bool,
    /// The policy of the findings; `None` reads `./authpath.toml` when it exists.
    pub policy: Option<PathBuf>,
    /// Findings taken into the annotations (0: every one).
    pub max_findings: usize,
    pub limits: Limits,
}

/// A graph ready to export.
#[derive(Debug)]
pub struct ExportInput {
    pub model: Graph,
    pub facts: crate::export::Facts,
    pub findings: Option<Vec<Finding>>,
    /// The wall-clock warning, when it applies.
    pub notes: Notes,
}

impl ExportRequest {
    pub fn run(&self, progress: &Progress) -> Result<ExportInput> {
        let mut model = open(&self.file, &self.limits, progress)?;
        let instant = Instant::of(&model, self.now);
        let notes: Notes = instant.note(&model.source).into_iter().collect();
        // The warning was owed before the policy was read: keep it with the error.
        let policy = match self.findings {
            true => Some(
                super::analysis::load_policy(self.policy.as_deref())
                    .map_err(|e| e.after(&notes))?,
            ),
            false => None,
        };
        if let Some(p) = &policy {
            p.critical.mark(&mut model);
        }
        let facts = {
            let _p = progress.phase("computing what passes authority");
            crate::export::Facts::of(&model, instant.as_of)
        };
        let findings = if let Some(policy) = policy {
            let opts = crate::analyze::Options {
                now: self.now,
                subjects: policy.subjects.unwrap_or_default(),
                policy,
                max_findings: (self.max_findings != 0).then_some(self.max_findings),
                choke_points: Some(0),
                max_path_nodes: Some(self.limits.max_path_nodes),
                include_builtin: false,
            };
            let _p = progress.phase("analysing");
            Some(crate::analyze::analyze(&model, &opts).findings)
        } else {
            None
        };
        Ok(ExportInput {
            model,
            facts,
            findings,
            notes,
        })
    }
}

impl ExportInput {
    /// The BloodHound OpenGraph document, and a note of the properties it had to reshape.
    pub fn opengraph(&self, progress: &Progress) -> (String, Notes) {
        let members = self.findings.as_deref().map(crate::export::Membership::of);
        let (doc, adjusted) = {
            let _p = progress.phase("writing OpenGraph");
            crate::export::opengraph::document(&self.model, &self.facts, members.as_ref())
        };
        let notes = (!adjusted.is_empty())
            .then(|| format!("authpath: opengraph: {}", adjusted.describe()))
            .into_iter()
            .collect();
        (doc, notes)
    }

    /// The Neo4j and Neptune CSV files and `queries.cypher` under `dir`, each written
    /// atomically; the note says what was written.
    pub fn cypher(&self, dir: &Path, progress: &Progress) -> Result<Notes> {
        let written = {
            let _p = progress.phase("writing CSV");
            crate::export::cypher::write(&self.model, &self.facts, self.findings.as_deref(), dir)
        };
        let w = written.map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot write under {}: {e}", dir.display()),
            )
        })?;
        Ok(vec![format!(
            "authpath: wrote {} files under {}: {} nodes, {} edges ({} passing authority), {} findings",
            w.files.len(),
            dir.display(),
            w.nodes,
            w.edges,
            w.passing,
            w.findings
        )])
    }
}
