//! The documentation generated from the command line's own definition, so it cannot drift
//! from what the binary parses: shell completions (clap_complete) and man pages
//! (clap_mangen).

use super::Cli;
use clap::CommandFactory;
use std::path::{Path, PathBuf};

/// The completion script of `shell` for `authpath`.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "authpath", &mut out);
    out
}

/// Man pages: `authpath.1` and one per command (`authpath-analyze.1`, …), as (file name,
/// roff text).
pub(crate) fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let cmd = Cli::command();
    let mut render = |name: String, cmd: clap::Command| {
        let mut text = Vec::new();
        // Rendering to memory cannot fail.
        let _ = clap_mangen::Man::new(cmd).render(&mut text);
        out.push((format!("{name}.1"), text));
    };
    render("authpath".into(), cmd.clone());
    for sub in cmd.get_subcommands() {
        let name = format!("authpath-{}", sub.get_name());
        render(name.clone(), sub.clone().name(name.clone()));
        for inner in sub.get_subcommands() {
            let inner_name = format!("{name}-{}", inner.get_name());
            render(inner_name.clone(), inner.clone().name(inner_name));
        }
    }
    out
}

/// Writes every man page into `dir` (created if needed), each atomically; returns the paths.
pub(crate) fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, text) in man_pages() {
        let path = dir.join(name);
        crate::output::write_atomic(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}
