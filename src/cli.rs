//! The command-line definition (clap derive). Every field's `///` comment is
//! its `--help` text; completions and man pages are generated from here.
//!
//! Those comments are written for the terminal, not as Markdown: endpoint
//! grammar such as `GROUP:PORT[@IFACE]` or `<remarks>` would otherwise have
//! to be escaped in `--help`, so rustdoc's link and HTML checks are off here.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::bridge::filter::Cidr;
use crate::bridge::link::Link;
use crate::endpoint::{Endpoint, GroupEndpoint, GroupSpec, IfaceSelector, IfaceSpec};
use crate::units::{Count, DurationArg, HexBytes, Rate, Size, Tos, Ttl};

/// A command's examples followed by its exit-code table (rendered from
/// [`crate::error::Exit`]); the top level adds the environment variables.
fn long_help(examples: &str, command: Option<&str>) -> String {
    let mut s = format!(
        "{}\n\n{}",
        examples.trim_end(),
        crate::error::exit_codes_help(command)
    );
    if command.is_none() {
        s.push_str(MAIN_ENVIRONMENT);
    }
    s
}

const MAIN_EXAMPLES: &str = "\
Examples:
  Send one datagram (socat -u - UDP4-DATAGRAM:239.2.3.1:6969):
    mcast send 239.2.3.1:6969 'hello'
  Send each line of stdin as a datagram on eth0:
    printf 'a\\nb\\n' | mcast send 239.2.3.1:6969@eth0
  Receive and print (socat -u UDP4-RECV:6969,ip-add-membership=239.2.3.1:eth0 -):
    mcast listen 239.2.3.1:6969@eth0
  Watch TAK situational awareness (SA) traffic as JSON Lines:
    mcast listen 239.2.3.1:6969 --format json
  CI check: succeed when 10 datagrams arrive within 5 s:
    mcast listen 239.2.3.1:6969 --count 10 --timeout 5s
  Hold a membership to test IGMP snooping:
    mcast join 239.2.3.1@eth0 --duration 60s
  List multicast-capable interfaces and their groups:
    mcast ifaces --groups

";

const MAIN_ENVIRONMENT: &str = "\n\nEnvironment:
  MCAST_IFACE  default for --iface (comma-separated)
  MCAST_TTL    default for --ttl
  NO_COLOR     disables colour when set (same as --color never)";

/// A command-line Swiss-army knife for IP multicast.
///
/// Endpoints are GROUP:PORT[@IFACE]: 239.2.3.1:6969, 239.2.3.1:6969@eth0,
/// 239.2.3.1:6969@10.77.0.1, [ff15::1]:6969@eth0, [ff02::1%eth0]:6969,
/// [ff02::1%3]:6969. IFACE is an interface name, one of its addresses, or
/// its index.
#[derive(Debug, Parser)]
#[command(name = "mcast", version, about, long_about, after_long_help = long_help(MAIN_EXAMPLES, None), max_term_width = 100)]
pub struct Cli {
    /// Options that every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The `--help` heading of the options every subcommand takes, so that
/// they do not sit in the middle of each command's own options.
const GLOBAL: &str = "Global options";

/// Options that every subcommand takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More detail on stderr (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = GLOBAL)]
    pub verbose: u8,

    /// Print nothing on stderr but errors (no summaries or warnings).
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = GLOBAL)]
    pub quiet: bool,

    /// When to use colour: auto (a terminal without NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN", help_heading = GLOBAL)]
    pub color: ColorChoice,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send datagrams to a group (or a unicast host).
    #[command(after_long_help = long_help(SEND_EXAMPLES, Some("send")))]
    Send(SendArgs),
    /// Join groups and print what arrives.
    #[command(after_long_help = long_help(LISTEN_EXAMPLES, Some("listen")))]
    Listen(ListenArgs),
    /// Hold group memberships (IGMP/MLD reports) until Ctrl-C or --duration.
    #[command(after_long_help = long_help(JOIN_EXAMPLES, Some("join")))]
    Join(JoinArgs),
    /// List interfaces with their flags, addresses and groups.
    #[command(after_long_help = long_help(IFACES_EXAMPLES, Some("ifaces")))]
    Ifaces(IfacesArgs),
    /// Relay datagrams between groups, interfaces, unicast UDP and TAK servers, without loops.
    #[command(after_long_help = long_help(BRIDGE_EXAMPLES, Some("bridge")))]
    Bridge(Box<BridgeArgs>),
    /// Generate Cursor-on-Target (CoT) test events for TAK clients and servers.
    #[command(name = "cot-gen", after_long_help = long_help(COT_GEN_EXAMPLES, Some("cot-gen")))]
    CotGen(Box<CotGenArgs>),
    /// Send the UDP datagrams of a pcap/pcapng capture again, with their timing.
    #[command(after_long_help = long_help(REPLAY_EXAMPLES, Some("replay")))]
    Replay(Box<ReplayArgs>),
    /// Find why multicast does not arrive, and print the fix.
    #[command(after_long_help = long_help(DOCTOR_EXAMPLES, Some("doctor")))]
    Doctor(Box<DoctorArgs>),
    /// Watch groups live, full screen: rates, loss and TAK units per sender.
    #[command(after_long_help = long_help(WATCH_EXAMPLES, Some("watch")))]
    Watch(WatchArgs),
    /// Write shell completions and man pages (for packagers).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

