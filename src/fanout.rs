//! Sending the same batches to one destination over one or more
//! interfaces: one configured socket per interface, each with its own
//! [`Sender`] (sendmmsg or GSO). Used by every command that sends.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use socket2::Socket;

use crate::batch::{SendBuf, Sender};
use crate::endpoint::Family;
use crate::pace::now_ns;
use crate::plan::SendPlan;
use crate::sock::{self, IfRef, SendConfig};

/// One outgoing socket.
pub struct Out {
    /// The socket.
    pub sock: Socket,
    /// The batch sender.
    pub sender: Sender,
    /// The interface, for messages.
    pub iface: IfRef,
    /// Where it sends.
    pub dest: SocketAddr,
}

/// The outgoing sockets of a destination, and what went out through them.
pub struct Fanout {
    /// One per interface (a single kernel-routed one when none was named).
    pub outs: Vec<Out>,
    /// Datagrams sent (counted once, whatever the number of interfaces).
    pub sent: u64,
    /// Payload bytes sent (counted once).
    pub bytes: u64,
    /// When the last batch left, ns since the Unix epoch.
    pub last_send_ns: u64,
}

impl Fanout {
    /// Opens the sockets of a [`SendPlan`]: a configured socket to its
    /// destination on each interface, or one routed by the kernel when it
    /// names none.
    pub fn open(plan: &SendPlan, cfg: &SendConfig, gso: bool) -> Result<Fanout> {
        let (addr, port) = (plan.addr, plan.port);
        let targets: Vec<IfRef> = if plan.ifaces.is_empty() {
            vec![IfRef::any()]
        } else {
            plan.ifaces.clone()
        };
        let outs = targets
            .into_iter()
            .map(|iface| {
                let cfg = SendConfig {
                    iface: iface.clone(),
                    ..cfg.clone()
                };
                let sock = sock::open_sender(Family::of(&addr), &cfg)?;
                let dest = sock::destination(addr, port, &iface);
                Ok(Out {
                    sock,
                    sender: Sender::new(dest, gso),
                    iface,
                    dest,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Fanout {
            outs,
            sent: 0,
            bytes: 0,
            last_send_ns: 0,
        })
    }

    /// The destination's address family.
    pub fn family(&self) -> Family {
        self.outs
            .first()
            .map_or(Family::V4, |o| Family::of(&o.dest.ip()))
    }

    /// True when any batch went out as a GSO super-datagram.
    pub fn used_gso(&self) -> bool {
        self.outs.iter().any(|o| o.sender.gso_sends() > 0)
    }

    /// Sends every datagram of `buf` through every socket.
    pub fn flush(&mut self, buf: &SendBuf) -> Result<()> {
        for out in self.outs.iter_mut() {
            let n = out.sender.send(&out.sock, buf).with_context(|| {
                format!(
                    "send to {} via {}{}",
                    out.dest,
                    out.iface,
                    sock::down_note(&out.iface)
                )
            })?;
            if n < buf.len() {
                anyhow::bail!(
                    "send to {} via {}: the kernel took {n} of {} datagrams",
                    out.dest,
                    out.iface,
                    buf.len()
                );
            }
        }
        self.sent += buf.len() as u64;
        self.bytes += buf.bytes() as u64;
        self.last_send_ns = now_ns();
        Ok(())
    }
}
