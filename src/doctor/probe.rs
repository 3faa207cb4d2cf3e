//! The two-ended mode's wire format, version 1 (pure).
//!
//! Every message is one UDP datagram of ASCII text: a magic and version,
//! a kind, then `key=value` fields separated by single spaces, at most
//! [`MAX_LEN`] bytes. Unknown keys are ignored (so version 1 can grow);
//! a different magic or version is refused.
//!
//! ```text
//! prober -> responder, unicast to the control port (default 4330):
//!   MCDOC/1 REQ nonce=HEX16 group=G port=P ttl=N secs=S
//! responder -> prober, unicast:
//!   MCDOC/1 ACK nonce=HEX16 ifaces=NAME,NAME ttl=N
//!   MCDOC/1 BUSY nonce=HEX16            (another session is running)
//! responder -> G:P, every 250 ms for S seconds, from each interface and
//! at each TTL 1..N (then prober -> G:P, the same, for the way back):
//!   MCDOC/1 PROBE nonce=HEX16 seq=K ttl=T if=NAME t=UNIX_NS
//! prober -> responder, unicast, after its own probes:
//!   MCDOC/1 RESULT nonce=HEX16
//! responder -> prober, unicast:
//!   MCDOC/1 REPORT nonce=HEX16 count=C min_ttl=T if=NAME from=ADDR
//! ```
//!
//! A probe's `ttl` is the TTL it was sent with; the receiver compares it
//! with the TTL it arrived with (`IP_RECVTTL`): the smallest `ttl` that
//! arrives is the hop count plus one.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// Magic and version at the start of every message.
pub const MAGIC: &str = "MCDOC/1";
/// The responder's default control port.
pub const DEFAULT_PORT: u16 = 4330;
/// The longest message either side sends or accepts.
pub const MAX_LEN: usize = 512;
/// The highest TTL a responder sends (bounding what a request can ask).
pub const TTL_CAP: u8 = 64;
/// The longest session a request can ask for, in seconds.
pub const SECS_CAP: u32 = 120;

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Start a session.
    Req {
        /// Session id.
        nonce: u64,
        /// Group.
        group: IpAddr,
        /// Port.
        port: u16,
        /// Highest TTL of the ladder.
        ttl: u8,
        /// How long to keep sending.
        secs: u32,
    },
    /// Session accepted.
    Ack {
        /// Session id.
        nonce: u64,
        /// Interfaces the responder sends from.
        ifaces: Vec<String>,
        /// Highest TTL it will send (it may cap the request).
        ttl: u8,
    },
    /// Another session is running.
    Busy {
        /// Session id.
        nonce: u64,
    },
    /// A multicast probe.
    Probe {
        /// Session id.
        nonce: u64,
        /// Sequence number within the session.
        seq: u64,
        /// The TTL it was sent with.
        ttl: u8,
        /// The interface it was sent from.
        iface: String,
        /// Send time, nanoseconds since the Unix epoch.
        t_ns: u64,
    },
    /// Ask for the report of the way back.
    Result {
        /// Session id.
        nonce: u64,
    },
    /// What the responder received of the prober's probes.
    Report {
        /// Session id.
        nonce: u64,
        /// Probes received.
        count: u64,
        /// Smallest sent TTL among them (0: none).
        min_ttl: u8,
        /// Interface they arrived on ("" if none).
        iface: String,
        /// Their source ("" if none).
        from: Option<IpAddr>,
    },
}

/// Interface names travel as-is but must be plain: no spaces, `=` or
/// control characters, at most 15 bytes (IFNAMSIZ - 1).
fn clean_name(s: &str) -> bool {
    s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'=' && b != b',')
}