const WATCH_EXAMPLES: &str = "\
Examples:
  A TAK LAN's SA and chat groups, every sender and unit live:
    mcast watch 239.2.3.1:6969 224.10.10.1:17012
  A numbered test stream (`send --seq`), its loss marked as it happens:
    mcast watch 239.1.1.1:5000@eth0 --stats 500ms
  Headless (no terminal, or TERM=dumb): the same figures as interval lines:
    mcast watch 239.1.1.1:5000 --timeout 1m 2>watch.log

The strip shows one cell per interval: `.` datagrams in order, `x` loss,
`<` reordered, `:` duplicate, `_` the first after a silent interval, blank
nothing. Keys: q, Esc or Ctrl-C quit; space freezes; Tab switches between
the senders and the TAK units; s sorts; r resets the counters; arrows and
PgUp/PgDn scroll; ? shows help.";

const SEND_EXAMPLES: &str = "\
Examples:
  One datagram, like `echo hello | socat -u - UDP4-DATAGRAM:239.2.3.1:6969`:
    mcast send 239.2.3.1:6969 hello
  The Python recipe `sock.sendto(b'hello', ('239.2.3.1', 6969))` with TTL 2 on eth0:
    mcast send 239.2.3.1:6969@eth0 hello --ttl 2
  1000 datagrams of 1200 bytes at 100 per second, numbered for `listen`:
    mcast send 239.2.3.1:6969 --size 1200 --count 1000 --rate 100 --seq
  A file as one datagram; raw bytes from hex:
    mcast send 239.2.3.1:6969 --file event.xml
    mcast send [ff15::1]:6969@eth0 --hex 'bf 01 bf'
  Ask and wait 2 s for receivers' replies (pair with `listen --reply`):
    mcast send 239.2.3.1:6969 ping --wait-replies 2s";

const LISTEN_EXAMPLES: &str = "\
Examples:
  Like `socat -u UDP4-RECV:6969,ip-add-membership=239.2.3.1:eth0 -`:
    mcast listen 239.2.3.1:6969@eth0
  Several groups at once, every multicast interface:
    mcast listen 239.2.3.1:6969 224.10.10.1:17012 --iface all
  Source-specific (SSM): only 10.77.0.1's traffic:
    mcast listen 232.1.1.1:5000@eth0 --source 10.77.0.1
  For scripts: exit 0 when 10 arrive within 5 s, else 1:
    mcast listen 239.2.3.1:6969 --count 10 --timeout 5s -q
  Pipe payloads to another program:
    mcast listen 239.2.3.1:6969 --format raw | xxd
  Acknowledge each datagram to its sender:
    mcast listen 239.2.3.1:6969 --reply ack";

const JOIN_EXAMPLES: &str = "\
Examples:
  Hold 239.2.3.1 on eth0 for a minute (watch the switch's snooping table):
    mcast join 239.2.3.1@eth0 --duration 1m
  SSM join of (10.77.0.1, 232.1.1.1), IPv6 on every multicast interface:
    mcast join 232.1.1.1@eth0 --source 10.77.0.1
    mcast join ff15::1 --iface all";

const IFACES_EXAMPLES: &str = "\
Examples:
    mcast ifaces
    mcast ifaces --all --groups
    mcast ifaces --all --json | jq -r '.[] | select(.flags | index(\"MULTICAST\") | not) | .name'";

const COT_GEN_EXAMPLES: &str = "\
Examples:
  A friendly unit walking near a point, sent to TAK clients' SA group (239.2.3.1:6969):
    mcast cot-gen --uid mcast-alpha-1 --callsign ALPHA-1 --lat 37.5 --lon -122.25 --move walk --interval 1s --send
  A chat message into All Chat Rooms (224.10.10.1:17012):
    mcast cot-gen --kind chat --callsign ALPHA-1 --message 'hello from mcast' --send
  Delete that unit's marker from every map:
    mcast cot-gen --kind delete --target-uid mcast-alpha-1 --send
  Five units, 100 events, reproducible, as XML lines piped to send:
    mcast cot-gen --count 100 --units 5 --move walk --seed 7 --time 2026-01-01T00:00:00Z | mcast send 239.2.3.1:6969
  TAK Protocol v1 (protobuf) datagrams instead of XML:
    mcast cot-gen --format tak --send";

const REPLAY_EXAMPLES: &str = "\
Reads pcap and pcapng (Ethernet with VLAN tags, raw IP, Linux cooked v1
and v2, loopback), takes the UDP datagrams (IP fragments reassembled) and
sends their payloads through an ordinary UDP socket: no root, the kernel
routes, IGMP as usual. Deadlines are absolute from the first datagram, so
timing errors do not add up.

Examples:
  Capture a TAK exercise, then replay it into the lab with the original timing:
    mcast listen 239.2.3.1:6969@eth0 --pcap exercise.pcapng --format count
    mcast replay exercise.pcapng --iface eth1 --cot-retime
  A tcpdump capture, ten times as fast, into another group:
    mcast replay dump.pcap 239.9.9.9:7000@eth1 --speed 10
  Only one flow, rewritten, at 500 datagrams per second, three times:
    mcast replay dump.pcap --map 239.1.1.1:5000=239.2.2.2:5000@eth1 --group 239.1.1.1 --rate 500 --loop 3";

