
use builtin;
use str;

set edit:completion:arg-completer[mcast] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mcast'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mcast'= {
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand send 'Send datagrams to a group (or a unicast host)'
            cand listen 'Join groups and print what arrives'
            cand join 'Hold group memberships (IGMP/MLD reports) until Ctrl-C or --duration'
            cand ifaces 'List interfaces with their flags, addresses and groups'
            cand bridge 'Relay datagrams between groups, interfaces, unicast UDP and TAK servers, without loops'
            cand cot-gen 'Generate Cursor-on-Target (CoT) test events for TAK clients and servers'
            cand replay 'Send the UDP datagrams of a pcap/pcapng capture again, with their timing'
            cand doctor 'Find why multicast does not arrive, and print the fix'
            cand watch 'Watch groups live, full screen: rates, loss and TAK units per sender'
            cand generate 'Write shell completions and man pages (for packagers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcast;send'= {
            cand --file 'Send the contents of a file as one datagram'
            cand --hex 'Send these bytes, given as hex (spaces and colons allowed)'
            cand --size 'Send generated payloads of this many bytes'
            cand --split 'How to split standard input into datagrams'
            cand -c 'Number of datagrams (default: 1, or unlimited with --rate/--interval; for stdin, at most this many)'
            cand --count 'Number of datagrams (default: 1, or unlimited with --rate/--interval; for stdin, at most this many)'
            cand --interval 'Time between datagrams (cot-gen: between ticks of one event per unit)'
            cand --rate 'Datagrams (cot-gen: events) per second, evenly paced'
            cand --ttl 'Multicast TTL / hop limit (1 stays on the local link)'
            cand --bind 'Source address and port to send from, e.g. 10.77.0.1:5000 or [::]:5000'
            cand --tos 'IP TOS / IPv6 traffic class byte (e.g. 0xb8 for DSCP EF)'
            cand --wait-replies 'After sending, wait this long for unicast replies and print them with round-trip times (pair with `listen --reply`)'
            cand -i 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --iface 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand --loop 'Loop multicast back to listeners on this host (the default)'
            cand --no-loop 'Do not loop multicast back to this host'
            cand --seq 'Prefix each datagram with a 20-byte header (magic "MCS1", sequence number, send time) that `listen` turns into loss, duplicate, reordering and latency statistics'
            cand --no-gso 'Never use UDP segmentation offload (GSO); always sendmmsg'
            cand --broadcast 'Allow sending to a broadcast address (SO_BROADCAST, like socat''s `broadcast` option), e.g. 10.77.0.255:5000 or 255.255.255.255:5000'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;listen'= {
            cand -s 'Source-specific multicast: accept only these sources (repeatable)'
            cand --source 'Source-specific multicast: accept only these sources (repeatable)'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -c 'Stop after N datagrams (exit 0 when they arrived)'
            cand --count 'Stop after N datagrams (exit 0 when they arrived)'
            cand -t 'Stop after this long (exit 1 unless --count datagrams, or with no --count at least one, arrived)'
            cand --timeout 'Stop after this long (exit 1 unless --count datagrams, or with no --count at least one, arrived)'
            cand --reply 'Answer each datagram with this text, unicast to its sender'
            cand --rcvbuf 'Receive buffer to ask the kernel for (read back; a warning when clamped)'
            cand --stats 'Every DURATION, one line per sender with what arrived in that interval (datagrams, rate, loss, duplicates, reordering, latency, TTL, interface) and kernel drops per group, on stderr; with `--format json`, `{"interval": ...}` records on stdout instead'
            cand --pcap 'Also write every datagram to this capture file for Wireshark, tshark, tcpdump -r and tcpreplay (`-` for standard output, which then carries only the capture: `| wireshark -k -i -`)'
            cand --pcap-format 'Capture layout: pcapng (Ethernet frames, one interface block per arrival interface) or pcap (classic, Linux cooked v2 headers that keep the interface index; tcpreplay cannot read it)'
            cand --pcap-rotate 'Start a new capture file after this size (100MB, 1GB) or time (10m, 1h); files are FILE-0001.EXT, FILE-0002.EXT...'
            cand --pcap-keep 'With --pcap-rotate: keep only the newest N files'
            cand -i 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --iface 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand --force 'Write raw payloads even to a terminal'
            cand --cot-strict 'With --format cot or json: also report what a strict receiver (ATAK) would reject in each event, and why'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;join'= {
            cand -s 'Source-specific join: only these sources (repeatable)'
            cand --source 'Source-specific join: only these sources (repeatable)'
            cand -d 'Leave and exit after this long (default: until Ctrl-C or SIGTERM)'
            cand --duration 'Leave and exit after this long (default: until Ctrl-C or SIGTERM)'
            cand -i 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --iface 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;ifaces'= {
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand -a 'Show every interface, not only multicast-capable ones'
            cand --all 'Show every interface, not only multicast-capable ones'
            cand -g 'Show the multicast groups joined on each interface'
            cand --groups 'Show the multicast groups joined on each interface'
            cand --json 'Print a JSON array instead of a table'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;bridge'= {
            cand --tak 'A TAK LAN on this interface as the input: SA (239.2.3.1:6969) and GeoChat (224.10.10.1:17012) in one bridge, sharing one loop and duplicate state; every positional link is then a TO. From a TAK server, chat goes to the chat group and the rest to the SA group'
            cand --also-from 'Another input (repeatable), bridged to the same outputs'
            cand --ttl 'Multicast TTL / hop limit (1 stays on the local link)'
            cand --dedup-window 'Drop a datagram identical to one forwarded within this window'
            cand --max-rate 'At most this many datagrams per second from each input (token bucket)'
            cand --allow-from 'Accept datagrams only from these sources (repeatable), e.g. 10.77.0.0/24 or fd77::/64'
            cand --cot-type 'Forward only CoT events whose type matches (repeatable), e.g. a-f-*; a pattern starting with ! excludes, e.g. ''!b-t-f'' (implies --cot-only)'
            cand --tak-proto 'TAK protocol on tcp:/tls: links: auto (XML until the server offers Protocol v1, then switch, as TAK clients do), 0 (XML only) or 1 (Protocol v1 stream framing from the start)'
            cand --queue 'Events kept for a disconnected tcp: peer (the oldest are dropped)'
            cand --liveness 'Liveness of tcp:/tls: links: a silent connection gets a t-x-c-t ping every half of this, and one whose data the server does not acknowledge within it is reconnected (TCP keepalive and TCP_USER_TIMEOUT)'
            cand --tak-uid 'Uid the bridge''s pings announce to TAK servers (a server sees the bridge as one client)'
            cand --mqtt-qos 'QoS of MQTT publications and subscriptions: 0 (at most once, like UDP) or 1 (at least once; the broker acknowledges each message)'
            cand --mqtt-client-id 'MQTT client id (unique per broker: a broker disconnects an older client with the same id); default: mcast- and 16 random hex digits'
            cand --mqtt-version 'MQTT version: auto (5, falling back to 3.1.1 for a broker without it), 5 or 3.1.1'
            cand --stats 'Print statistics at this interval (and always on exit)'
            cand -f 'Statistics format'
            cand --format 'Statistics format'
            cand --rcvbuf 'Receive buffer per input socket'
            cand --p12 'Client certificate and key in PKCS#12, as TAK data packages ship them; its CA certificates are trusted unless --ca is given'
            cand --p12-password 'Password of the --p12 file (and of a .p12 --ca); TAK''s default is atakatak'
            cand --cert 'Client certificate chain (PEM), with --key'
            cand --key 'Private key of --cert (PEM)'
            cand --ca 'CA certificates that sign the server''s certificate (PEM, or a truststore .p12)'
            cand --tls-server-name 'Verify the server certificate against this name instead of the link''s host'
            cand -i 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --iface 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand -b 'Also relay from every TO back to FROM'
            cand --both-ways 'Also relay from every TO back to FROM'
            cand --decrement-ttl 'Behave like a router: send with min(--ttl, arrival TTL - 1) and drop what arrives with TTL 1 or less'
            cand --cot-only 'Forward only Cursor-on-Target events (XML or TAK Protocol v1)'
            cand --multicast-loop 'Loop forwarded multicast back to this host, so that a TAK client on the bridge''s own host sees the server''s events (the bridge still drops what its own sockets sent)'
            cand --tls-no-name-check 'Accept a server certificate that does not carry the server''s name or address (its chain and dates are still verified)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;cot-gen'= {
            cand --kind 'Kind of event'
            cand --uid 'Event uid (with -N appended per unit when --units > 1); default mcast-<hex from --seed>-N'
            cand --callsign 'Callsign (with -N appended per unit when --units > 1)'
            cand --type 'CoT type, e.g. a-f-G-U-C (friendly ground unit), a-h-A (hostile air)'
            cand --how 'How the position was obtained (m-g: machine GPS, h-e: human entered)'
            cand --lat 'Latitude in degrees (-90..90)'
            cand --lon 'Longitude in degrees (-180..180)'
            cand --hae 'Height above the WGS84 ellipsoid in metres (default unknown: 9999999.0)'
            cand --ce 'Circular error in metres (default unknown: 9999999.0)'
            cand --le 'Linear error in metres (default unknown: 9999999.0)'
            cand --stale 'Time until the event is stale'
            cand --remarks 'Free text in <remarks>'
            cand --group 'Team (__group name), e.g. Cyan'
            cand --role 'Team role (__group role), e.g. "Team Member"'
            cand --contact-endpoint 'Contact endpoint announced in SA events (default *:-1:stcp)'
            cand --message 'Chat message text'
            cand --room 'Chat room'
            cand --target-uid 'Uid that a delete event removes (required with --kind delete)'
            cand -c 'Number of events (default: one per unit, or unlimited with --interval/--rate)'
            cand --count 'Number of events (default: one per unit, or unlimited with --interval/--rate)'
            cand --interval 'Time between datagrams (cot-gen: between ticks of one event per unit)'
            cand --rate 'Datagrams (cot-gen: events) per second, evenly paced'
            cand --units 'Number of distinct units (uids and callsigns)'
            cand --move 'Movement between ticks'
            cand --speed 'Speed in m/s'
            cand --course 'Initial course in degrees from true north'
            cand --radius 'Radius in metres for --move circle'
            cand --seed 'Seed for uids, random walks and chat message ids (same seed, same output). Without it uids and walks use seed 0 and every chat message gets a fresh id'
            cand --time 'Time of the first event (RFC 3339, e.g. 2026-01-01T00:00:00Z); later events follow at the tick interval. Default: now'
            cand -f 'Encoding'
            cand --format 'Encoding'
            cand --send 'Send the events instead of printing them: to ENDPOINT, or by default 239.2.3.1:6969 (SA) / 224.10.10.1:17012 (chat)'
            cand --ttl 'Multicast TTL / hop limit (1 stays on the local link)'
            cand -i 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --iface 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand --xml-declaration 'Start each XML event with `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, as ATAK does (some takproto-based receivers only recognise XML that starts with `<?xml`)'
            cand --raw 'With --format tak on stdout: write the datagram bytes instead of hex lines'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;replay'= {
            cand --map 'Send one captured flow elsewhere: FROM=TO, e.g. 239.1.1.1:5000=239.9.9.9:6000@eth1 (repeatable; wins over ENDPOINT)'
            cand --group 'Only datagrams to this group or address (repeatable)'
            cand --port 'Only datagrams to this port (repeatable)'
            cand -s 'Only datagrams from this source address (repeatable)'
            cand --source 'Only datagrams from this source address (repeatable)'
            cand --from-iface 'Only datagrams captured on this interface (the pcapng interface name, or `ifindex N` for Linux cooked v2; repeatable)'
            cand --speed 'Play faster (10) or slower (0.5) than captured'
            cand -r 'Ignore the captured timing: this many datagrams per second'
            cand --rate 'Ignore the captured timing: this many datagrams per second'
            cand --loop 'Play the capture N times (0: until Ctrl-C)'
            cand --start 'Start this far into the capture (from its first selected datagram)'
            cand --end 'Stop this far into the capture'
            cand --ttl 'TTL / hop limit for every datagram (default: the one captured, at least 1)'
            cand -i 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --iface 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand --flat-out 'Ignore the captured timing: as fast as possible'
            cand --cot-retime 'Make CoT events fresh: each event''s time becomes the moment it is sent, start and stale keep their offsets (XML and TAK v1)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;doctor'= {
            cand -s 'The sender''s address: enables the exact reverse-path check and the TTL check when nothing arrives'
            cand --source 'The sender''s address: enables the exact reverse-path check and the TTL check when nothing arrives'
            cand -d 'How long to listen, and with --peer to probe (default 5 s); with --respond, how long to answer (default: until Ctrl-C)'
            cand --duration 'How long to listen, and with --peer to probe (default 5 s); with --respond, how long to answer (default: until Ctrl-C)'
            cand --query-interval 'The IGMP/MLD query interval of this network: a missing querier is reported only after listening this long'
            cand -f 'Output format'
            cand --format 'Output format'
            cand --peer 'Two-ended mode, receiving side: ask `mcast doctor --respond` at this address for unicast and multicast probes (TTL 1..--max-ttl), then send probes back to it'
            cand --respond 'Two-ended mode, sending side: answer `--peer` requests on this UDP port (default 4330) until Ctrl-C or --duration'
            cand --max-ttl 'Highest TTL of the probe ladder (with --peer; a responder caps what it is asked for at its own --max-ttl)'
            cand -i 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --iface 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;watch'= {
            cand -s 'Source-specific: accept only these senders (repeatable)'
            cand --source 'Source-specific: accept only these senders (repeatable)'
            cand --stats 'Interval of the rates and of one strip cell'
            cand -t 'Stop after this long'
            cand --timeout 'Stop after this long'
            cand --rcvbuf 'Receive buffer to ask the kernel for'
            cand -i 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --iface 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable'
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;generate'= {
            cand --color 'When to use colour: auto (a terminal without NO_COLOR), always or never'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Print nothing on stderr but errors (no summaries or warnings)'
            cand --quiet 'Print nothing on stderr but errors (no summaries or warnings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mcast;help'= {
            cand send 'Send datagrams to a group (or a unicast host)'
            cand listen 'Join groups and print what arrives'
            cand join 'Hold group memberships (IGMP/MLD reports) until Ctrl-C or --duration'
            cand ifaces 'List interfaces with their flags, addresses and groups'
            cand bridge 'Relay datagrams between groups, interfaces, unicast UDP and TAK servers, without loops'
            cand cot-gen 'Generate Cursor-on-Target (CoT) test events for TAK clients and servers'
            cand replay 'Send the UDP datagrams of a pcap/pcapng capture again, with their timing'
            cand doctor 'Find why multicast does not arrive, and print the fix'
            cand watch 'Watch groups live, full screen: rates, loss and TAK units per sender'
            cand generate 'Write shell completions and man pages (for packagers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcast;help;send'= {
        }
        &'mcast;help;listen'= {
        }
        &'mcast;help;join'= {
        }
        &'mcast;help;ifaces'= {
        }
        &'mcast;help;bridge'= {
        }
        &'mcast;help;cot-gen'= {
        }
        &'mcast;help;replay'= {
        }
        &'mcast;help;doctor'= {
        }
        &'mcast;help;watch'= {
        }
        &'mcast;help;generate'= {
        }
        &'mcast;help;help'= {
        }
    ]
    $completions[$command]
}
