//! The kernel's receive counters and the counter ladder (pure).
//!
//! Sampled before and after a window while a sender runs, the counters show
//! how far the packets got on the receive path: every counter below is
//! readable without privileges, per network namespace (so other traffic of
//! the namespace adds noise, and a verdict from them is indirect evidence).
//! The rungs, in the kernel's order (`net/ipv4/ip_input.c`, `udp.c`):
//!
//! 1. `Ip: InReceives`: packets reached IP at all;
//! 2. `TcpExt: IPReversePathFilter`: the reverse-path filter dropped some
//!    (the name is historical: it counts every protocol);
//! 3. `IpExt: InMcastPkts`: passed the input route (membership on the
//!    arrival interface, rp_filter, accept_local); counted before the
//!    netfilter INPUT hook;
//! 4. `Udp: IgnoredMulti` / `RcvbufErrors`: no socket matched (port, bound
//!    address) / a socket's buffer was full.
//!
//! `Udp: InDatagrams` counts reads, not arrivals (`udp_recvmsg`), so datagrams
//! that wait unread in a queue are not counted: the ladder asks the caller
//! how many its own socket read instead. IPv6 has the same rungs in
//! `/proc/net/snmp6` except the reverse-path filter, which IPv6 does not have
//! (firewalld's `IPv6_rpfilter` drops in netfilter instead).

/// One sample of the receive-path counters; a counter the kernel did not
/// show is `None` (older kernels lack `IgnoredMulti`, for instance).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// `Ip: InReceives` / `Ip6InReceives`.
    pub in_receives: Option<u64>,
    /// `TcpExt: IPReversePathFilter` (IPv4 only).
    pub rp_filter_drops: Option<u64>,
    /// `IpExt: InMcastPkts` / `Ip6InMcastPkts`.
    pub in_mcast: Option<u64>,
    /// `Udp: IgnoredMulti` / `Udp6IgnoredMulti`.
    pub udp_ignored_multi: Option<u64>,
    /// `Udp: RcvbufErrors` / `Udp6RcvbufErrors`.
    pub udp_rcvbuf_errors: Option<u64>,
    /// `Udp: InDatagrams` / `Udp6InDatagrams` (counted when read).
    pub udp_in_datagrams: Option<u64>,
}

impl Snapshot {
    /// Reads the IPv4 counters from the text of `/proc/net/snmp` and
    /// `/proc/net/netstat` (either or both, concatenated in any order).
    pub fn parse_v4(text: &str) -> Snapshot {
        let mut snap = Snapshot::default();
        for (table, name, value) in header_value_pairs(text) {
            let slot = match (table, name) {
                ("Ip", "InReceives") => &mut snap.in_receives,
                ("TcpExt", "IPReversePathFilter") => &mut snap.rp_filter_drops,
                ("IpExt", "InMcastPkts") => &mut snap.in_mcast,
                ("Udp", "IgnoredMulti") => &mut snap.udp_ignored_multi,
                ("Udp", "RcvbufErrors") => &mut snap.udp_rcvbuf_errors,
                ("Udp", "InDatagrams") => &mut snap.udp_in_datagrams,
                _ => continue,
            };
            *slot = Some(value);
        }
        snap
    }

    /// Reads the IPv6 counters from the text of `/proc/net/snmp6` (or of a
    /// per-interface `/proc/net/dev_snmp6/IFACE`, which has the IP rungs).
    pub fn parse_v6(text: &str) -> Snapshot {
        let mut snap = Snapshot::default();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let (Some(name), Some(value), None) = (words.next(), words.next(), words.next()) else {
                continue;
            };
            let Ok(value) = value.parse::<u64>() else {
                continue;
            };
            let slot = match name {
                "Ip6InReceives" => &mut snap.in_receives,
                "Ip6InMcastPkts" => &mut snap.in_mcast,
                "Udp6IgnoredMulti" => &mut snap.udp_ignored_multi,
                "Udp6RcvbufErrors" => &mut snap.udp_rcvbuf_errors,
                "Udp6InDatagrams" => &mut snap.udp_in_datagrams,
                _ => continue,
            };
            *slot = Some(value);
        }
        snap
    }
}

/// The `(table, name, value)` triples of the kernel's paired-line format:
/// a header line `Table: Name1 Name2 …` followed by `Table: v1 v2 …`. A
/// value line whose table differs from its header, or whose column count
/// differs, is skipped whole (a torn read must not shift the columns). The
/// values are unsigned except `Tcp: MaxConn` (-1), which is skipped.
fn header_value_pairs(text: &str) -> impl Iterator<Item = (&str, &str, u64)> {
    let mut lines = text.lines();
    std::iter::from_fn(move || {
        loop {
            let header = lines.next()?;
            let Some((table, names)) = header.split_once(':') else {
                continue;
            };
            // A header's first column is a name, not a number; a stray value
            // line (after a torn read) must not pair with the next header.
            let names: Vec<&str> = names.split_whitespace().collect();
            if names.first().is_none_or(|n| n.parse::<i64>().is_ok()) {
                continue;
            }
            let values = lines.next()?;
            let Some((vtable, values)) = values.split_once(':') else {
                continue;
            };
            let values: Vec<&str> = values.split_whitespace().collect();
            if vtable != table || values.len() != names.len() {
                continue;
            }
            let triples: Vec<(&str, &str, u64)> = names
                .into_iter()
                .zip(values)
                .filter_map(|(n, v)| Some((table, n, v.parse().ok()?)))
                .collect();
            return Some(triples);
        }
    })
    .flatten()
}

