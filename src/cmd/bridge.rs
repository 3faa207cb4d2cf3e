//! `mcast bridge`: build the bridge's configuration from the command line,
//! check it, run the engine ([`crate::bridge`]) until Ctrl-C or SIGTERM,
//! print the totals.

use anyhow::Result;

use crate::bridge::tcp::TakProto;
use std::net::IpAddr;

use crate::bridge::link::{Link, MqttUrl};
use crate::bridge::mqtt::MqttVersion;
use crate::bridge::tls::{Tls, TlsOptions};
use crate::bridge::{policy::Policy, Bridge, BridgeConfig, StatsOutput};
use crate::bridge::{CHAT_GROUP, CHAT_PORT, SA_GROUP, SA_PORT};
use crate::cli::{BridgeArgs, MqttVersionArg, StatsFormat, TakProtoArg, TlsArgs};
use crate::cmd::Ctx;
use crate::endpoint::Endpoint;
use crate::error::Outcome;
use crate::signals::Stop;

/// Runs `mcast bridge`.
pub fn run(a: &BridgeArgs, ctx: &Ctx) -> Result<Outcome> {
    // A bridge runs for days: its log lines carry the time.
    let ctx = &Ctx {
        timestamps: true,
        ..ctx.clone()
    };
    let mut cfg = config(a);
    cfg.validate()?;
    // Credentials are loaded once, before any socket: a wrong password or
    // a missing file is reported at start, not at each reconnect.
    if cfg.links().any(|l| {
        matches!(
            l,
            Link::Tcp { tls: true, .. } | Link::Mqtt(MqttUrl { tls: true, .. })
        )
    }) {
        cfg.tls = Some(Tls::load(&tls_options(&a.tls))?);
    }
    let mut b = Bridge::build(cfg, ctx)?;
    let stop = Stop::install()?;
    if b.open_to_anyone() {
        ctx.warn(
            "a unicast input accepts datagrams from anyone: restrict it with --allow-from CIDR",
        );
    }
    for d in b.directions() {
        ctx.info(format_args!("bridging {d}"));
    }
    let r = b.run(ctx, &stop);
    b.close();
    r?;
    b.print_stats(ctx, true)?;
    Ok(Outcome::Ok)
}

/// The engine's configuration: the command line, in the engine's terms.
pub fn config(a: &BridgeArgs) -> BridgeConfig {
    BridgeConfig {
        from: inputs(a),
        to: outputs(a),
        both_ways: a.both_ways,
        ifaces: a.ifaces.iface.clone(),
        policy: Policy {
            allow: a.allow_from.clone(),
            cot_only: a.cot_only || !a.cot_type.is_empty(),
            cot_types: a.cot_type.clone(),
            decrement_ttl: a.decrement_ttl,
            ttl: a.ttl.value.0,
        },
        dedup_window: a.dedup_window.0,
        max_rate: a.max_rate.map(|r| r.0),
        tak_proto: match a.tak_proto {
            TakProtoArg::Auto => TakProto::Auto,
            TakProtoArg::Xml => TakProto::Xml,
            TakProtoArg::V1 => TakProto::V1,
        },
        queue: a.queue as usize,
        stats_every: a.stats.map(|d| d.0),
        stats_output: match a.format {
            StatsFormat::Text => StatsOutput::Text,
            StatsFormat::Json => StatsOutput::Json,
        },
        rcvbuf: a.rcvbuf.0,
        tls: None,
        liveness: a.liveness.0,
        tak_uid: a.tak_uid.clone(),
        multicast_loop: a.multicast_loop,
        mqtt_qos: a.mqtt_qos,
        mqtt_client_id: a.mqtt_client_id.clone(),
        mqtt_version: match a.mqtt_version {
            MqttVersionArg::Auto => MqttVersion::Auto,
            MqttVersionArg::V5 => MqttVersion::V5,
            MqttVersionArg::V311 => MqttVersion::V311,
        },
    }
}

/// The inputs: FROM, or with `--tak IFACE` the TAK LAN's SA and chat
/// groups on it; then every `--also-from`.
fn inputs(a: &BridgeArgs) -> Vec<Link> {
    let mut v: Vec<Link> = match &a.tak {
        Some(iface) => [(SA_GROUP, SA_PORT), (CHAT_GROUP, CHAT_PORT)]
            .into_iter()
            .map(|(g, p)| {
                Link::Multicast(Endpoint {
                    addr: IpAddr::V4(g),
                    port: p,
                    iface: Some(iface.clone()),
                })
            })
            .collect(),
        None => a.from.iter().cloned().collect(),
    };
    v.extend(a.also_from.iter().cloned());
    v
}

/// The outputs: the TOs, and with `--tak` the positional FROM too (every
/// positional link is a TO then).
fn outputs(a: &BridgeArgs) -> Vec<Link> {
    match &a.tak {
        Some(_) => a.from.iter().chain(&a.to).cloned().collect(),
        None => a.to.clone(),
    }
}

/// The TLS part of the command line, in the engine's terms.
fn tls_options(t: &TlsArgs) -> TlsOptions {
    TlsOptions {
        cert: t.cert.clone(),
        key: t.key.clone(),
        ca: t.ca.clone(),
        p12: t.p12.clone(),
        p12_password: t.p12_password.clone(),
        server_name: t.tls_server_name.clone(),
        no_name_check: t.tls_no_name_check,
    }
}
