//! What a bridge is asked to do, built once from the command line: the
//! engine reads this and never sees clap's types.

use std::time::Duration;

use anyhow::Result;

use super::link::{Host, Link};
use super::policy::Policy;
use super::tcp::TakProto;
use crate::endpoint::IfaceSelector;
use crate::error::usage;
use crate::plan;

/// How statistics are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsOutput {
    /// Human-readable lines on stderr.
    Text,
    /// JSON Lines on stdout.
    Json,
}

/// A bridge's whole configuration.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    /// The input links (at least one).
    pub from: Vec<Link>,
    /// The output links (at least one).
    pub to: Vec<Link>,
    /// Also relay from every output back to the input.
    pub both_ways: bool,
    /// `--iface` defaults for multicast links that name no interface.
    pub ifaces: Vec<IfaceSelector>,
    /// The per-datagram drop rules.
    pub policy: Policy,
    /// How long an identical payload counts as a duplicate.
    pub dedup_window: Duration,
    /// Datagrams per second allowed from each input.
    pub max_rate: Option<f64>,
    /// TAK protocol on `tcp:`/`tls:` links.
    pub tak_proto: TakProto,
    /// Events kept for a disconnected `tcp:` peer.
    pub queue: usize,
    /// Interval of periodic statistics.
    pub stats_every: Option<Duration>,
    /// Where and how statistics go.
    pub stats_output: StatsOutput,
    /// Receive buffer per input socket, in bytes.
    pub rcvbuf: usize,
    /// TLS credentials for `tls:` links, loaded once.
    pub tls: Option<super::tls::Tls>,
    /// Liveness deadline of `tcp:`/`tls:` links.
    pub liveness: Duration,
    /// Uid the bridge's pings carry.
    pub tak_uid: String,
    /// Multicast loopback on outputs.
    pub multicast_loop: bool,
    /// QoS of MQTT publications and subscriptions (0 or 1).
    pub mqtt_qos: u8,
    /// MQTT client id; generated (unique) when not given.
    pub mqtt_client_id: Option<String>,
    /// MQTT protocol version.
    pub mqtt_version: super::mqtt::MqttVersion,
}

/// True when this binary is statically linked against glibc, whose host
/// name lookups go through NSS modules loaded at run time: they work only
/// when the host's modules match the glibc the binary was linked with, so
/// such a build refuses host names instead of failing in odd ways. (A musl
/// static build resolves through its own built-in resolver.)
pub const STATIC_GLIBC: bool = cfg!(all(target_feature = "crt-static", target_env = "gnu"));

impl BridgeConfig {
    /// Everything that can be refused before any socket is opened: links
    /// that cannot play their role, an output equal to the input or given
    /// twice, endpoint/interface mismatches, CoT type patterns, and host
    /// names in a static glibc build.
    pub fn validate(&self) -> Result<()> {
        self.validate_with(STATIC_GLIBC)
    }

    fn validate_with(&self, static_glibc: bool) -> Result<()> {
        if self.from.is_empty() || self.to.is_empty() {
            return Err(usage(
                "a bridge needs FROM and at least one TO (or --tak IFACE and at least one TO)",
            ));
        }
        for from in &self.from {
            if !from.can_input() {
                return Err(usage(format!(
                    "{from} cannot receive: to receive unicast use udp-listen:[ADDR:]PORT"
                )));
            }
        }
        for to in &self.to {
            if let Link::Mqtt(u) = to {
                if u.topic.has_wildcard() {
                    return Err(usage(format!(
                        "{to} cannot publish: MQTT topics with + or # are for subscribing; \
                         name the topic, e.g. mcast/{{group}}/{{port}}"
                    )));
                }
            }
            if !to.can_output() {
                return Err(usage(format!(
                    "{to} cannot send: to send unicast use udp:HOST:PORT"
                )));
            }
            if self.from.iter().any(|f| to.same_as(f)) {
                return Err(usage(format!(
                    "output {to} is the input: a bridge must not send a datagram back where it came from"
                )));
            }
        }
        // --both-ways works with every link: a udp: output receives what its
        // peer sends back on the same socket, and a udp-listen: input replies
        // to the senders it heard recently.
        for (i, x) in self.to.iter().enumerate() {
            if self.to[..i].iter().any(|y| y.same_as(x)) {
                return Err(usage(format!("output {x} is given twice")));
            }
        }
        for l in self.links() {
            match l {
                Link::Multicast(ep) => {
                    plan::check(&ep.addr, ep.iface.as_ref(), &self.ifaces, &[])?;
                }
                Link::Udp {
                    host: Host::Name(n),
                    ..
                }
                | Link::Tcp {
                    host: Host::Name(n),
                    ..
                }
                | Link::Mqtt(super::link::MqttUrl {
                    host: Host::Name(n),
                    ..
                }) if static_glibc => {
                    return Err(usage(format!(
                        "{l}: this mcast is a static glibc build, which cannot look up host names \
                         reliably (glibc loads its resolver modules at run time); give the address \
                         of {n} instead, or use the default (dynamically linked) build"
                    )));
                }
                _ => {}
            }
        }
        self.check_topic_templates()?;
        for p in &self.policy.cot_types {
            let p = p.strip_prefix('!').unwrap_or(p);
            let ok = !p.is_empty()
                && p.split('-').all(|atom| {
                    !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
                });
            if !ok {
                return Err(usage(format!(
                    "--cot-type {p:?} is not a type pattern: expected dash-separated atoms or *, e.g. a-f-* or a-*-G"
                )));
            }
        }
        Ok(())
    }