const DOCTOR_EXAMPLES: &str = "\
Checks, in the order a packet travels: interface state, the group's route,
the joins, the IGMP/MLD querier, TTL, the interface traffic arrives on,
the reverse-path filter, the firewall, other sockets on the port, receive
buffers, and host oddities (containers, multicast routers, forced IGMP
versions). It joins on every interface for the window, so run it while
the sender sends. As root it adds a packet socket (sees datagrams before
the filters), a raw IGMP socket (hears queriers) and the nftables rules.

Examples:
  Why does nothing arrive for 239.2.3.1:6969 on eth0? (while the sender runs)
    mcast doctor 239.2.3.1:6969@eth0
  Name the sender, for the reverse-path and TTL checks:
    mcast doctor 239.2.3.1:6969@eth0 --source 10.1.2.3
  Is there a querier? (queriers send every 125 s)
    sudo mcast doctor 239.2.3.1:6969@eth0 --duration 130s
  For scripts: exit 0 when healthy, 1 with a cause; JSON Lines:
    mcast doctor 239.2.3.1:6969@eth0 --format json | jq -r 'select(.type==\"verdict\") | .cause'
  Two-ended: on the sender, then on the receiver (hop count, both ways):
    mcast doctor --respond
    mcast doctor 239.2.3.1:6969@eth0 --peer 10.1.2.3";

const BRIDGE_EXAMPLES: &str = "\
Endpoints: GROUP:PORT@IFACE (multicast), udp:HOST:PORT (send unicast),
udp-listen:[ADDR:]PORT (receive unicast), tcp:HOST:PORT (a TAK server).

Examples:
  TAK SA traffic from LAN A to LAN B, both ways:
    mcast bridge 239.2.3.1:6969@eth0 239.2.3.1:6969@eth1 --both-ways
  Rewrite group and port on the way:
    mcast bridge 239.2.3.1:6969@eth0 239.9.9.9:7000@eth1
  Tunnel across a router or VPN (run the second command at the far end):
    mcast bridge 239.2.3.1:6969@eth0 udp:192.0.2.10:7000
    mcast bridge udp-listen:7000 239.2.3.1:6969@eth1
  Feed SA and chat into a TAK server and its events back to the LAN:
    mcast bridge 239.2.3.1:6969@eth0 tcp:takserver.example:8087 --both-ways --cot-only
  Act like a router: forward only what has TTL left, with a rate cap:
    mcast bridge 239.1.1.1:5000@eth0 239.1.1.1:5000@eth1 --decrement-ttl --ttl 8 --max-rate 10k

Safety: outputs never loop multicast back to this host, datagrams from the
bridge's own outputs are dropped, and a datagram identical to one forwarded
within --dedup-window is dropped, so bridges wired in a ring cannot storm.";

/// Options shared by commands that open sockets on interfaces.
#[derive(Debug, Args, Clone)]
pub struct IfaceArgs {
    /// Interface(s) for endpoints that name none: a name, an address, an
    /// index, or `all` (every UP interface with the MULTICAST flag).
    /// Repeatable.
    #[arg(
        long,
        short = 'i',
        value_name = "IFACE",
        env = "MCAST_IFACE",
        value_delimiter = ','
    )]
    pub iface: Vec<IfaceSelector>,
}

/// `--ttl`, shared by every command that sends multicast.
#[derive(Debug, Args, Clone, Copy)]
pub struct TtlArg {
    /// Multicast TTL / hop limit (1 stays on the local link).
    #[arg(
        id = "ttl",
        long = "ttl",
        value_name = "TTL",
        env = "MCAST_TTL",
        default_value = "1",
        allow_hyphen_values = true
    )]
    pub value: Ttl,
}

/// `--interval` or `--rate`, shared by `send` and `cot-gen`.
#[derive(Debug, Args, Clone, Copy)]
pub struct PaceArgs {
    /// Time between datagrams (cot-gen: between ticks of one event per unit).
    #[arg(
        long,
        value_name = "DURATION",
        conflicts_with = "rate",
        allow_hyphen_values = true
    )]
    pub interval: Option<DurationArg>,

    /// Datagrams (cot-gen: events) per second, evenly paced.
    #[arg(long, value_name = "PPS", allow_hyphen_values = true)]
    pub rate: Option<Rate>,
}

/// How `send` splits standard input into datagrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Split {
    /// One datagram per line, the newline removed.
    Line,
    /// All of stdin as a single datagram.
    None,
    /// One datagram per NUL-terminated record.
    Nul,
}

