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
    // The man pages describe `mcast SUBCOMMAND --help`, not clap's `help`
    // subcommand (which would need a page of its own).
    let mut man_cmd = Cli::command().disable_help_subcommand(true);
    man_cmd.build();
    files.push(("man/mcast.1".to_string(), man_page(&man_cmd, &man_cmd)?));
    for sub in man_cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("mcast-{}", sub.get_name());
        let page = man_page(&sub.clone().name(name.clone()), sub)?;
        files.push((format!("man/{name}.1"), page));
    }
    Ok(files)
}

/// A man page as clap_mangen renders it, but with the SYNOPSIS that
/// `--help` shows (`mcast send [OPTIONS] <ENDPOINT> [PAYLOAD]`): clap_mangen
/// lists every option without its value (`[--ttl]`), which reads as if
/// they were flags. `usage_of` is the command as built inside its parent,
/// so that its usage names `mcast send`, not the page's `mcast-send`.
fn man_page(cmd: &clap::Command, usage_of: &clap::Command) -> Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    let ctx = "render man page";
    man.render_title(&mut page).context(ctx)?;
    man.render_name_section(&mut page).context(ctx)?;
    let usage = usage_of.clone().render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    let (name, rest) = match usage_of.get_bin_name() {
        Some(bin) if usage.starts_with(bin) => (bin, &usage[bin.len()..]),
        _ => ("mcast", usage.trim_start_matches("mcast")),
    };
    let roff = |t: &str| t.replace('\\', "\\e").replace('-', "\\-");
    page.extend_from_slice(
        format!(".SH SYNOPSIS\n\\fB{}\\fR{}\n", roff(name), roff(rest)).as_bytes(),
    );
    man.render_description_section(&mut page).context(ctx)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut page).context(ctx)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut page).context(ctx)?;
    }
    if cmd.get_after_long_help().is_some() {
        man.render_extra_section(&mut page).context(ctx)?;
    }
    if cmd.get_version().is_some() {
        man.render_version_section(&mut page).context(ctx)?;
    }
    Ok(page)
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

    /// Man pages show the usage `--help` shows, name no page that does not
    /// exist, and carry the command's own exit-code table.
    #[test]
    fn man_pages_match_help() {
        let pages = super::render().unwrap();
        let page = |name: &str| {
            let (_, data) = pages.iter().find(|(r, _)| r == name).unwrap();
            String::from_utf8(data.clone()).unwrap()
        };
        assert!(
            page("man/mcast-send.1").contains("\\fBmcast send\\fR [OPTIONS] <ENDPOINT> [PAYLOAD]")
        );
        assert!(page("man/mcast-listen.1").contains("\\fBmcast listen\\fR [OPTIONS] <ENDPOINT>..."));
        for (rel, data) in &pages {
            let text = String::from_utf8_lossy(data);
            assert!(!text.contains("mcast\\-help"), "{rel} names mcast-help(1)");
        }
        assert!(
            !page("man/mcast-join.1").contains("  1  "),
            "join never exits 1"
        );
        assert!(page("man/mcast-listen.1").contains("  1  \\-\\-timeout passed"));
    }
}