    /// An MQTT output whose topic names the flow (`{group}`, `{port}`)
    /// needs inputs that have one: multicast groups, or MQTT inputs whose
    /// topics carry it.
    fn check_topic_templates(&self) -> Result<()> {
        let has_flow = |l: &Link| match l {
            Link::Multicast(_) => true,
            Link::Mqtt(u) => u.topic.is_template() || u.topic.has_wildcard(),
            _ => false,
        };
        let check = |input: &Link, out: &Link| match out {
            Link::Mqtt(u) if u.topic.is_template() && !has_flow(input) => Err(usage(format!(
                "{out}: the topic names the group and port, but {input} has none; \
                 use a topic without {{group}}/{{port}}, e.g. tak/sa"
            ))),
            _ => Ok(()),
        };
        for f in &self.from {
            for t in &self.to {
                check(f, t)?;
                if self.both_ways {
                    check(t, f)?;
                }
            }
        }
        Ok(())
    }

    /// The inputs, then the outputs.
    pub fn links(&self) -> impl Iterator<Item = &Link> {
        self.from.iter().chain(&self.to)
    }

    /// Whether any multicast link resolves its interfaces (its own or
    /// `--iface`), i.e. needs re-resolving when interfaces change.
    pub fn names_interfaces(&self, link: &Link) -> bool {
        matches!(link, Link::Multicast(ep) if ep.iface.is_some() || !self.ifaces.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, Exit};

    fn config(from: &str, to: &[&str]) -> BridgeConfig {
        BridgeConfig {
            from: vec![from.parse().unwrap()],
            to: to.iter().map(|t| t.parse().unwrap()).collect(),
            both_ways: false,
            ifaces: Vec::new(),
            policy: Policy::default(),
            dedup_window: Duration::from_secs(2),
            max_rate: None,
            tak_proto: TakProto::Auto,
            queue: 10,
            stats_every: None,
            stats_output: StatsOutput::Text,
            rcvbuf: 1 << 20,
            tls: None,
            liveness: Duration::from_secs(15),
            tak_uid: "mcast-bridge".into(),
            multicast_loop: false,
            mqtt_qos: 0,
            mqtt_client_id: None,
            mqtt_version: crate::bridge::mqtt::MqttVersion::Auto,
        }
    }

    fn refused(c: &BridgeConfig, static_glibc: bool) -> String {
        let e = c.validate_with(static_glibc).unwrap_err();
        assert_eq!(exit_code(&e), Exit::Usage);
        e.to_string()
    }

    #[test]
    fn refusals_name_the_fix() {
        let c = config("udp:10.0.0.1:5000", &["239.1.1.1:5000@eth1"]);
        assert!(refused(&c, false).contains("udp-listen:"));
        let c = config("239.1.1.1:5000@eth0", &["udp-listen:5000"]);
        assert!(refused(&c, false).contains("udp:HOST:PORT"));
        let c = config("239.1.1.1:5000@eth0", &["239.1.1.1:5000@eth0"]);
        assert!(refused(&c, false).contains("is the input"));
        let c = config(
            "239.1.1.1:5000@eth0",
            &["udp:10.0.0.1:5000", "udp:10.0.0.1:5000"],
        );
        assert!(refused(&c, false).contains("given twice"));
        let c = config("[ff02::1]:5000", &["udp:10.0.0.1:5000"]);
        assert!(refused(&c, false).contains("link-local"));
        let mut c = config("239.1.1.1:5000@eth0", &["udp:10.0.0.1:5000"]);
        c.policy.cot_types = vec!["a--f".into()];
        assert!(refused(&c, false).contains("type pattern"));
        c.policy.cot_types = vec!["a-f-*".into()];
        assert!(c.validate_with(false).is_ok());
    }

    #[test]
    fn static_glibc_refuses_host_names_only() {
        let c = config("239.1.1.1:5000@eth0", &["tcp:tak.example:8087"]);
        assert!(c.validate_with(false).is_ok());
        let msg = refused(&c, true);
        assert!(msg.contains("static glibc build"), "{msg}");
        assert!(msg.contains("tak.example"), "{msg}");
        let c = config("239.1.1.1:5000@eth0", &["udp:tak.example:8087"]);
        assert!(refused(&c, true).contains("host names"));
        let c = config("239.1.1.1:5000@eth0", &["tcp:10.0.0.1:8087"]);
        assert!(c.validate_with(true).is_ok());
    }
}