/// Arguments of `mcast send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Destination: GROUP:PORT[@IFACE] (a unicast HOST:PORT works too).
    #[arg(value_name = "ENDPOINT")]
    pub endpoint: Endpoint,

    /// Payload text. Without it (and without --file, --hex, --size) the
    /// payload comes from standard input, split by --split.
    #[arg(value_name = "PAYLOAD", conflicts_with_all = ["file", "hex", "size"])]
    pub payload: Option<String>,

    /// Send the contents of a file as one datagram.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["hex", "size"])]
    pub file: Option<PathBuf>,

    /// Send these bytes, given as hex (spaces and colons allowed).
    #[arg(long, value_name = "HEX", conflicts_with = "size")]
    pub hex: Option<HexBytes>,

    /// Send generated payloads of this many bytes.
    #[arg(long, value_name = "BYTES")]
    pub size: Option<Size>,

    /// How to split standard input into datagrams.
    #[arg(long, value_enum, default_value_t = Split::Line)]
    pub split: Split,

    /// Number of datagrams (default: 1, or unlimited with --rate/--interval;
    /// for stdin, at most this many).
    #[arg(long, short = 'c', value_name = "N", allow_hyphen_values = true)]
    pub count: Option<Count>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub pace: PaceArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ttl: TtlArg,

    /// Loop multicast back to listeners on this host (the default).
    #[arg(long = "loop", overrides_with = "no_loop")]
    pub loop_: bool,

    /// Do not loop multicast back to this host.
    #[arg(long, overrides_with = "loop_")]
    pub no_loop: bool,

    /// Source address and port to send from, e.g. 10.77.0.1:5000 or [::]:5000.
    #[arg(long, value_name = "ADDR:PORT")]
    pub bind: Option<SocketAddr>,

    /// IP TOS / IPv6 traffic class byte (e.g. 0xb8 for DSCP EF).
    #[arg(long, value_name = "TOS")]
    pub tos: Option<Tos>,

    /// Prefix each datagram with a 20-byte header (magic "MCS1", sequence
    /// number, send time) that `listen` turns into loss, duplicate,
    /// reordering and latency statistics.
    #[arg(long)]
    pub seq: bool,

    /// After sending, wait this long for unicast replies and print them
    /// with round-trip times (pair with `listen --reply`).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub wait_replies: Option<DurationArg>,

    /// Never use UDP segmentation offload (GSO); always sendmmsg.
    #[arg(long)]
    pub no_gso: bool,

    /// Allow sending to a broadcast address (SO_BROADCAST, like socat's
    /// `broadcast` option), e.g. 10.77.0.255:5000 or 255.255.255.255:5000.
    #[arg(long)]
    pub broadcast: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ifaces: IfaceArgs,
}

impl SendArgs {
    /// Whether multicast loopback is on (default on).
    pub fn multicast_loop(&self) -> bool {
        !self.no_loop
    }
}

/// Output formats of `listen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A header line per datagram and the payload, non-printable bytes escaped.
    Text,
    /// A header line and a `hexdump -C` style dump.
    Hex,
    /// One JSON object per line, then a summary object.
    Json,
    /// Payload bytes only, nothing else (for pipes).
    Raw,
    /// Nothing per datagram: count only, then print the summary.
    Count,
    /// One readable line per Cursor-on-Target event (XML or TAK Protocol v1).
    Cot,
}

/// Arguments of `mcast listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Groups to receive: GROUP:PORT[@IFACE], one or more.
    #[arg(value_name = "ENDPOINT", required = true)]
    pub endpoints: Vec<GroupEndpoint>,

    /// Source-specific multicast: accept only these sources (repeatable).
    #[arg(long, short = 's', value_name = "ADDR")]
    pub source: Vec<IpAddr>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write raw payloads even to a terminal.
    #[arg(long)]
    pub force: bool,

    /// With --format cot or json: also report what a strict receiver
    /// (ATAK) would reject in each event, and why.
    #[arg(long)]
    pub cot_strict: bool,

    /// Stop after N datagrams (exit 0 when they arrived).
    #[arg(long, short = 'c', value_name = "N", allow_hyphen_values = true)]
    pub count: Option<Count>,

    /// Stop after this long (exit 1 unless --count datagrams, or with no
    /// --count at least one, arrived).
    #[arg(long, short = 't', value_name = "DURATION", allow_hyphen_values = true)]
    pub timeout: Option<DurationArg>,

    /// Answer each datagram with this text, unicast to its sender.
    #[arg(long, value_name = "TEXT")]
    pub reply: Option<String>,

    /// Receive buffer to ask the kernel for (read back; a warning when clamped).
    #[arg(long, value_name = "BYTES", default_value = "4M")]
    pub rcvbuf: BufSize,

    /// Every DURATION, one line per sender with what arrived in that
    /// interval (datagrams, rate, loss, duplicates, reordering, latency,
    /// TTL, interface) and kernel drops per group, on stderr; with
    /// `--format json`, `{"interval": ...}` records on stdout instead.
    #[arg(long, value_name = "DURATION")]
    pub stats: Option<DurationArg>,

    /// Also write every datagram to this capture file for Wireshark,
    /// tshark, tcpdump -r and tcpreplay (`-` for standard output, which then
    /// carries only the capture: `| wireshark -k -i -`).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,

    /// Capture layout: pcapng (Ethernet frames, one interface block per
    /// arrival interface) or pcap (classic, Linux cooked v2 headers that keep
    /// the interface index; tcpreplay cannot read it).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = PcapFormat::Pcapng, requires = "pcap")]
    pub pcap_format: PcapFormat,

    /// Start a new capture file after this size (100MB, 1GB) or time (10m,
    /// 1h); files are FILE-0001.EXT, FILE-0002.EXT...
    #[arg(long, value_name = "SIZE|DURATION", requires = "pcap")]
    pub pcap_rotate: Option<crate::pcap::sink::Rotate>,

    /// With --pcap-rotate: keep only the newest N files.
    #[arg(long, value_name = "N", requires = "pcap_rotate")]
    pub pcap_keep: Option<Count>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ifaces: IfaceArgs,
}

