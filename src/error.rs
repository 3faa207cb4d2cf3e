//! Errors and the one exit-code table.
//!
//! Commands return `anyhow::Result<Outcome>`. A failure is classified into an
//! exit code by walking its error chain: explicit [`Usage`] and
//! [`Unavailable`] markers first, then the OS error number of any
//! `std::io::Error` inside.

use std::fmt;
use std::io;

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything the user asked for happened.
    Ok,
    /// The command ran correctly but its expectation was not met
    /// (e.g. `listen --count` reached its deadline first).
    NotMet,
}

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// An expectation was not met (deadline before `--count` datagrams,
    /// replies missing, interrupted before all were sent).
    NotMet = 1,
    /// Bad usage: a malformed argument or an impossible combination.
    Usage = 2,
    /// A resource is unavailable: no such interface, address in use,
    /// address not available, network unreachable.
    Unavailable = 3,
    /// Permission denied (raw sockets, forced buffer sizes, privileged ports).
    Permission = 4,
    /// Any other I/O or operating-system error.
    Io = 5,
}

impl Exit {
    /// Every code, in order.
    pub const ALL: [Exit; 6] = [
        Exit::Ok,
        Exit::NotMet,
        Exit::Usage,
        Exit::Unavailable,
        Exit::Permission,
        Exit::Io,
    ];

    /// What the code means, in general (the README's table and the main
    /// `--help`).
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => "success",
            Exit::NotMet => {
                "expectation not met: `listen` deadline before `--count` datagrams (or none \
                 with only `--timeout`), no replies to `send --wait-replies`, interrupted \
                 before every datagram was sent, `doctor` found a cause"
            }
            Exit::Usage => {
                "usage error: bad endpoint, port, interface spec, duration, payload; reported \
                 before any socket is opened"
            }
            Exit::Unavailable => {
                "resource unavailable: no such interface, address in use or not available, \
                 network unreachable"
            }
            Exit::Permission => "permission denied",
            Exit::Io => "other I/O or operating-system error",
        }
    }
}

/// What exit code 1 means for one command (`None`: the command never
/// returns it).
fn not_met(command: Option<&str>) -> Option<&'static str> {
    match command {
        None => Some("expectation not met (see each command's --help)"),
        Some("send") => {
            Some("no replies with --wait-replies, or interrupted before every datagram was sent")
        }
        Some("listen") => {
            Some("--timeout passed before --count datagrams (or before any, without --count)")
        }
        Some("cot-gen") => Some("interrupted before every event was sent"),
        Some("replay") => Some("interrupted before every datagram was sent"),
        Some("doctor") => Some("a cause was found (the verdict names it and its fix)"),
        Some(_) => None,
    }
}

/// The exit-code table for a command's `--help` (and so its man page);
/// `None`: the top-level `mcast --help`. Rendered from [`Exit`], so the
/// help, the man pages and the README (checked by a test) cannot drift.
pub fn exit_codes_help(command: Option<&str>) -> String {
    let mut out = String::from("Exit codes:");
    for e in Exit::ALL {
        let text = match e {
            Exit::NotMet => match not_met(command) {
                Some(t) => t,
                None => continue,
            },
            Exit::Usage => "usage error (bad endpoint, port, interface, duration, payload...)",
            Exit::Unavailable => {
                "resource unavailable (no such interface, address in use, network unreachable)"
            }
            other => other.meaning(),
        };
        out.push_str(&format!("\n  {}  {text}", e as u8));
    }
    out
}

/// The exit-code table as the README's Markdown table.
pub fn exit_codes_markdown() -> String {
    let mut out = String::from("| code | meaning |\n|---|---|\n");
    for e in Exit::ALL {
        out.push_str(&format!("| {} | {} |\n", e as u8, e.meaning()));
    }
    out
}

/// A usage error: the user's input cannot work. Exit code 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Usage {}

/// A resource the user named does not exist (e.g. an interface). Exit code 3.
#[derive(Debug)]
pub struct Unavailable(pub String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Unavailable {}

/// Builds a usage error (exit code 2).
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(msg.into()))
}

/// Builds an unavailable-resource error (exit code 3).
pub fn unavailable(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Unavailable(msg.into()))
}

/// True when the error is a write to a pipe whose reader left
/// (`mcast listen | head -1`): the command ends quietly with exit 0, as
/// `cat` and `grep` do. Decided here, once, for every command.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Classifies an error into its exit code.
pub fn exit_code(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<Usage>() {
            return Exit::Usage;
        }
        if cause.is::<Unavailable>() {
            return Exit::Unavailable;
        }
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return classify_io(io);
        }
    }
    Exit::Io
}

fn classify_io(err: &io::Error) -> Exit {
    match err.raw_os_error() {
        Some(libc::EACCES | libc::EPERM) => Exit::Permission,
        Some(
            libc::ENODEV
            | libc::ENXIO
            | libc::EADDRINUSE
            | libc::EADDRNOTAVAIL
            | libc::ENETUNREACH
            | libc::EHOSTUNREACH
            | libc::ENETDOWN
            | libc::ENOPROTOOPT
            | libc::EAFNOSUPPORT,
        ) => Exit::Unavailable,
        _ if err.kind() == io::ErrorKind::PermissionDenied => Exit::Permission,
        _ => Exit::Io,
    }
}

