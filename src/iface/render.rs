//! The `mcast ifaces` table and JSON (pure).

use serde_json::{json, Value};

use super::{Flags, Interface, KernelGroup, Scope};
use crate::endpoint::Family;
use crate::term::escape as display_name;

/// The groups joined on the interface with this index.
pub fn groups_of(groups: &[KernelGroup], index: u32) -> impl Iterator<Item = &KernelGroup> {
    groups.iter().filter(move |m| m.index == index)
}

/// The JSON/table family name `ip` uses.
fn family_name(f: Family) -> &'static str {
    match f {
        Family::V4 => "inet",
        Family::V6 => "inet6",
    }
}

/// Flags as a table cell; "-" when none of the reported ones is set.
pub(crate) fn flags_cell(flags: Flags) -> String {
    let names = flags.names();
    if names.is_empty() {
        "-".to_string()
    } else {
        names.join(",")
    }
}

/// The DEFAULT column: which default routes use the interface.
fn default_cell(i: &Interface) -> &'static str {
    match (i.default_v4, i.default_v6) {
        (true, true) => "v4,v6",
        (true, false) => "v4",
        (false, true) => "v6",
        (false, false) => "",
    }
}

pub(super) const BOLD: &str = "\x1b[1m";
pub(super) const DIM: &str = "\x1b[2m";
pub(super) const GREEN: &str = "\x1b[32m";
pub(super) const RESET: &str = "\x1b[0m";

/// Appends `text` padded to `width` visible characters, coloured when asked.
/// Padding is added outside the escape codes so columns stay aligned.
fn cell(out: &mut String, text: &str, width: usize, style: Option<&str>, color: bool) {
    match style {
        Some(s) if color && !text.is_empty() => {
            out.push_str(s);
            out.push_str(text);
            out.push_str(RESET);
        }
        _ => out.push_str(text),
    }
    let shown = text.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(shown)));
}