/// `mcast watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Groups to watch: GROUP:PORT[@IFACE], as for `listen`.
    #[arg(value_name = "ENDPOINT", required = true)]
    pub endpoints: Vec<GroupEndpoint>,

    /// Source-specific: accept only these senders (repeatable).
    #[arg(long, short = 's', value_name = "ADDR")]
    pub source: Vec<IpAddr>,

    /// Interval of the rates and of one strip cell.
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub stats: DurationArg,

    /// Stop after this long.
    #[arg(long, short = 't', value_name = "DURATION", allow_hyphen_values = true)]
    pub timeout: Option<DurationArg>,

    /// Receive buffer to ask the kernel for.
    #[arg(long, value_name = "BYTES", default_value = "4M")]
    pub rcvbuf: BufSize,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ifaces: IfaceArgs,
}

/// Capture file layouts of `listen --pcap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PcapFormat {
    /// pcapng with synthesized Ethernet headers.
    Pcapng,
    /// Classic pcap (nanosecond) with Linux cooked v2 headers.
    Pcap,
}

/// Arguments of `mcast join`.
#[derive(Debug, Args)]
pub struct JoinArgs {
    /// Groups to join: GROUP[@IFACE], e.g. 239.2.3.1@eth0 or ff15::1@eth0.
    #[arg(value_name = "GROUP", required = true)]
    pub groups: Vec<GroupSpec>,

    /// Source-specific join: only these sources (repeatable).
    #[arg(long, short = 's', value_name = "ADDR")]
    pub source: Vec<IpAddr>,

    /// Leave and exit after this long (default: until Ctrl-C or SIGTERM).
    #[arg(long, short = 'd', value_name = "DURATION", allow_hyphen_values = true)]
    pub duration: Option<DurationArg>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ifaces: IfaceArgs,
}

/// Arguments of `mcast replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The capture: a pcap or pcapng file (`-` for standard input).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Send every datagram here instead of to its captured destination:
    /// GROUP:PORT[@IFACE] or HOST:PORT.
    #[arg(value_name = "ENDPOINT")]
    pub endpoint: Option<Endpoint>,

    /// Send one captured flow elsewhere: FROM=TO, e.g.
    /// 239.1.1.1:5000=239.9.9.9:6000@eth1 (repeatable; wins over ENDPOINT).
    #[arg(long, value_name = "FROM=TO")]
    pub map: Vec<crate::endpoint::FlowMap>,

    /// Only datagrams to this group or address (repeatable).
    #[arg(long = "group", value_name = "ADDR")]
    pub groups: Vec<IpAddr>,

    /// Only datagrams to this port (repeatable).
    #[arg(long = "port", value_name = "PORT")]
    pub ports: Vec<u16>,

    /// Only datagrams from this source address (repeatable).
    #[arg(long = "source", short = 's', value_name = "ADDR")]
    pub sources: Vec<IpAddr>,

    /// Only datagrams captured on this interface (the pcapng interface
    /// name, or `ifindex N` for Linux cooked v2; repeatable).
    #[arg(long = "from-iface", value_name = "NAME")]
    pub from_ifaces: Vec<String>,

    /// Play faster (10) or slower (0.5) than captured.
    #[arg(long, value_name = "FACTOR", default_value = "1")]
    pub speed: crate::units::Speed,

    /// Ignore the captured timing: this many datagrams per second.
    #[arg(long, short = 'r', value_name = "PPS", conflicts_with = "speed")]
    pub rate: Option<Rate>,

    /// Ignore the captured timing: as fast as possible.
    #[arg(long, conflicts_with_all = ["speed", "rate"])]
    pub flat_out: bool,

    /// Play the capture N times (0: until Ctrl-C).
    #[arg(long = "loop", value_name = "N", default_value_t = 1)]
    pub loops: u64,

    /// Start this far into the capture (from its first selected datagram).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub start: Option<DurationArg>,

    /// Stop this far into the capture.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub end: Option<DurationArg>,

    /// TTL / hop limit for every datagram (default: the one captured, at
    /// least 1).
    #[arg(long, value_name = "TTL", allow_hyphen_values = true)]
    pub ttl: Option<Ttl>,

    /// Make CoT events fresh: each event's time becomes the moment it is
    /// sent, start and stale keep their offsets (XML and TAK v1).
    #[arg(long)]
    pub cot_retime: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ifaces: IfaceArgs,
}

/// Output formats of `doctor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    /// One line per check, then the verdict and its fix.
    Text,
    /// JSON Lines: one object per check, then one verdict object.
    Json,
}

/// Arguments of `mcast doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The group that does not arrive: GROUP:PORT[@IFACE], with the
    /// interface you expect it on (default: where the group's route goes).
    #[arg(value_name = "ENDPOINT", required_unless_present = "respond")]
    pub endpoint: Option<GroupEndpoint>,

    /// The sender's address: enables the exact reverse-path check and the
    /// TTL check when nothing arrives.
    #[arg(long, short = 's', value_name = "ADDR")]
    pub source: Option<IpAddr>,

    /// How long to listen, and with --peer to probe (default 5 s); with
    /// --respond, how long to answer (default: until Ctrl-C).
    #[arg(long, short = 'd', value_name = "DURATION", allow_hyphen_values = true)]
    pub duration: Option<DurationArg>,

    /// The IGMP/MLD query interval of this network: a missing querier is
    /// reported only after listening this long.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "125s",
        allow_hyphen_values = true
    )]
    pub query_interval: DurationArg,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DoctorFormat::Text)]
    pub format: DoctorFormat,

    /// Two-ended mode, receiving side: ask `mcast doctor --respond` at this
    /// address for unicast and multicast probes (TTL 1..--max-ttl), then
    /// send probes back to it.
    #[arg(long, value_name = "HOST[:PORT]", conflicts_with = "respond")]
    pub peer: Option<crate::doctor::probe::PeerAddr>,

    /// Two-ended mode, sending side: answer `--peer` requests on this UDP
    /// port (default 4330) until Ctrl-C or --duration.
    #[arg(long, value_name = "PORT", num_args = 0..=1, default_missing_value = "4330", conflicts_with_all = ["endpoint", "source"])]
    pub respond: Option<u16>,

    /// Highest TTL of the probe ladder (with --peer; a responder caps what
    /// it is asked for at its own --max-ttl).
    #[arg(
        long,
        value_name = "TTL",
        default_value = "8",
        allow_hyphen_values = true
    )]
    pub max_ttl: Ttl,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ifaces: IfaceArgs,
}

