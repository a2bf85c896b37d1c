//! The command line's grammar: every subcommand, flag and help text, as clap types, and how
//! each set of arguments becomes the library's request (`crate::request`).

use crate::findings::Severity;
use crate::picture::PictureOptions;
use crate::request::Limits;
use crate::request::analysis::{AnalyzeRequest, DiffRequest, Settings};
use crate::request::convert::{
    AwsImportRequest, ExportRequest, K8sImportRequest, OpengraphImportRequest,
};
use crate::request::query::{
    BlastRadiusRequest, CutRequest, OverviewRequest, PathsRequest, Query, WhoCanRequest,
};
use crate::rules::Subjects;
use crate::timestamp::Timestamp;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "authpath",
    version,
    about = "Who can really reach what, through which chain, and which credentials nobody owns any more.",
    long_about = None
)]
pub struct Cli {
    /// No progress on stderr (it only ever appears on a terminal, for phases over a second).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Bounds on what one run loads and writes, so that no input exhausts memory
/// (docs/format.md, "Size limits").
#[derive(Clone, Copy, Debug, clap::Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// Refuse a graph with more nodes than this (exit 2, before building anything)
    #[arg(long, global = true, value_name = "N", default_value_t = crate::load::DEFAULT_MAX_NODES)]
    pub max_graph_nodes: usize,
    /// Refuse a graph with more edges than this (exit 2, before building anything)
    #[arg(long, global = true, value_name = "N", default_value_t = crate::load::DEFAULT_MAX_EDGES)]
    pub max_graph_edges: usize,
    /// The paths written hold at most this many node ids in all: analyze shows the findings
    /// that fit (all are counted, the verdict unchanged); blast-radius and who-can refuse an
    /// answer that needs more (exit 2)
    #[arg(long, global = true, value_name = "N", default_value_t = crate::rules::DEFAULT_MAX_PATH_NODES)]
    pub max_path_nodes: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_graph_nodes: self.max_graph_nodes,
            max_graph_edges: self.max_graph_edges,
            max_path_nodes: self.max_path_nodes,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check graph files against the format; print a one-line summary per valid file, or
    /// every problem found (exit 2).
    #[command(
        after_help = "Examples:\n  authpath validate graphs/msp-delegated-admin.json\n  authpath validate --strict graph.json   # warnings (a near-miss key) fail too"
    )]
    Validate {
        /// Graph files to check; `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Treat warnings as errors (exit 2): a near-miss key such as `expires` for
        /// `expires_at`, an owner naming no node, a missing `as_of`.
        #[arg(long)]
        strict: bool,
    },
    /// Run every rule over a graph and report the findings (exit 1 when any is at or above
    /// --fail-on).
    #[command(
        after_help = "Examples:\n  authpath analyze graph.json --format sarif -o authpath.sarif\n  authpath analyze graph.json --fail-on critical --strict --policy authpath.toml"
    )]
    Analyze(AnalyzeArgs),
    /// Write one self-contained HTML file to explore the findings in a browser: the
    /// headline, a filterable findings table, each finding's path and neighbourhood, and
    /// nodes' fields, blast radius and who-can (viewing it needs no network).
    #[command(
        after_help = "Examples:\n  authpath report graph.json -o report.html\n  authpath report graph.json --policy authpath.toml --now 2026-11-01T00:00:00Z -o report.html"
    )]
    Report(ReportArgs),
    /// Compare two versions of a graph: new and resolved findings, access to critical nodes
    /// that appeared, rose, fell or vanished, and what changed (exit 1 on a new finding at or
    /// above --fail-on, or when an external subject gains access to a critical node).
    #[command(
        after_help = "Examples:\n  authpath diff main.json branch.json --format text\n  authpath diff main.json branch.json --format sarif -o diff.sarif"
    )]
    Diff(DiffArgs),
    /// Everything one or more compromised nodes reach, at what level, and how.
    #[command(
        after_help = "Examples:\n  authpath blast-radius graph.json --from key:ak-1 --format text\n  authpath blast-radius graph.json --from key:ak-1,svc:sync --min-level admin --kind resource"
    )]
    BlastRadius(BlastArgs),
    /// Every subject that reaches a node at least at a level, with its path.
    #[command(
        after_help = "Examples:\n  authpath who-can graph.json --reach db:prod --format text\n  authpath who-can graph.json --reach db:prod --level admin --subjects all   # people too"
    )]
    WhoCan(WhoCanArgs),
    /// The effective level from one node to another and the simple paths between them.
    #[command(
        after_help = "Examples:\n  authpath path graph.json --from partner:acme --to db:prod\n  authpath path graph.json --from partner:acme --to db:prod --max 10 --format json"
    )]
    Path(PathArgs),
    /// The cheapest set of edges to revoke so that no source reaches any target (a minimum
    /// cut), verified by re-running reachability.
    #[command(
        after_help = "Examples:\n  authpath cut graph.json --from partner:acme --to db:prod\n  authpath cut graph.json --from partner:acme --cost member_of=1,grants=5 --format json"
    )]
    Cut(CutArgs),
    /// Draw the graph as Graphviz DOT (or SVG/PNG through Graphviz): one cluster per
    /// organisation, shapes by kind, critical and inactive nodes marked.
    #[command(
        after_help = "Examples:\n  authpath dot graph.json -o graph.dot\n  authpath dot graph.json --format svg --focus db:prod --depth 2 -o prod.svg"
    )]
    Dot(DotArgs),
    /// Turn another system's description of access into a graph file (see docs/k8s-import.md,
    /// docs/aws-import.md, docs/interop.md).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a graph (and its findings) for other tools: BloodHound's OpenGraph, or the
    /// bulk-load CSV files of Neo4j and Amazon Neptune with openCypher queries (see
    /// docs/interop.md).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Print what a rule or reason code means, when it fires and how to fix it (the section
    /// of docs/rules.md, built in), or what a diagnostic code means and how to fix it.
    #[command(
        after_help = "Examples:\n  authpath explain transitive-privilege\n  authpath explain outlives-contract\n  authpath explain json-syntax   # the [code] ending a problem's first line"
    )]
    Explain {
        /// A rule (`transitive-privilege`), reason code (`no-owner`, `unused:SCOPE`,
        /// `assert:NAME`) or diagnostic code (`json-syntax`).
        #[arg(value_name = "RULE|REASON|DIAGNOSTIC")]
        code: String,
    },
    /// Print a shell completion script (for example: `authpath completions bash >
    /// /etc/bash_completion.d/authpath`).
    #[command(
        after_help = "Examples:\n  authpath completions bash > /etc/bash_completion.d/authpath\n  authpath completions zsh > ~/.zfunc/_authpath"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or with `-o DIR` write one page per command into DIR.
    #[command(
        after_help = "Examples:\n  authpath man | man -l -\n  authpath man -o /usr/local/share/man/man1"
    )]
    Man {
        /// Write `authpath.1` and a page per command (`authpath-analyze.1`, …) into this
        /// directory.
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Print a JSON Schema: of the graph format (default, for editors) or of the findings
    /// document.
    #[command(
        after_help = "Examples:\n  authpath schema -o authpath-graph.schema.json\n  authpath schema --findings\n  authpath schema --query who-can"
    )]
    Schema {
        /// The schema of `analyze --format json` instead of the graph format.
        #[arg(long, conflicts_with = "policy")]
        findings: bool,
        /// The schema of the policy file `authpath.toml`.
        #[arg(long, conflicts_with = "query")]
        policy: bool,
        /// The schema of the estate manifest `estate.toml`.
        #[arg(long, conflicts_with_all = ["query", "policy", "findings"])]
        estate: bool,
        /// The schema of an incident-response command's JSON output.
        #[arg(long, value_name = "COMMAND", value_parser = ["blast-radius", "who-can", "path", "cut"], conflicts_with = "findings")]
        query: Option<String>,
        /// Write to this file (atomically) instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Kubernetes RBAC manifests (YAML or JSON files, directories, multi-document YAML, List
    /// objects, `kubectl get -o yaml|json` output): service accounts, users, groups, roles,
    /// bindings, token Secrets and workloads, with the known privilege-escalation paths.
    #[command(
        after_help = "Examples:\n  authpath import k8s manifests/ --as-of 2026-11-01T00:00:00Z -o cluster.json\n  kubectl get roles,rolebindings,clusterroles,clusterrolebindings,serviceaccounts -A -o yaml | authpath import k8s - -o cluster.json"
    )]
    K8s(K8sArgs),
    /// An AWS account's IAM: the output of `aws iam get-account-authorization-details` (users,
    /// groups, roles, managed policies, trust policies, permissions boundaries) and optionally
    /// the IAM credential report (access keys with their rotation and last use), with the
    /// catalogued privilege-escalation methods. See docs/aws-import.md.
    #[command(
        name = "aws-iam",
        after_help = "Examples:\n  authpath import aws-iam authz.json --credential-report report.csv -o account.json\n  authpath import aws-iam authz.json --organization org/ -o account.json"
    )]
    AwsIam(AwsIamArgs),
    /// BloodHound OpenGraph JSON: what `export opengraph` wrote comes back whole; a
    /// collector's kinds (GitHound's `GH_*`…) go through a mapping file (TOML) to authpath's;
    /// unmapped kinds are counted and skipped. See docs/interop.md.
    #[command(
        after_help = "Examples:\n  authpath import opengraph exported.json -o graph.json\n  authpath import opengraph githound.json --mapping githound-mapping.toml -o github.json"
    )]
    Opengraph(OpengraphImportArgs),
    /// A Microsoft Entra ID tenant from AzureHound's JSON output (files or directories):
    /// users and guests, groups and owners, applications and service principals, directory
    /// roles and PIM eligibility, Microsoft Graph application permissions, app role
    /// assignments and federated identity credentials. See docs/entra-import.md.
    #[command(
        after_help = "Examples:\n  authpath import entra azurehound.json -o tenant.json\n  authpath import entra azurehound/ --as-of 2026-11-01T00:00:00Z -o tenant.json"
    )]
    Entra(EntraArgs),
    /// An estate manifest (`estate.toml`): every source it names (hand-written graphs, AWS
    /// accounts, Kubernetes clusters, OpenGraph documents) imported and joined into one
    /// graph, ids prefixed with their source's name, native keys kept. Every command that
    /// reads a graph also reads a manifest directly. See docs/estate.md.
    #[command(
        after_help = "Examples:\n  authpath import estate estate.toml -o estate.json\n  authpath analyze estate.toml   # the same, without the intermediate file"
    )]
    Estate(EstateImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct EstateImportArgs {
    /// The estate manifest (TOML).
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// Write the joined graph to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Warnings are errors (a source's, the manifest's): nothing is written (exit 2).
    #[arg(long)]
    pub strict: bool,
}

impl EstateImportArgs {
    pub fn request(&self) -> crate::request::convert::EstateImportRequest {
        crate::request::convert::EstateImportRequest {
            manifest: self.manifest.clone(),
            strict: self.strict,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct OpengraphImportArgs {
    /// The OpenGraph document; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The mapping of foreign node and edge kinds to authpath's (TOML).
    #[arg(long, value_name = "TOML")]
    pub mapping: Option<PathBuf>,
    /// Write the graph to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write this instant as the graph's `as_of` (RFC 3339) [default: the one an authpath
    /// export recorded].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<Timestamp>,
    /// Every warning is an error (exit 2, nothing written): an object that matters to
    /// authority left out, a kind the mapping does not name, an organisation naming no node.
    #[arg(long)]
    pub strict: bool,
    /// Write every node and edge the import left out (kind, id, name, reason) to this JSON
    /// file.
    #[arg(long, value_name = "FILE")]
    pub skipped: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// BloodHound Community Edition's OpenGraph JSON: nodes with `AP_` kinds, edges matched by
    /// id, properties flattened to what OpenGraph accepts, annotations (usable, critical,
    /// subject, external, passes) and, with --findings, the findings each node and edge is
    /// in.
    #[command(
        after_help = "Examples:\n  authpath export opengraph graph.json -o graph.opengraph.json --extension authpath-extension.json\n  authpath export opengraph graph.json --findings -o with-findings.json"
    )]
    #[command(
        after_help = "Examples:\n  authpath export opengraph graph.json --findings -o bloodhound.json\n  authpath export opengraph graph.json --extension ext.json -o bloodhound.json"
    )]
    Opengraph(OpengraphExportArgs),
    /// Node and relationship CSV files in the bulk-load layouts of Neo4j
    /// (`neo4j-admin database import`) and Amazon Neptune (openCypher), plus queries.cypher.
    #[command(
        after_help = "Examples:\n  authpath export cypher graph.json -o export/ --findings\n  neo4j-admin database import full --nodes=export/neo4j/nodes.csv --relationships=export/neo4j/edges.csv --relationships=export/neo4j/passes.csv --relationships=export/neo4j/delegates.csv neo4j"
    )]
    #[command(
        after_help = "Examples:\n  authpath export cypher graph.json -o out/\n  authpath export cypher graph.json --findings -o out/"
    )]
    Cypher(CypherExportArgs),
}