/// Renders the `mcast ifaces` table: one row per interface with index,
/// name, MTU, default-route mark, flags, then its addresses (one per line,
/// with /prefix and scope); with `groups`, the joined groups follow,
/// indented under the name. Names are escaped with [`display_name`].
///
/// ```text
/// IDX  NAME  MTU    DEFAULT  FLAGS                           ADDRESS            SCOPE
///   1  lo    65536           UP,RUNNING,LOOPBACK             127.0.0.1/8        host
///                                                            ::1/128            host
///   2  eth0  1500   v4,v6    UP,RUNNING,MULTICAST,BROADCAST  10.0.0.5/24        global
///        group 224.0.0.1
/// ```
pub fn render_table(ifaces: &[Interface], groups: Option<&[KernelGroup]>, color: bool) -> String {
    if ifaces.is_empty() {
        return "no interfaces\n".to_string();
    }
    const GAP: usize = 2;
    let names: Vec<String> = ifaces.iter().map(|i| display_name(&i.name)).collect();
    let flags: Vec<String> = ifaces.iter().map(|i| flags_cell(i.flags)).collect();
    let addrs: Vec<Vec<String>> = ifaces
        .iter()
        .map(|i| {
            i.addrs
                .iter()
                .map(|a| format!("{}/{}", a.addr, a.prefix))
                .collect()
        })
        .collect();
    let width =
        |header: &str, cells: &mut dyn Iterator<Item = usize>| cells.fold(header.len(), usize::max);
    let w_idx = width("IDX", &mut ifaces.iter().map(|i| i.index.to_string().len()));
    let w_name = width("NAME", &mut names.iter().map(|n| n.chars().count()));
    let w_mtu = width("MTU", &mut ifaces.iter().map(|i| i.mtu.to_string().len()));
    let w_def = width("DEFAULT", &mut ifaces.iter().map(|i| default_cell(i).len()));
    let w_flags = width("FLAGS", &mut flags.iter().map(String::len));
    let w_addr = width("ADDRESS", &mut addrs.iter().flatten().map(String::len));
    // Where continuation lines (more addresses) start.
    let addr_col = w_idx + w_name + w_mtu + w_def + w_flags + 5 * GAP;

    let mut out = String::new();
    let mut line = String::new();
    for (text, w) in [
        ("IDX", w_idx + GAP),
        ("NAME", w_name + GAP),
        ("MTU", w_mtu + GAP),
        ("DEFAULT", w_def + GAP),
        ("FLAGS", w_flags + GAP),
        ("ADDRESS", w_addr + GAP),
        ("SCOPE", 0),
    ] {
        cell(&mut line, text, w, Some(BOLD), color);
    }
    finish_line(&mut out, &mut line);

    for (n, i) in ifaces.iter().enumerate() {
        let idx = i.index.to_string();
        // Right-align the index, the way numbers read best.
        line.extend(std::iter::repeat_n(' ', w_idx - idx.len()));
        line.push_str(&idx);
        line.extend(std::iter::repeat_n(' ', GAP));
        cell(&mut line, &names[n], w_name + GAP, Some(BOLD), color);
        cell(&mut line, &i.mtu.to_string(), w_mtu + GAP, None, color);
        cell(&mut line, default_cell(i), w_def + GAP, Some(GREEN), color);
        let flag_style = if i.flags.up() { None } else { Some(DIM) };
        cell(&mut line, &flags[n], w_flags + GAP, flag_style, color);
        for (k, a) in i.addrs.iter().enumerate() {
            if k > 0 {
                line.extend(std::iter::repeat_n(' ', addr_col));
            }
            cell(&mut line, &addrs[n][k], w_addr + GAP, None, color);
            let scope_style = if a.scope == Scope::Global {
                None
            } else {
                Some(DIM)
            };
            cell(&mut line, a.scope.as_str(), 0, scope_style, color);
            finish_line(&mut out, &mut line);
        }
        if i.addrs.is_empty() {
            finish_line(&mut out, &mut line);
        }
        if let Some(groups) = groups {
            let indent = " ".repeat(w_idx + GAP + 2);
            let mut any = false;
            for m in groups_of(groups, i.index) {
                any = true;
                line.push_str(&indent);
                cell(&mut line, "group", 6, Some(DIM), color);
                line.push_str(&m.group.to_string());
                if m.users > 1 {
                    line.push_str(&format!(" ({} users)", m.users));
                }
                finish_line(&mut out, &mut line);
            }
            if !any {
                line.push_str(&indent);
                cell(&mut line, "(no groups)", 0, Some(DIM), color);
                finish_line(&mut out, &mut line);
            }
        }
    }
    out
}

/// Moves `line` into `out` without trailing blanks.
fn finish_line(out: &mut String, line: &mut String) {
    out.push_str(line.trim_end());
    out.push('\n');
    line.clear();
}

/// The `mcast ifaces --json` array. Each object has `index`, `name`,
/// `flags` (strings), `mtu`, `addrs` (`addr`, `prefix`, `family`
/// "inet"/"inet6", `scope`), `default_route` {`v4`, `v6`} and, when
/// `groups` is given, `groups` (addresses as strings). `index`, `name`,
/// `mtu` and `addrs[].addr/prefix` correspond to `ip -j addr`'s `ifindex`,
/// `ifname`, `mtu` and `addr_info[].local/prefixlen`.
pub fn to_json(ifaces: &[Interface], groups: Option<&[KernelGroup]>) -> Value {
    let items = ifaces
        .iter()
        .map(|i| {
            let addrs: Vec<Value> = i
                .addrs
                .iter()
                .map(|a| {
                    json!({
                        "addr": a.addr.to_string(),
                        "prefix": a.prefix,
                        "family": family_name(a.family()),
                        "scope": a.scope.as_str(),
                    })
                })
                .collect();
            let mut obj = json!({
                "index": i.index,
                "name": i.name,
                "flags": i.flags.names(),
                "mtu": i.mtu,
                "addrs": addrs,
                "default_route": { "v4": i.default_v4, "v6": i.default_v6 },
            });
            if let Some(groups) = groups {
                let joined: Vec<String> = groups_of(groups, i.index)
                    .map(|m| m.group.to_string())
                    .collect();
                obj["groups"] = json!(joined);
            }
            obj
        })
        .collect();
    Value::Array(items)
}