/// Arguments of `mcast ifaces`.
#[derive(Debug, Args)]
pub struct IfacesArgs {
    /// Show every interface, not only multicast-capable ones.
    #[arg(long, short = 'a')]
    pub all: bool,

    /// Show the multicast groups joined on each interface.
    #[arg(long, short = 'g')]
    pub groups: bool,

    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Output formats of `bridge` statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// Human-readable lines on stderr.
    Text,
    /// JSON objects, one per line, on stdout.
    Json,
}

/// Arguments of `mcast bridge`.
#[derive(Debug, Args)]
pub struct BridgeArgs {
    /// Where datagrams come from: GROUP:PORT@IFACE, udp-listen:[ADDR:]PORT
    /// or tcp:HOST:PORT.
    #[arg(value_name = "FROM", env = "MCAST_BRIDGE_FROM")]
    pub from: Option<Link>,

    /// Where they go: GROUP:PORT@IFACE, udp:HOST:PORT or tcp:HOST:PORT (one
    /// or more).
    #[arg(value_name = "TO", env = "MCAST_BRIDGE_TO", value_delimiter = ',')]
    pub to: Vec<Link>,

    /// A TAK LAN on this interface as the input: SA (239.2.3.1:6969) and
    /// GeoChat (224.10.10.1:17012) in one bridge, sharing one loop and
    /// duplicate state; every positional link is then a TO. From a TAK
    /// server, chat goes to the chat group and the rest to the SA group.
    #[arg(long, value_name = "IFACE", env = "MCAST_TAK_IFACE")]
    pub tak: Option<IfaceSpec>,

    /// Another input (repeatable), bridged to the same outputs.
    #[arg(long, value_name = "LINK")]
    pub also_from: Vec<Link>,

    /// Also relay from every TO back to FROM.
    #[arg(long, short = 'b', env = "MCAST_BOTH_WAYS")]
    pub both_ways: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ttl: TtlArg,

    /// Behave like a router: send with min(--ttl, arrival TTL - 1) and drop
    /// what arrives with TTL 1 or less.
    #[arg(long, env = "MCAST_DECREMENT_TTL")]
    pub decrement_ttl: bool,

    /// Drop a datagram identical to one forwarded within this window.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "2s",
        allow_hyphen_values = true
    )]
    pub dedup_window: DurationArg,

    /// At most this many datagrams per second from each input (token bucket).
    #[arg(
        long,
        value_name = "PPS",
        allow_hyphen_values = true,
        env = "MCAST_MAX_RATE"
    )]
    pub max_rate: Option<Rate>,

    /// Accept datagrams only from these sources (repeatable), e.g.
    /// 10.77.0.0/24 or fd77::/64.
    #[arg(
        long,
        value_name = "CIDR",
        env = "MCAST_ALLOW_FROM",
        value_delimiter = ','
    )]
    pub allow_from: Vec<Cidr>,

    /// Forward only Cursor-on-Target events (XML or TAK Protocol v1).
    #[arg(long, env = "MCAST_COT_ONLY")]
    pub cot_only: bool,

    /// Forward only CoT events whose type matches (repeatable), e.g. a-f-*;
    /// a pattern starting with ! excludes, e.g. '!b-t-f' (implies
    /// --cot-only).
    #[arg(
        long,
        value_name = "PATTERN",
        env = "MCAST_COT_TYPE",
        value_delimiter = ','
    )]
    pub cot_type: Vec<String>,

    /// TAK protocol on tcp:/tls: links: auto (XML until the server offers
    /// Protocol v1, then switch, as TAK clients do), 0 (XML only) or 1
    /// (Protocol v1 stream framing from the start).
    #[arg(
        long,
        value_name = "auto|0|1",
        default_value = "auto",
        env = "MCAST_TAK_PROTO"
    )]
    pub tak_proto: TakProtoArg,

    /// Events kept for a disconnected tcp: peer (the oldest are dropped).
    #[arg(long, value_name = "N", default_value_t = 10_000, env = "MCAST_QUEUE", value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub queue: u32,

    /// Liveness of tcp:/tls: links: a silent connection gets a t-x-c-t ping
    /// every half of this, and one whose data the server does not
    /// acknowledge within it is reconnected (TCP keepalive and
    /// TCP_USER_TIMEOUT).
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "15s",
        env = "MCAST_LIVENESS"
    )]
    pub liveness: DurationArg,

    /// Uid the bridge's pings announce to TAK servers (a server sees the
    /// bridge as one client).
    #[arg(
        long,
        value_name = "UID",
        default_value = "mcast-bridge",
        env = "MCAST_TAK_UID"
    )]
    pub tak_uid: String,

    /// QoS of MQTT publications and subscriptions: 0 (at most once, like
    /// UDP) or 1 (at least once; the broker acknowledges each message).
    #[arg(long, value_name = "0|1", default_value_t = 0, env = "MCAST_MQTT_QOS", value_parser = clap::value_parser!(u8).range(0..=1))]
    pub mqtt_qos: u8,

    /// MQTT client id (unique per broker: a broker disconnects an older
    /// client with the same id); default: mcast- and 16 random hex digits.
    #[arg(long, value_name = "ID", env = "MCAST_MQTT_CLIENT_ID")]
    pub mqtt_client_id: Option<String>,

    /// MQTT version: auto (5, falling back to 3.1.1 for a broker without
    /// it), 5 or 3.1.1.
    #[arg(
        long,
        value_name = "auto|5|3.1.1",
        default_value = "auto",
        env = "MCAST_MQTT_VERSION"
    )]
    pub mqtt_version: MqttVersionArg,

    /// Loop forwarded multicast back to this host, so that a TAK client on
    /// the bridge's own host sees the server's events (the bridge still
    /// drops what its own sockets sent).
    #[arg(long, env = "MCAST_MULTICAST_LOOP")]
    pub multicast_loop: bool,

    /// Print statistics at this interval (and always on exit).
    #[arg(
        long,
        value_name = "DURATION",
        allow_hyphen_values = true,
        env = "MCAST_STATS"
    )]
    pub stats: Option<DurationArg>,

    /// Statistics format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatsFormat::Text, env = "MCAST_STATS_FORMAT")]
    pub format: StatsFormat,

    /// Receive buffer per input socket.
    #[arg(long, value_name = "BYTES", default_value = "4M")]
    pub rcvbuf: BufSize,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub tls: TlsArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ifaces: IfaceArgs,
}