impl Msg {
    /// The message as sent.
    pub fn encode(&self) -> String {
        let mut s = String::from(MAGIC);
        let _ = match self {
            Msg::Req {
                nonce,
                group,
                port,
                ttl,
                secs,
            } => {
                write!(
                    s,
                    " REQ nonce={nonce:016x} group={group} port={port} ttl={ttl} secs={secs}"
                )
            }
            Msg::Ack { nonce, ifaces, ttl } => {
                write!(
                    s,
                    " ACK nonce={nonce:016x} ifaces={} ttl={ttl}",
                    ifaces.join(",")
                )
            }
            Msg::Busy { nonce } => write!(s, " BUSY nonce={nonce:016x}"),
            Msg::Probe {
                nonce,
                seq,
                ttl,
                iface,
                t_ns,
            } => {
                write!(
                    s,
                    " PROBE nonce={nonce:016x} seq={seq} ttl={ttl} if={iface} t={t_ns}"
                )
            }
            Msg::Result { nonce } => write!(s, " RESULT nonce={nonce:016x}"),
            Msg::Report {
                nonce,
                count,
                min_ttl,
                iface,
                from,
            } => write!(
                s,
                " REPORT nonce={nonce:016x} count={count} min_ttl={min_ttl} if={iface} from={}",
                from.map(|a| a.to_string()).unwrap_or_default()
            ),
        };
        s
    }

    /// Parses a received datagram; anything malformed is `None`.
    pub fn decode(bytes: &[u8]) -> Option<Msg> {
        if bytes.len() > MAX_LEN {
            return None;
        }
        let text = std::str::from_utf8(bytes).ok()?;
        let mut words = text.split(' ');
        if words.next()? != MAGIC {
            return None;
        }
        let kind = words.next()?;
        let mut fields: Vec<(&str, &str)> = Vec::new();
        for w in words {
            fields.push(w.split_once('=')?);
        }
        let get = |k: &str| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        let num = |k: &str| get(k).and_then(|v| v.parse::<u64>().ok());
        let nonce = u64::from_str_radix(get("nonce")?, 16).ok()?;
        let name = |k: &str| get(k).filter(|v| clean_name(v)).map(str::to_string);
        let ttl = |k: &str| num(k).and_then(|t| u8::try_from(t).ok());
        Some(match kind {
            "REQ" => Msg::Req {
                nonce,
                group: get("group")?.parse().ok().filter(IpAddr::is_multicast)?,
                port: num("port")
                    .and_then(|p| u16::try_from(p).ok())
                    .filter(|p| *p != 0)?,
                ttl: ttl("ttl").filter(|t| *t >= 1)?,
                secs: num("secs").and_then(|s| u32::try_from(s).ok())?,
            },
            "ACK" => Msg::Ack {
                nonce,
                ifaces: get("ifaces")?
                    .split(',')
                    .filter(|n| !n.is_empty())
                    .map(|n| clean_name(n).then(|| n.to_string()))
                    .collect::<Option<Vec<_>>>()?,
                ttl: ttl("ttl")?,
            },
            "BUSY" => Msg::Busy { nonce },
            "PROBE" => Msg::Probe {
                nonce,
                seq: num("seq")?,
                ttl: ttl("ttl")?,
                iface: name("if")?,
                t_ns: num("t")?,
            },
            "RESULT" => Msg::Result { nonce },
            "REPORT" => Msg::Report {
                nonce,
                count: num("count")?,
                min_ttl: ttl("min_ttl")?,
                iface: get("if")
                    .filter(|v| v.is_empty() || clean_name(v))?
                    .to_string(),
                from: match get("from")? {
                    "" => None,
                    a => Some(a.parse().ok()?),
                },
            },
            _ => return None,
        })
    }
}

/// `HOST[:PORT]` for `--peer`: an IP address, optionally with the control
/// port (`10.77.0.1`, `10.77.0.1:4330`, `fd77::1`, `[fd77::1]:4330`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

impl FromStr for PeerAddr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Ok(a) = s.parse::<SocketAddr>() {
            return Ok(PeerAddr(a));
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(PeerAddr(SocketAddr::new(ip, DEFAULT_PORT)));
        }
        Err(format!(
            "invalid peer {s:?}: expected an IP address with an optional control port, \
             e.g. 10.77.0.1, 10.77.0.1:{DEFAULT_PORT} or [fd77::1]:{DEFAULT_PORT}"
        ))
    }
}