/// How far the packets got, from two snapshots around a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ladder {
    /// Nothing reached IP in this namespace during the window: the fault is
    /// before this host (sender, TTL, switch, snooping) or below IP.
    NothingArrived,
    /// The reverse-path filter dropped packets and none passed the input
    /// route.
    ReversePathFilter {
        /// Packets the filter dropped during the window (host-wide).
        drops: u64,
    },
    /// Packets reached IP but none passed the input route as multicast and
    /// the reverse-path filter did not drop them: no membership on the
    /// arrival interface (or `accept_local` for a local source).
    NotAccepted,
    /// Multicast passed the input route but no socket matched it (wrong
    /// port, or a socket bound to a unicast address).
    NoSocket {
        /// Datagrams UDP found no socket for (host-wide).
        ignored: u64,
    },
    /// A socket matched but its receive buffer was full.
    BufferFull {
        /// Datagrams dropped (host-wide).
        drops: u64,
    },
    /// Multicast passed the input route and UDP counted no loss, yet the
    /// caller's socket read nothing: dropped between routing and UDP, which
    /// is the netfilter INPUT hook (or the packets were not UDP).
    DroppedBeforeUdp,
    /// The caller's socket read datagrams: the receive path works.
    Delivered,
}

impl Ladder {
    /// Reads the ladder from snapshots taken before and after a window in
    /// which the caller's own socket read `read` datagrams. A counter the
    /// kernel does not show counts as unchanged.
    pub fn read(before: &Snapshot, after: &Snapshot, read: u64) -> Ladder {
        let delta = |f: fn(&Snapshot) -> Option<u64>| {
            f(after).unwrap_or(0).saturating_sub(f(before).unwrap_or(0))
        };
        if read > 0 {
            return Ladder::Delivered;
        }
        let mcast = delta(|s| s.in_mcast);
        let rpf = delta(|s| s.rp_filter_drops);
        if mcast == 0 {
            if rpf > 0 {
                return Ladder::ReversePathFilter { drops: rpf };
            }
            if delta(|s| s.in_receives) == 0 {
                return Ladder::NothingArrived;
            }
            return Ladder::NotAccepted;
        }
        let ignored = delta(|s| s.udp_ignored_multi);
        if ignored > 0 {
            return Ladder::NoSocket { ignored };
        }
        let full = delta(|s| s.udp_rcvbuf_errors);
        if full > 0 {
            return Ladder::BufferFull { drops: full };
        }
        Ladder::DroppedBeforeUdp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Snapshots captured by `tests/fixtures/proc/capture.sh`: a Linux 6.18
    /// kernel receiving 20 datagrams sent by Python's socket module.
    fn case(name: &str) -> (Snapshot, Snapshot) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/proc/");
        let read = |w: &str| {
            let path = format!("{dir}{name}.{w}");
            Snapshot::parse_v4(&std::fs::read_to_string(&path).expect(&path))
        };
        (read("before"), read("after"))
    }

    #[test]
    fn parses_the_kernel_tables() {
        let (before, after) = case("rpfilter");
        assert_eq!(before.rp_filter_drops, Some(0));
        assert_eq!(after.rp_filter_drops, Some(20));
        assert_eq!(after.in_receives, Some(20));
        assert_eq!(after.in_mcast, Some(0));
        assert_eq!(after.udp_ignored_multi, Some(0));
        assert_eq!(after.udp_rcvbuf_errors, Some(0));
    }

    #[test]
    fn the_ladder_names_each_captured_case() {
        let (b, a) = case("rpfilter");
        assert_eq!(
            Ladder::read(&b, &a, 0),
            Ladder::ReversePathFilter { drops: 20 }
        );
        let (b, a) = case("nojoin");
        assert_eq!(Ladder::read(&b, &a, 0), Ladder::NotAccepted);
        let (b, a) = case("noport");
        assert_eq!(Ladder::read(&b, &a, 0), Ladder::NoSocket { ignored: 20 });
        // The receiver joined but never read: the kernel counted the
        // arrivals, and nothing was lost by UDP.
        let (b, a) = case("delivered");
        assert_eq!(Ladder::read(&b, &a, 0), Ladder::DroppedBeforeUdp);
        assert_eq!(Ladder::read(&b, &a, 20), Ladder::Delivered);
        assert_eq!(Ladder::read(&b, &b, 0), Ladder::NothingArrived);
    }

    #[test]
    fn torn_or_foreign_lines_do_not_shift_columns() {
        let text = "Udp: InDatagrams IgnoredMulti\nUdp: 5\nIp: InReceives\nIp: 7\n\
                    IpExt: InMcastPkts\nTcpExt: 9\nUdp: 1 2\n";
        let snap = Snapshot::parse_v4(text);
        assert_eq!(snap.udp_in_datagrams, None);
        assert_eq!(snap.udp_ignored_multi, None);
        assert_eq!(snap.in_receives, Some(7));
        assert_eq!(snap.in_mcast, None);
        assert_eq!(Snapshot::parse_v4(""), Snapshot::default());
        assert_eq!(
            Snapshot::parse_v4("Tcp: MaxConn\nTcp: -1\n"),
            Snapshot::default()
        );
    }

    #[test]
    fn parses_snmp6() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/proc/");
        let text = std::fs::read_to_string(format!("{dir}fresh.snmp6")).unwrap();
        let snap = Snapshot::parse_v6(&text);
        assert_eq!(snap.in_receives, Some(0));
        assert_eq!(snap.in_mcast, Some(0));
        assert_eq!(snap.udp_ignored_multi, Some(0));
        assert_eq!(snap.rp_filter_drops, None);
        let snap = Snapshot::parse_v6("Ip6InMcastPkts 12\nUdp6IgnoredMulti x\nbad line here\n");
        assert_eq!(snap.in_mcast, Some(12));
        assert_eq!(snap.udp_ignored_multi, None);
    }
}