/// A hint to print under an error, when there is a well-known fix. The
/// error number says what failed; the chain's messages (which name the
/// operation: "bind", "join ... on the default interface", "send to ...
/// (eth0 is DOWN)") say which fix applies.
pub fn hint(err: &anyhow::Error) -> Option<String> {
    let io = err.chain().find_map(|c| c.downcast_ref::<io::Error>())?;
    let text: String = err
        .chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    let down = text
        .split(" is DOWN)")
        .next()
        .filter(|_| text.contains(" is DOWN)"))
        .and_then(|t| t.rsplit(" (").next());
    if let Some(name) = down {
        return Some(format!(
            "{name} is down: bring it up with `ip link set {name} up`, or name another interface"
        ));
    }
    let unnamed = text.contains("the default interface");
    // The family of the first address the messages name.
    let v6 = text
        .split_whitespace()
        .find_map(|w| {
            let w = w.trim_matches(|c| matches!(c, '(' | ')' | ',' | ':' | '[' | ']'));
            w.parse::<std::net::SocketAddr>()
                .map(|a| a.ip())
                .or_else(|_| w.parse::<std::net::IpAddr>())
                .ok()
        })
        .is_some_and(|a| a.is_ipv6());
    let route_fix = if v6 {
        "ip -6 route add multicast ff00::/8 dev IFACE table local"
    } else {
        "ip route add 224.0.0.0/4 dev IFACE"
    };
    let h = match io.raw_os_error()? {
        libc::EACCES | libc::EPERM if text.starts_with("bind ") || text.contains(": bind ") => {
            "ports below 1024 need root or the CAP_NET_BIND_SERVICE capability \
             (sudo setcap cap_net_bind_service+ep $(which mcast)); or use a port of 1024 or more"
                .to_string()
        }
        libc::EACCES if text.contains("send to ") => {
            "sending to a broadcast address needs --broadcast (SO_BROADCAST); otherwise a \
             firewall rule refused the datagram"
                .to_string()
        }
        libc::EACCES | libc::EPERM => "this operation needs privileges: run as root, or grant the \
             binary CAP_NET_ADMIN/CAP_NET_RAW (sudo setcap cap_net_admin,cap_net_raw+ep $(which mcast))"
            .to_string(),
        libc::EADDRINUSE => "another socket holds this address without SO_REUSEADDR; \
             find it with `ss -ulpn` and stop it, or pick another port"
            .to_string(),
        libc::EADDRNOTAVAIL => "the address is not configured on this host, or the interface has \
             no address of this family: check `mcast ifaces`"
            .to_string(),
        libc::ENETUNREACH | libc::ENODEV if unnamed => format!(
            "no interface was named and no route covers the group: add a multicast route \
             ({route_fix}) or name the interface (GROUP:PORT@IFACE or --iface)"
        ),
        libc::ENETUNREACH => format!(
            "no route for this destination from that interface: check `mcast ifaces`, or add a \
             route ({route_fix})"
        ),
        libc::ENETDOWN => "the interface is down: bring it up (ip link set IFACE up)".to_string(),
        libc::ENODEV => "the interface does not exist (any more): check `mcast ifaces`".to_string(),
        libc::ENOBUFS => "the kernel ran out of buffer space or membership slots \
             (net.ipv4.igmp_max_memberships, net.ipv4.igmp_max_msf)"
            .to_string(),
        _ => return None,
    };
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn classification_follows_the_chain() {
        let e = usage("bad port");
        assert_eq!(exit_code(&e), Exit::Usage);
        let e = Err::<(), _>(io::Error::from_raw_os_error(libc::ENODEV))
            .context("join 239.1.1.1 on eth9")
            .unwrap_err();
        assert_eq!(exit_code(&e), Exit::Unavailable);
        let e = anyhow::Error::new(io::Error::from_raw_os_error(libc::EPERM));
        assert_eq!(exit_code(&e), Exit::Permission);
        assert!(hint(&e).is_some());
        let e = Err::<(), _>(io::Error::from_raw_os_error(libc::EACCES))
            .context("bind 0.0.0.0:80")
            .unwrap_err();
        assert!(hint(&e).unwrap().contains("CAP_NET_BIND_SERVICE"));
        let e = Err::<(), _>(io::Error::from_raw_os_error(libc::ENODEV))
            .context("join 239.2.3.1 on the default interface")
            .unwrap_err();
        let h = hint(&e).unwrap();
        assert!(
            h.contains("no interface was named") && h.contains("224.0.0.0/4"),
            "{h}"
        );
        let e = Err::<(), _>(io::Error::from_raw_os_error(libc::ENODEV))
            .context("join ff15::1 on the default interface")
            .unwrap_err();
        assert!(hint(&e).unwrap().contains("ip -6 route"));
        let e = Err::<(), _>(io::Error::from_raw_os_error(libc::ENETUNREACH))
            .context("send to 239.1.1.1:5000 via eth0 (index 3) (eth0 is DOWN)")
            .unwrap_err();
        assert!(
            hint(&e).unwrap().starts_with("eth0 is down"),
            "{:?}",
            hint(&e)
        );
        let e = anyhow::Error::new(io::Error::from_raw_os_error(libc::EIO));
        assert_eq!(exit_code(&e), Exit::Io);
        assert_eq!(exit_code(&anyhow::anyhow!("plain")), Exit::Io);
    }

    #[test]
    fn readme_exit_table_is_the_enum() {
        let readme = include_str!("../README.md");
        let table = exit_codes_markdown();
        assert!(
            readme.contains(&table),
            "README.md's exit-code table differs from error::Exit; it should read:\n{table}"
        );
    }

    #[test]
    fn help_tables_follow_the_command() {
        let listen = exit_codes_help(Some("listen"));
        assert!(listen.contains("  1  --timeout passed"));
        let join = exit_codes_help(Some("join"));
        assert!(!join.contains("\n  1  "), "{join}");
        assert!(join.contains("\n  5  other I/O"));
        for e in Exit::ALL {
            assert!(exit_codes_help(None).contains(&format!("\n  {}  ", e as u8)));
        }
    }
}