/// What both exports share.
#[derive(Debug, clap::Args)]
pub struct ExportCommon {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Run the analysis and include the findings (shown ones: see --max-findings).
    #[arg(long)]
    pub findings: bool,
    /// The instant of judgement (RFC 3339) instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// The policy file for --findings [default: ./authpath.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// With --findings: at most this many, the first in the contract's order (0: no cap).
    #[arg(long, value_name = "N", default_value_t = crate::analyze::DEFAULT_MAX_FINDINGS)]
    pub max_findings: usize,
}

#[derive(Debug, clap::Args)]
pub struct OpengraphExportArgs {
    #[command(flatten)]
    pub common: ExportCommon,
    /// Write the OpenGraph document here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write BloodHound's extension definition (authpath's node and edge kinds, which
    /// are traversable, icons and colours) to this file.
    #[arg(long, value_name = "FILE")]
    pub extension: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CypherExportArgs {
    #[command(flatten)]
    pub common: ExportCommon,
    /// The directory to write (created when missing): neo4j/, neptune/, queries.cypher.
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    pub output: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct AwsIamArgs {
    /// The authorization details (JSON); `-` reads standard input.
    #[arg(value_name = "AUTH_DETAILS")]
    pub details: PathBuf,
    /// The IAM credential report (CSV, as `get-credential-report` returns it base64-decoded):
    /// adds access keys and signing certificates, the root user, and tells people from
    /// machine users.
    #[arg(long, value_name = "REPORT")]
    pub credential_report: Option<PathBuf>,
    /// Write the graph to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write this instant as the graph's `as_of` (RFC 3339): when the files were exported.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<Timestamp>,
    /// The AWS organization's answers (a directory of `aws organizations` JSON answers, or
    /// one file holding them): its service control policies bind the account, and
    /// `aws:PrincipalOrgID` is decided.
    #[arg(long, value_name = "DIR_OR_JSON")]
    pub organization: Option<PathBuf>,
    /// Warnings are errors (an unknown key, a truncated export, a statement that cannot be
    /// evaluated): nothing is written (exit 2).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct EntraArgs {
    /// AzureHound JSON files, or directories of them (walked for .json); `-` reads standard
    /// input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write the graph to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write this instant as the graph's `as_of` (RFC 3339): when AzureHound collected.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<Timestamp>,
    /// Warnings are errors (a record that cannot be read, an object the files do not list,
    /// a federated credential that matches nothing): nothing is written (exit 2).
    #[arg(long)]
    pub strict: bool,
}

impl EntraArgs {
    pub fn request(&self) -> crate::request::convert::EntraImportRequest {
        crate::request::convert::EntraImportRequest {
            paths: self.paths.clone(),
            as_of: self.as_of,
            strict: self.strict,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct K8sArgs {
    /// Manifest files or directories (walked for .yaml, .yml and .json); `-` reads standard
    /// input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write the graph to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The namespace of namespaced objects that name none, as `kubectl apply -n` would.
    #[arg(long, short = 'n', value_name = "NS", default_value = "default")]
    pub namespace: String,
    /// The cluster is older than 1.24 and stores every service account's token in a Secret
    /// (so reading Secrets in a namespace reveals every account's token there).
    #[arg(long)]
    pub legacy_sa_tokens: bool,
    /// Write this instant as the graph's `as_of` (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<Timestamp>,
    /// Warnings are errors: a JSON or YAML file without Kubernetes objects found in a
    /// directory, an object that matters to authority but is not modelled, an aws-auth
    /// entry that maps no one; nothing is written then (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// The sensitivity of every Secret's node; a policy can raise some to critical by the
    /// tags `k8s-secret` and `k8s-secret-type:TYPE`.
    #[arg(long, value_enum, value_name = "LEVEL", default_value = "high")]
    pub secret_sensitivity: SensitivityArg,
    /// The cluster's EKS answers (a directory of `aws eks describe-cluster`,
    /// `describe-access-entry`, `list-associated-access-policies` and
    /// `describe-pod-identity-association` JSON): its authentication mode decides whether the
    /// aws-auth ConfigMap, access entries or both count.
    #[arg(long, value_name = "DIR")]
    pub eks: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SensitivityArg {
    Low,
    Medium,
    High,
    Critical,
}

impl SensitivityArg {
    pub fn sensitivity(self) -> crate::model::Sensitivity {
        use crate::model::Sensitivity;
        match self {
            SensitivityArg::Low => Sensitivity::Low,
            SensitivityArg::Medium => Sensitivity::Medium,
            SensitivityArg::High => Sensitivity::High,
            SensitivityArg::Critical => Sensitivity::Critical,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format; `text` on a terminal, `json` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
    /// Report only findings whose ids are not in this earlier findings document.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write every current finding (before --baseline) as a baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    #[command(flatten)]
    pub focus: FocusArgs,
    #[command(flatten)]
    pub filter: FindingFilterArgs,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The graph before the change.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The graph after the change.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format; `text` on a terminal, `json` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<DiffFormat>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// How `analyze` and `diff` run the rules (each also settable in the policy file).
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Judge time-based rules at this RFC 3339 instant instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Which principals start the reachability rules [default: the policy's, else default].
    #[arg(long, value_enum)]
    pub subjects: Option<SubjectsArg>,
    /// Exit 1 when a (new) finding is at or above this severity [default: the policy's,
    /// else high].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// The policy file [default: ./authpath.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Show at most this many findings (per graph): the first in the report's order — most
    /// severe first, then by rule name, subject id and target id. The rest are still counted
    /// in the summary and the exit code, and the output says how many were left out per
    /// rule. 0: no cap (JSON is then streamed, in bounded memory).
    #[arg(long, value_name = "N", default_value_t = crate::analyze::DEFAULT_MAX_FINDINGS)]
    pub max_findings: usize,
    /// Report this many choke points of each kind: the nodes and the edges through which
    /// the most (subject, critical node) pairs pass (0: none).
    #[arg(long, value_name = "K", default_value_t = crate::analyze::DEFAULT_CHOKE_POINTS)]
    pub choke_points: usize,
    /// An `[[assert]]` whose `from` or `to` selects no node is an error (exit 2) instead of a
    /// warning (as `strict = true` in the policy).
    #[arg(long)]
    pub strict: bool,
    /// Rate the findings of built-in platform identities (nodes tagged `builtin`, such as
    /// the Kubernetes controllers `import k8s` marks) like any other; by default they are
    /// rated info, so a stock cluster does not fail the gate.
    #[arg(long)]
    pub include_builtin: bool,
}

impl RunArgs {
    /// The settings as given; the policy and the defaults fill the rest.
    pub(crate) fn settings(&self) -> Settings {
        Settings {
            now: self.now,
            subjects: self.subjects.map(SubjectsArg::subjects),
            fail_on: self.fail_on.map(FailOn::threshold),
            policy: self.policy.clone(),
            max_findings: self.max_findings,
            choke_points: self.choke_points,
            strict: self.strict,
            include_builtin: self.include_builtin,
        }
    }
}

impl AnalyzeArgs {
    pub fn request(&self, limits: Limits) -> AnalyzeRequest {
        AnalyzeRequest {
            file: self.file.clone(),
            settings: self.run.settings(),
            baseline: self.baseline.clone(),
            limits,
        }
    }

    /// What a picture of the findings draws.
    pub fn picture(&self) -> PictureOptions {
        self.focus.picture(Some(&self.filter))
    }
}

impl DiffArgs {
    pub fn request(&self, limits: Limits) -> DiffRequest {
        DiffRequest {
            old: self.old.clone(),
            new: self.new.clone(),
            settings: self.run.settings(),
            limits,
        }
    }
}

impl ReportArgs {
    /// An analysis whose page lists at most `--max-findings` and the ten worst choke points.
    pub fn request(&self, limits: Limits) -> AnalyzeRequest {
        AnalyzeRequest {
            file: self.file.clone(),
            settings: Settings {
                now: self.now,
                subjects: self.subjects.map(SubjectsArg::subjects),
                policy: self.policy.clone(),
                max_findings: self.max_findings,
                choke_points: 10,
                include_builtin: self.include_builtin,
                ..Settings::default()
            },
            baseline: None,
            limits,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Sarif,
    /// New paths in one colour, removed paths in another.
    Dot,
    /// One self-contained HTML page: new and resolved findings, access changes, the new
    /// paths in red.
    Html,
}

/// What every incident-response command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryArgs {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format; `text` on a terminal, `json` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<QueryFormat>,
    /// Judge expiry and inactivity at this RFC 3339 instant instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Treat disabled nodes and expired edges as re-enabled, marking every path that needs
    /// one as latent (a disabled account can be switched back on).
    #[arg(long)]
    pub include_inactive: bool,
    /// The policy whose `[critical]` (and, for who-can, `subjects`) apply, as in analyze
    /// [default: ./authpath.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// With --format dot: draw at most this many nodes.
    #[arg(long, value_name = "N", default_value_t = crate::picture::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
    /// Write the answer to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Text,
    Json,
    Dot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Read,
    Write,
    Admin,
}

impl LevelArg {
    pub fn level(self) -> crate::model::Level {
        match self {
            LevelArg::Read => crate::model::Level::Read,
            LevelArg::Write => crate::model::Level::Write,
            LevelArg::Admin => crate::model::Level::Admin,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BlastArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// The compromised nodes (repeat, or separate ids with commas).
    #[arg(long, value_name = "ID", value_delimiter = ',', required = true)]
    pub from: Vec<String>,
    /// List only nodes reached at this level or more.
    #[arg(long, value_enum, default_value = "read")]
    pub min_level: LevelArg,
    /// List only nodes of these kinds (repeat, or separate with commas).
    #[arg(long, value_name = "KIND", value_delimiter = ',', value_parser = parse_kind)]
    pub kind: Vec<crate::model::NodeKind>,
}

#[derive(Debug, clap::Args)]
pub struct WhoCanArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// The node to reach.
    #[arg(long, value_name = "ID")]
    pub reach: String,
    /// The least level that counts.
    #[arg(long, value_enum, default_value = "read")]
    pub level: LevelArg,
    /// Which principals count as subjects: `default` leaves people (human and tenant
    /// nodes) out and says how many reach the node; `all` lists them too [default: the
    /// policy's, else default].
    #[arg(long, value_enum)]
    pub subjects: Option<SubjectsArg>,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Judge time-based rules at this RFC 3339 instant instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Which principals start the reachability rules [default: the policy's, else default].
    #[arg(long, value_enum)]
    pub subjects: Option<SubjectsArg>,
    /// The policy file [default: ./authpath.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// List at most this many findings in the table (the most severe first); the totals
    /// count them all.
    #[arg(long, value_name = "N", default_value_t = 5_000)]
    pub max_findings: usize,
    /// Rate the findings of built-in platform identities like any other.
    #[arg(long)]
    pub include_builtin: bool,
}

#[derive(Debug, clap::Args)]
pub struct PathArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// The node the paths start from (its id), e.g. a partner or a leaked credential.
    #[arg(long, value_name = "ID")]
    pub from: String,
    /// The node the paths end at (its id), e.g. a critical resource.
    #[arg(long, value_name = "ID")]
    pub to: String,
    /// How many simple paths to list, shortest first.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max: usize,
}

#[derive(Debug, clap::Args)]
pub struct CutArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// The compromised nodes (repeat, or separate ids with commas).
    #[arg(long, value_name = "ID", value_delimiter = ',', required = true)]
    pub from: Vec<String>,
    /// The nodes to protect [default: every critical node].
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub to: Vec<String>,
    /// Revocation cost of an edge kind, e.g. `--cost member_of=10,holds=1`.
    #[arg(long, value_name = "KIND=N", value_delimiter = ',', value_parser = parse_cost)]
    pub cost: Vec<(crate::model::EdgeKind, u64)>,
}

fn parse_kind(s: &str) -> Result<crate::model::NodeKind, String> {
    crate::model::NodeKind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind; use one of: {}",
            crate::model::NodeKind::NAMES.join(", ")
        )
    })
}

fn parse_cost(s: &str) -> Result<(crate::model::EdgeKind, u64), String> {
    let (kind, n) = s
        .split_once('=')
        .ok_or_else(|| "write KIND=N, e.g. member_of=10".to_owned())?;
    let kind = crate::model::EdgeKind::parse(kind).ok_or_else(|| {
        format!(
            "unknown edge kind {kind:?}; use one of: {}",
            crate::model::EdgeKind::NAMES.join(", ")
        )
    })?;
    let n: u64 = n
        .parse()
        .ok()
        .filter(|n| *n >= 1 && *n <= 1_000_000)
        .ok_or_else(|| format!("the cost of {kind} must be a whole number from 1 to 1000000"))?;
    Ok((kind, n))
}

#[derive(Debug, clap::Args)]
pub struct DotArgs {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// `dot` (Graphviz source), or `svg` / `png` rendered by Graphviz.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: PictureFormat,
    /// Judge expiry and inactivity at this RFC 3339 instant instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// The policy whose `[critical]` the picture outlines, as in analyze [default:
    /// ./authpath.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Write the picture to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub focus: FocusArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// Graphviz DOT of the graph with every finding's path highlighted.
    Dot,
    /// The DOT picture rendered by Graphviz (must be installed).
    Svg,
    /// The DOT picture rendered by Graphviz (must be installed).
    Png,
    /// The interactive page (`report`, `diff --format html`); not a format of `analyze`.
    #[value(skip)]
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PictureFormat {
    Dot,
    Svg,
    Png,
}

/// Narrowing a picture to what a reader can take in.
#[derive(Debug, Clone, clap::Args)]
pub struct FocusArgs {
    /// Pictures only (dot, svg, png): draw only the neighbourhood of this node (repeat, or
    /// separate ids with commas). It changes no finding and no count.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub focus: Vec<String>,
    /// Pictures only: hops around --focus, in both directions.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub depth: usize,
    /// Pictures only: draw at most this many nodes; the rest are counted and named in a
    /// note. Not a limit on the graph read (that is --max-graph-nodes).
    #[arg(long, value_name = "N", default_value_t = crate::picture::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
}

/// Choosing which findings a picture draws.
#[derive(Debug, Clone, clap::Args)]
pub struct FindingFilterArgs {
    /// Only the nodes and edges on finding paths (for --format dot, svg, png).
    #[arg(long)]
    pub paths_only: bool,
    /// Draw only findings of this rule (repeatable; for --format dot, svg, png).
    #[arg(long = "rule", value_name = "NAME", value_parser = parse_rule)]
    pub rules: Vec<crate::findings::Rule>,
    /// Draw only findings at or above this severity (for --format dot, svg, png).
    #[arg(long, value_enum, value_name = "S")]
    pub min_severity: Option<MinSeverity>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl MinSeverity {
    pub fn severity(self) -> Severity {
        match self {
            MinSeverity::Critical => Severity::Critical,
            MinSeverity::High => Severity::High,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::Low => Severity::Low,
            MinSeverity::Info => Severity::Info,
        }
    }
}

fn parse_rule(s: &str) -> Result<crate::findings::Rule, String> {
    crate::findings::Rule::parse(s).ok_or_else(|| {
        let names: Vec<&str> = crate::findings::Rule::ALL
            .iter()
            .map(|r| r.name())
            .collect();
        format!("unknown rule; use one of: {}", names.join(", "))
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SubjectsArg {
    Default,
    All,
}

impl SubjectsArg {
    pub fn subjects(self) -> Subjects {
        match self {
            SubjectsArg::Default => Subjects::Default,
            SubjectsArg::All => Subjects::All,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

impl FailOn {
    pub(crate) fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Never => None,
        }
    }
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}

impl FocusArgs {
    /// The picture options, with the finding filters of `analyze` when given.
    pub fn picture(&self, filter: Option<&FindingFilterArgs>) -> PictureOptions {
        PictureOptions {
            focus: self.focus.clone(),
            depth: self.depth,
            paths_only: filter.is_some_and(|f| f.paths_only),
            rules: filter.map(|f| f.rules.clone()).unwrap_or_default(),
            min_severity: filter.and_then(|f| f.min_severity.map(MinSeverity::severity)),
            max_nodes: self.max_nodes,
        }
    }
}

impl QueryArgs {
    pub fn query(&self, limits: Limits) -> Query {
        Query {
            file: self.file.clone(),
            now: self.now,
            include_inactive: self.include_inactive,
            policy: self.policy.clone(),
            limits,
        }
    }

    /// The picture options of an answer: only the node cap applies.
    pub fn picture(&self) -> PictureOptions {
        PictureOptions {
            max_nodes: self.max_nodes,
            ..PictureOptions::default()
        }
    }
}

impl BlastArgs {
    pub fn request(&self, limits: Limits) -> BlastRadiusRequest {
        BlastRadiusRequest {
            query: self.query.query(limits),
            from: self.from.clone(),
            min_level: self.min_level.level(),
            kinds: self.kind.clone(),
        }
    }
}

impl WhoCanArgs {
    pub fn request(&self, limits: Limits) -> WhoCanRequest {
        WhoCanRequest {
            query: self.query.query(limits),
            reach: self.reach.clone(),
            level: self.level.level(),
            subjects: self.subjects.map(SubjectsArg::subjects),
        }
    }
}

impl PathArgs {
    pub fn request(&self, limits: Limits) -> PathsRequest {
        PathsRequest {
            query: self.query.query(limits),
            from: self.from.clone(),
            to: self.to.clone(),
            max: self.max,
        }
    }
}

impl CutArgs {
    pub fn request(&self, limits: Limits) -> CutRequest {
        CutRequest {
            query: self.query.query(limits),
            from: self.from.clone(),
            to: self.to.clone(),
            costs: self.cost.clone(),
        }
    }
}

impl DotArgs {
    pub fn request(&self, limits: Limits) -> OverviewRequest {
        OverviewRequest {
            file: self.file.clone(),
            now: self.now,
            policy: self.policy.clone(),
            limits,
        }
    }
}

impl K8sArgs {
    pub fn request(&self) -> K8sImportRequest {
        K8sImportRequest {
            paths: self.paths.clone(),
            options: crate::import::k8s::Options {
                namespace: self.namespace.clone(),
                legacy_sa_tokens: self.legacy_sa_tokens,
                as_of: self.as_of,
                strict: self.strict,
                secret_sensitivity: self.secret_sensitivity.sensitivity(),
                eks: None,
            },
            eks: self.eks.clone(),
        }
    }
}

impl AwsIamArgs {
    pub fn request(&self) -> AwsImportRequest {
        AwsImportRequest {
            details: self.details.clone(),
            credential_report: self.credential_report.clone(),
            as_of: self.as_of,
            organization: self.organization.clone(),
            strict: self.strict,
        }
    }
}

impl OpengraphImportArgs {
    pub fn request(&self) -> OpengraphImportRequest {
        OpengraphImportRequest {
            file: self.file.clone(),
            mapping: self.mapping.clone(),
            as_of: self.as_of,
            strict: self.strict,
        }
    }
}

impl ExportCommon {
    pub fn request(&self, limits: Limits) -> ExportRequest {
        ExportRequest {
            file: self.file.clone(),
            now: self.now,
            findings: self.findings,
            policy: self.policy.clone(),
            max_findings: self.max_findings,
            limits,
        }
    }
}