impl std::fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_round_trips() {
        let msgs = [
            Msg::Req {
                nonce: 0xdead_beef,
                group: "239.1.2.3".parse().unwrap(),
                port: 5000,
                ttl: 8,
                secs: 5,
            },
            Msg::Ack {
                nonce: 1,
                ifaces: vec!["a0".into(), "b0".into()],
                ttl: 8,
            },
            Msg::Ack {
                nonce: 1,
                ifaces: vec![],
                ttl: 8,
            },
            Msg::Busy { nonce: 2 },
            Msg::Probe {
                nonce: 3,
                seq: 9,
                ttl: 2,
                iface: "eth0".into(),
                t_ns: 1_700_000_000_000_000_000,
            },
            Msg::Result { nonce: u64::MAX },
            Msg::Report {
                nonce: 4,
                count: 12,
                min_ttl: 2,
                iface: "a0".into(),
                from: Some("fd77::1".parse().unwrap()),
            },
            Msg::Report {
                nonce: 4,
                count: 0,
                min_ttl: 0,
                iface: String::new(),
                from: None,
            },
        ];
        for m in msgs {
            let e = m.encode();
            assert!(e.len() <= MAX_LEN && e.starts_with("MCDOC/1 "), "{e}");
            assert_eq!(Msg::decode(e.as_bytes()), Some(m), "{e}");
        }
        assert_eq!(
            Msg::Probe {
                nonce: 0xab,
                seq: 1,
                ttl: 3,
                iface: "a0".into(),
                t_ns: 5
            }
            .encode(),
            "MCDOC/1 PROBE nonce=00000000000000ab seq=1 ttl=3 if=a0 t=5"
        );
    }

    #[test]
    fn hostile_or_foreign_datagrams_are_refused() {
        for bad in [
            &b"MCDOC/2 RESULT nonce=1"[..],
            b"MCDOC/1 RESULT",
            b"MCDOC/1 RESULT nonce=zz",
            b"MCDOC/1 REQ nonce=1 group=10.0.0.1 port=5000 ttl=8 secs=5",
            b"MCDOC/1 REQ nonce=1 group=239.1.1.1 port=0 ttl=8 secs=5",
            b"MCDOC/1 REQ nonce=1 group=239.1.1.1 port=5000 ttl=0 secs=5",
            b"MCDOC/1 REQ nonce=1 group=239.1.1.1 port=5000 ttl=300 secs=5",
            b"MCDOC/1 PROBE nonce=1 seq=1 ttl=1 if=a\x1b[2J t=1",
            b"MCDOC/1 PROBE nonce=1 seq=1 ttl=1 if=averyveryverylongname t=1",
            b"MCDOC/1 NOPE nonce=1",
            b"MCDOC/1 RESULT  nonce=1",
            b"\xff\xfe",
            b"",
        ] {
            assert_eq!(Msg::decode(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(Msg::decode(&[b'M'; MAX_LEN + 1]), None);
        // Unknown keys are ignored, so version 1 can grow.
        assert_eq!(
            Msg::decode(b"MCDOC/1 RESULT nonce=1 future=yes"),
            Some(Msg::Result { nonce: 1 })
        );
    }

    #[test]
    fn peer_addresses() {
        assert_eq!(
            "10.77.0.1".parse::<PeerAddr>().unwrap().0,
            "10.77.0.1:4330".parse().unwrap()
        );
        assert_eq!("[fd77::1]:99".parse::<PeerAddr>().unwrap().0.port(), 99);
        assert_eq!(
            "fd77::1".parse::<PeerAddr>().unwrap().0.port(),
            DEFAULT_PORT
        );
        assert!("takserver.example"
            .parse::<PeerAddr>()
            .unwrap_err()
            .contains("expected an IP address"));
    }
}