/// `--tak-proto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TakProtoArg {
    /// XML, upgraded to Protocol v1 when the server offers it.
    Auto,
    /// XML only.
    #[value(name = "0")]
    Xml,
    /// Protocol v1 from the start.
    #[value(name = "1")]
    V1,
}

/// `--mqtt-version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MqttVersionArg {
    /// MQTT 5, falling back to 3.1.1.
    Auto,
    /// MQTT 5 only.
    #[value(name = "5")]
    V5,
    /// MQTT 3.1.1 only.
    #[value(name = "3.1.1")]
    V311,
}

/// Credentials and checks for `tls:` links.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "TLS (tls: links)")]
pub struct TlsArgs {
    /// Client certificate and key in PKCS#12, as TAK data packages ship
    /// them; its CA certificates are trusted unless --ca is given.
    #[arg(long, value_name = "FILE", env = "MCAST_P12")]
    pub p12: Option<PathBuf>,

    /// Password of the --p12 file (and of a .p12 --ca); TAK's default is
    /// atakatak.
    #[arg(
        long,
        value_name = "PASS",
        env = "MCAST_P12_PASSWORD",
        hide_env_values = true
    )]
    pub p12_password: Option<String>,

    /// Client certificate chain (PEM), with --key.
    #[arg(long, value_name = "FILE", env = "MCAST_TLS_CERT")]
    pub cert: Option<PathBuf>,

    /// Private key of --cert (PEM).
    #[arg(long, value_name = "FILE", env = "MCAST_TLS_KEY")]
    pub key: Option<PathBuf>,

    /// CA certificates that sign the server's certificate (PEM, or a
    /// truststore .p12).
    #[arg(long, value_name = "FILE", env = "MCAST_TLS_CA")]
    pub ca: Option<PathBuf>,

    /// Verify the server certificate against this name instead of the
    /// link's host.
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,

    /// Accept a server certificate that does not carry the server's name or
    /// address (its chain and dates are still verified).
    #[arg(long)]
    pub tls_no_name_check: bool,
}

/// Kinds of CoT event that `cot-gen` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CotKind {
    /// Position report (situational awareness), `a-f-G-U-C` by default.
    Sa,
    /// Map marker, `b-m-p-s-m` (spot) by default.
    Marker,
    /// GeoChat message (`b-t-f`), to 224.10.10.1:17012 by default.
    Chat,
    /// Delete order for another uid (`t-x-d-d`).
    Delete,
    /// Ping (`t-x-c-t`).
    Ping,
}

/// How generated units move between ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CotMove {
    /// Stay put.
    Still,
    /// Random walk at --speed.
    Walk,
    /// Circle of --radius metres around the start point.
    Circle,
    /// Straight line along --course.
    Line,
}

/// Encodings of CoT events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CotFormat {
    /// XML events, one per line.
    Xml,
    /// TAK Protocol v1 mesh datagrams (BF 01 BF + protobuf); hex lines on
    /// stdout unless --raw.
    Tak,
}

/// Arguments of `mcast cot-gen`.
#[derive(Debug, Args)]
pub struct CotGenArgs {
    /// Kind of event.
    #[arg(long, value_enum, default_value_t = CotKind::Sa)]
    pub kind: CotKind,

