//! Hidden `mcast generate`: writes shell completions and man pages from the
//! clap definition, so the committed copies can be checked for drift.

use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, GenerateArgs};
use crate::error::Outcome;

/// Runs `mcast generate DIR`.
pub fn run(a: &GenerateArgs) -> Result<Outcome> {
    write_all(&a.dir)?;
    Ok(Outcome::Ok)
}

/// Renders every generated file: (relative path, contents).
pub fn render() -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut cmd = Cli::command();
    cmd.build();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "mcast", &mut buf);
        let name = match shell {
            Shell::Bash => "mcast.bash".to_string(),
            Shell::Zsh => "_mcast".to_string(),
            Shell::Fish => "mcast.fish".to_string(),
            Shell::Elvish => "mcast.elv".to_string(),
            _ => "_mcast.ps1".to_string(),
        };
        files.push((format!("completions/{name}"), buf));
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .context("render man page")?;
    files.push(("man/mcast.1".to_string(), page));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("mcast-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        let mut page = Vec::new();
        clap_mangen::Man::new(sub)
            .render(&mut page)
            .context("render man page")?;
        files.push((format!("man/{name}.1"), page));
    }
    Ok(files)
}

fn write_all(dir: &Path) -> Result<()> {
    for (rel, data) in render()? {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("create {}", parent.display()))?;
        }
        std::fs::write(&path, data).with_context(|| format!("write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The committed completions and man pages must match the CLI; run
    /// `cargo run -- generate` after changing src/cli.rs.
    #[test]
    fn generated_files_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stale = Vec::new();
        for (rel, data) in super::render().unwrap() {
            if std::fs::read(root.join(&rel)).ok().as_deref() != Some(&data[..]) {
                stale.push(rel);
            }
        }
        assert!(
            stale.is_empty(),
            "stale generated files {stale:?}: run `cargo run -- generate`"
        );
    }
}