    /// Event uid (with -N appended per unit when --units > 1); default
    /// mcast-<hex from --seed>-N.
    #[arg(long, value_name = "UID")]
    pub uid: Option<String>,

    /// Callsign (with -N appended per unit when --units > 1).
    #[arg(long, value_name = "NAME", default_value = "MCAST")]
    pub callsign: String,

    /// CoT type, e.g. a-f-G-U-C (friendly ground unit), a-h-A (hostile air).
    #[arg(long = "type", value_name = "TYPE")]
    pub type_: Option<String>,

    /// How the position was obtained (m-g: machine GPS, h-e: human entered).
    #[arg(long, value_name = "HOW", default_value = "m-g")]
    pub how: String,

    /// Latitude in degrees (-90..90).
    #[arg(
        long,
        value_name = "DEG",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub lat: f64,

    /// Longitude in degrees (-180..180).
    #[arg(
        long,
        value_name = "DEG",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub lon: f64,

    /// Height above the WGS84 ellipsoid in metres (default unknown: 9999999.0).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub hae: Option<f64>,

    /// Circular error in metres (default unknown: 9999999.0).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub ce: Option<f64>,

    /// Linear error in metres (default unknown: 9999999.0).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub le: Option<f64>,

    /// Time until the event is stale.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "2m",
        allow_hyphen_values = true
    )]
    pub stale: DurationArg,

    /// Free text in <remarks>.
    #[arg(long, value_name = "TEXT")]
    pub remarks: Option<String>,

    /// Team (__group name), e.g. Cyan.
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,

    /// Team role (__group role), e.g. "Team Member".
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,

    /// Contact endpoint announced in SA events (default *:-1:stcp).
    #[arg(long, value_name = "ENDPOINT")]
    pub contact_endpoint: Option<String>,

    /// Chat message text.
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,

    /// Chat room.
    #[arg(long, value_name = "ROOM", default_value = "All Chat Rooms")]
    pub room: String,

    /// Uid that a delete event removes (required with --kind delete).
    #[arg(long, value_name = "UID")]
    pub target_uid: Option<String>,

    /// Number of events (default: one per unit, or unlimited with
    /// --interval/--rate).
    #[arg(long, short = 'c', value_name = "N", allow_hyphen_values = true)]
    pub count: Option<Count>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub pace: PaceArgs,

    /// Number of distinct units (uids and callsigns).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub units: u32,

    /// Movement between ticks.
    #[arg(long = "move", value_enum, default_value_t = CotMove::Still)]
    pub movement: CotMove,

    /// Speed in m/s.
    #[arg(
        long,
        value_name = "M/S",
        default_value_t = 1.5,
        allow_negative_numbers = true
    )]
    pub speed: f64,

    /// Initial course in degrees from true north.
    #[arg(
        long,
        value_name = "DEG",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub course: f64,

    /// Radius in metres for --move circle.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 100.0,
        allow_negative_numbers = true
    )]
    pub radius: f64,

    /// Seed for uids, random walks and chat message ids (same seed, same
    /// output). Without it uids and walks use seed 0 and every chat
    /// message gets a fresh id.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Time of the first event (RFC 3339, e.g. 2026-01-01T00:00:00Z); later
    /// events follow at the tick interval. Default: now.
    #[arg(long, value_name = "TIME")]
    pub time: Option<CotTime>,

    /// Encoding.
    #[arg(long, short = 'f', value_enum, default_value_t = CotFormat::Xml)]
    pub format: CotFormat,

    /// Start each XML event with `<?xml version="1.0" encoding="UTF-8"
    /// standalone="yes"?>`, as ATAK does (some takproto-based receivers
    /// only recognise XML that starts with `<?xml`).
    #[arg(long)]
    pub xml_declaration: bool,

    /// With --format tak on stdout: write the datagram bytes instead of hex lines.
    #[arg(long)]
    pub raw: bool,

    /// Send the events instead of printing them: to ENDPOINT, or by default
    /// 239.2.3.1:6969 (SA) / 224.10.10.1:17012 (chat).
    #[arg(long, value_name = "ENDPOINT", num_args = 0..=1, require_equals = false)]
    pub send: Option<Option<Endpoint>>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ttl: TtlArg,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub ifaces: IfaceArgs,
}

/// A point in time for `cot-gen --time` (RFC 3339), as ms since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CotTime(pub i64);

impl std::str::FromStr for CotTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        crate::cot::parse_time(s).map(CotTime).ok_or_else(|| {
            format!("{s:?} is not an RFC 3339 time: expected e.g. 2026-01-01T00:00:00Z")
        })
    }
}

/// Arguments of the hidden `mcast generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory that receives `completions/` and `man/`.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

/// A buffer size in bytes: `212992`, `4M`, `512k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufSize(pub usize);

impl std::str::FromStr for BufSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let (num, mult) = match t.strip_suffix(['k', 'K']) {
            Some(n) => (n, 1usize << 10),
            None => match t.strip_suffix('M') {
                Some(n) => (n, 1 << 20),
                None => (t, 1),
            },
        };
        match num.parse::<usize>().ok().and_then(|n| n.checked_mul(mult)) {
            Some(n) if n > 0 && n <= 1 << 30 => Ok(BufSize(n)),
            _ => Err(format!("{s:?} is not a buffer size; expected bytes such as 212992, 512k or 4M (at most 1G)")),
        }
    }
}

impl std::fmt::Display for BufSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
