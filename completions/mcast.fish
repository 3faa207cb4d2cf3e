# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mcast_global_optspecs
    string join \n v/verbose q/quiet color= h/help V/version
end

function __fish_mcast_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mcast_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mcast_using_subcommand
    set -l cmd (__fish_mcast_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mcast -n "__fish_mcast_needs_command" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_needs_command" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_needs_command" -s V -l version -d 'Print version'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "send" -d 'Send datagrams to a group (or a unicast host)'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "listen" -d 'Join groups and print what arrives'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "join" -d 'Hold group memberships (IGMP/MLD reports) until Ctrl-C or --duration'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "ifaces" -d 'List interfaces with their flags, addresses and groups'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "bridge" -d 'Relay datagrams between groups, interfaces, unicast UDP and TAK servers, without loops'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "cot-gen" -d 'Generate Cursor-on-Target (CoT) test events for TAK clients and servers'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "replay" -d 'Send the UDP datagrams of a pcap/pcapng capture again, with their timing'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "doctor" -d 'Find why multicast does not arrive, and print the fix'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "watch" -d 'Watch groups live, full screen: rates, loss and TAK units per sender'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "generate" -d 'Write shell completions and man pages (for packagers)'
complete -c mcast -n "__fish_mcast_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcast -n "__fish_mcast_using_subcommand send" -l file -d 'Send the contents of a file as one datagram' -r -F
complete -c mcast -n "__fish_mcast_using_subcommand send" -l hex -d 'Send these bytes, given as hex (spaces and colons allowed)' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l size -d 'Send generated payloads of this many bytes' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l split -d 'How to split standard input into datagrams' -r -f -a "line\t'One datagram per line, the newline removed'
none\t'All of stdin as a single datagram'
nul\t'One datagram per NUL-terminated record'"
complete -c mcast -n "__fish_mcast_using_subcommand send" -s c -l count -d 'Number of datagrams (default: 1, or unlimited with --rate/--interval; for stdin, at most this many)' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l interval -d 'Time between datagrams (cot-gen: between ticks of one event per unit)' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l rate -d 'Datagrams (cot-gen: events) per second, evenly paced' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l ttl -d 'Multicast TTL / hop limit (1 stays on the local link)' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l bind -d 'Source address and port to send from, e.g. 10.77.0.1:5000 or [::]:5000' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l tos -d 'IP TOS / IPv6 traffic class byte (e.g. 0xb8 for DSCP EF)' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l wait-replies -d 'After sending, wait this long for unicast replies and print them with round-trip times (pair with `listen --reply`)' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -s i -l iface -d 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable' -r
complete -c mcast -n "__fish_mcast_using_subcommand send" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand send" -l loop -d 'Loop multicast back to listeners on this host (the default)'
complete -c mcast -n "__fish_mcast_using_subcommand send" -l no-loop -d 'Do not loop multicast back to this host'
complete -c mcast -n "__fish_mcast_using_subcommand send" -l seq -d 'Prefix each datagram with a 20-byte header (magic "MCS1", sequence number, send time) that `listen` turns into loss, duplicate, reordering and latency statistics'
complete -c mcast -n "__fish_mcast_using_subcommand send" -l no-gso -d 'Never use UDP segmentation offload (GSO); always sendmmsg'
complete -c mcast -n "__fish_mcast_using_subcommand send" -l broadcast -d 'Allow sending to a broadcast address (SO_BROADCAST, like socat\'s `broadcast` option), e.g. 10.77.0.255:5000 or 255.255.255.255:5000'
complete -c mcast -n "__fish_mcast_using_subcommand send" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand send" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand listen" -s s -l source -d 'Source-specific multicast: accept only these sources (repeatable)' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -s f -l format -d 'Output format' -r -f -a "text\t'A header line per datagram and the payload, non-printable bytes escaped'
hex\t'A header line and a `hexdump -C` style dump'
json\t'One JSON object per line, then a summary object'
raw\t'Payload bytes only, nothing else (for pipes)'
count\t'Nothing per datagram: count only, then print the summary'
cot\t'One readable line per Cursor-on-Target event (XML or TAK Protocol v1)'"
complete -c mcast -n "__fish_mcast_using_subcommand listen" -s c -l count -d 'Stop after N datagrams (exit 0 when they arrived)' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -s t -l timeout -d 'Stop after this long (exit 1 unless --count datagrams, or with no --count at least one, arrived)' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l reply -d 'Answer each datagram with this text, unicast to its sender' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l rcvbuf -d 'Receive buffer to ask the kernel for (read back; a warning when clamped)' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l stats -d 'Every DURATION, one line per sender with what arrived in that interval (datagrams, rate, loss, duplicates, reordering, latency, TTL, interface) and kernel drops per group, on stderr; with `--format json`, `{"interval": ...}` records on stdout instead' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l pcap -d 'Also write every datagram to this capture file for Wireshark, tshark, tcpdump -r and tcpreplay (`-` for standard output, which then carries only the capture: `| wireshark -k -i -`)' -r -F
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l pcap-format -d 'Capture layout: pcapng (Ethernet frames, one interface block per arrival interface) or pcap (classic, Linux cooked v2 headers that keep the interface index; tcpreplay cannot read it)' -r -f -a "pcapng\t'pcapng with synthesized Ethernet headers'
pcap\t'Classic pcap (nanosecond) with Linux cooked v2 headers'"
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l pcap-rotate -d 'Start a new capture file after this size (100MB, 1GB) or time (10m, 1h); files are FILE-0001.EXT, FILE-0002.EXT...' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l pcap-keep -d 'With --pcap-rotate: keep only the newest N files' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -s i -l iface -d 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable' -r
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l force -d 'Write raw payloads even to a terminal'
complete -c mcast -n "__fish_mcast_using_subcommand listen" -l cot-strict -d 'With --format cot or json: also report what a strict receiver (ATAK) would reject in each event, and why'
complete -c mcast -n "__fish_mcast_using_subcommand listen" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand listen" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand join" -s s -l source -d 'Source-specific join: only these sources (repeatable)' -r
complete -c mcast -n "__fish_mcast_using_subcommand join" -s d -l duration -d 'Leave and exit after this long (default: until Ctrl-C or SIGTERM)' -r
complete -c mcast -n "__fish_mcast_using_subcommand join" -s i -l iface -d 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable' -r
complete -c mcast -n "__fish_mcast_using_subcommand join" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand join" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand join" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand join" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand ifaces" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand ifaces" -s a -l all -d 'Show every interface, not only multicast-capable ones'
complete -c mcast -n "__fish_mcast_using_subcommand ifaces" -s g -l groups -d 'Show the multicast groups joined on each interface'
complete -c mcast -n "__fish_mcast_using_subcommand ifaces" -l json -d 'Print a JSON array instead of a table'
complete -c mcast -n "__fish_mcast_using_subcommand ifaces" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand ifaces" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand ifaces" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l tak -d 'A TAK LAN on this interface as the input: SA (239.2.3.1:6969) and GeoChat (224.10.10.1:17012) in one bridge, sharing one loop and duplicate state; every positional link is then a TO. From a TAK server, chat goes to the chat group and the rest to the SA group' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l also-from -d 'Another input (repeatable), bridged to the same outputs' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l ttl -d 'Multicast TTL / hop limit (1 stays on the local link)' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l dedup-window -d 'Drop a datagram identical to one forwarded within this window' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l max-rate -d 'At most this many datagrams per second from each input (token bucket)' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l allow-from -d 'Accept datagrams only from these sources (repeatable), e.g. 10.77.0.0/24 or fd77::/64' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l cot-type -d 'Forward only CoT events whose type matches (repeatable), e.g. a-f-*; a pattern starting with ! excludes, e.g. \'!b-t-f\' (implies --cot-only)' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l tak-proto -d 'TAK protocol on tcp:/tls: links: auto (XML until the server offers Protocol v1, then switch, as TAK clients do), 0 (XML only) or 1 (Protocol v1 stream framing from the start)' -r -f -a "auto\t'XML, upgraded to Protocol v1 when the server offers it'
0\t'XML only'
1\t'Protocol v1 from the start'"
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l queue -d 'Events kept for a disconnected tcp: peer (the oldest are dropped)' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l liveness -d 'Liveness of tcp:/tls: links: a silent connection gets a t-x-c-t ping every half of this, and one whose data the server does not acknowledge within it is reconnected (TCP keepalive and TCP_USER_TIMEOUT)' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l tak-uid -d 'Uid the bridge\'s pings announce to TAK servers (a server sees the bridge as one client)' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l mqtt-qos -d 'QoS of MQTT publications and subscriptions: 0 (at most once, like UDP) or 1 (at least once; the broker acknowledges each message)' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l mqtt-client-id -d 'MQTT client id (unique per broker: a broker disconnects an older client with the same id); default: mcast- and 16 random hex digits' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l mqtt-version -d 'MQTT version: auto (5, falling back to 3.1.1 for a broker without it), 5 or 3.1.1' -r -f -a "auto\t'MQTT 5, falling back to 3.1.1'
5\t'MQTT 5 only'
3.1.1\t'MQTT 3.1.1 only'"
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l stats -d 'Print statistics at this interval (and always on exit)' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -s f -l format -d 'Statistics format' -r -f -a "text\t'Human-readable lines on stderr'
json\t'JSON objects, one per line, on stdout'"
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l rcvbuf -d 'Receive buffer per input socket' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l p12 -d 'Client certificate and key in PKCS#12, as TAK data packages ship them; its CA certificates are trusted unless --ca is given' -r -F
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l p12-password -d 'Password of the --p12 file (and of a .p12 --ca); TAK\'s default is atakatak' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l cert -d 'Client certificate chain (PEM), with --key' -r -F
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l key -d 'Private key of --cert (PEM)' -r -F
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l ca -d 'CA certificates that sign the server\'s certificate (PEM, or a truststore .p12)' -r -F
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l tls-server-name -d 'Verify the server certificate against this name instead of the link\'s host' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -s i -l iface -d 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable' -r
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -s b -l both-ways -d 'Also relay from every TO back to FROM'
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l decrement-ttl -d 'Behave like a router: send with min(--ttl, arrival TTL - 1) and drop what arrives with TTL 1 or less'
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l cot-only -d 'Forward only Cursor-on-Target events (XML or TAK Protocol v1)'
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l multicast-loop -d 'Loop forwarded multicast back to this host, so that a TAK client on the bridge\'s own host sees the server\'s events (the bridge still drops what its own sockets sent)'
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -l tls-no-name-check -d 'Accept a server certificate that does not carry the server\'s name or address (its chain and dates are still verified)'
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand bridge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l kind -d 'Kind of event' -r -f -a "sa\t'Position report (situational awareness), `a-f-G-U-C` by default'
marker\t'Map marker, `b-m-p-s-m` (spot) by default'
chat\t'GeoChat message (`b-t-f`), to 224.10.10.1:17012 by default'
delete\t'Delete order for another uid (`t-x-d-d`)'
ping\t'Ping (`t-x-c-t`)'"
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l uid -d 'Event uid (with -N appended per unit when --units > 1); default mcast-<hex from --seed>-N' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l callsign -d 'Callsign (with -N appended per unit when --units > 1)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l type -d 'CoT type, e.g. a-f-G-U-C (friendly ground unit), a-h-A (hostile air)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l how -d 'How the position was obtained (m-g: machine GPS, h-e: human entered)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l lat -d 'Latitude in degrees (-90..90)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l lon -d 'Longitude in degrees (-180..180)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l hae -d 'Height above the WGS84 ellipsoid in metres (default unknown: 9999999.0)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l ce -d 'Circular error in metres (default unknown: 9999999.0)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l le -d 'Linear error in metres (default unknown: 9999999.0)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l stale -d 'Time until the event is stale' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l remarks -d 'Free text in <remarks>' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l group -d 'Team (__group name), e.g. Cyan' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l role -d 'Team role (__group role), e.g. "Team Member"' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l contact-endpoint -d 'Contact endpoint announced in SA events (default *:-1:stcp)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l message -d 'Chat message text' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l room -d 'Chat room' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l target-uid -d 'Uid that a delete event removes (required with --kind delete)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -s c -l count -d 'Number of events (default: one per unit, or unlimited with --interval/--rate)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l interval -d 'Time between datagrams (cot-gen: between ticks of one event per unit)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l rate -d 'Datagrams (cot-gen: events) per second, evenly paced' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l units -d 'Number of distinct units (uids and callsigns)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l move -d 'Movement between ticks' -r -f -a "still\t'Stay put'
walk\t'Random walk at --speed'
circle\t'Circle of --radius metres around the start point'
line\t'Straight line along --course'"
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l speed -d 'Speed in m/s' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l course -d 'Initial course in degrees from true north' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l radius -d 'Radius in metres for --move circle' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l seed -d 'Seed for uids, random walks and chat message ids (same seed, same output). Without it uids and walks use seed 0 and every chat message gets a fresh id' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l time -d 'Time of the first event (RFC 3339, e.g. 2026-01-01T00:00:00Z); later events follow at the tick interval. Default: now' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -s f -l format -d 'Encoding' -r -f -a "xml\t'XML events, one per line'
tak\t'TAK Protocol v1 mesh datagrams (BF 01 BF + protobuf); hex lines on stdout unless --raw'"
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l send -d 'Send the events instead of printing them: to ENDPOINT, or by default 239.2.3.1:6969 (SA) / 224.10.10.1:17012 (chat)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l ttl -d 'Multicast TTL / hop limit (1 stays on the local link)' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -s i -l iface -d 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable' -r
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l xml-declaration -d 'Start each XML event with `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, as ATAK does (some takproto-based receivers only recognise XML that starts with `<?xml`)'
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -l raw -d 'With --format tak on stdout: write the datagram bytes instead of hex lines'
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand cot-gen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l map -d 'Send one captured flow elsewhere: FROM=TO, e.g. 239.1.1.1:5000=239.9.9.9:6000@eth1 (repeatable; wins over ENDPOINT)' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l group -d 'Only datagrams to this group or address (repeatable)' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l port -d 'Only datagrams to this port (repeatable)' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -s s -l source -d 'Only datagrams from this source address (repeatable)' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l from-iface -d 'Only datagrams captured on this interface (the pcapng interface name, or `ifindex N` for Linux cooked v2; repeatable)' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l speed -d 'Play faster (10) or slower (0.5) than captured' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -s r -l rate -d 'Ignore the captured timing: this many datagrams per second' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l loop -d 'Play the capture N times (0: until Ctrl-C)' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l start -d 'Start this far into the capture (from its first selected datagram)' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l end -d 'Stop this far into the capture' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l ttl -d 'TTL / hop limit for every datagram (default: the one captured, at least 1)' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -s i -l iface -d 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable' -r
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l flat-out -d 'Ignore the captured timing: as fast as possible'
complete -c mcast -n "__fish_mcast_using_subcommand replay" -l cot-retime -d 'Make CoT events fresh: each event\'s time becomes the moment it is sent, start and stale keep their offsets (XML and TAK v1)'
complete -c mcast -n "__fish_mcast_using_subcommand replay" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand replay" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -s s -l source -d 'The sender\'s address: enables the exact reverse-path check and the TTL check when nothing arrives' -r
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -s d -l duration -d 'How long to listen, and with --peer to probe (default 5 s); with --respond, how long to answer (default: until Ctrl-C)' -r
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -l query-interval -d 'The IGMP/MLD query interval of this network: a missing querier is reported only after listening this long' -r
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -s f -l format -d 'Output format' -r -f -a "text\t'One line per check, then the verdict and its fix'
json\t'JSON Lines: one object per check, then one verdict object'"
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -l peer -d 'Two-ended mode, receiving side: ask `mcast doctor --respond` at this address for unicast and multicast probes (TTL 1..--max-ttl), then send probes back to it' -r
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -l respond -d 'Two-ended mode, sending side: answer `--peer` requests on this UDP port (default 4330) until Ctrl-C or --duration' -r
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -l max-ttl -d 'Highest TTL of the probe ladder (with --peer; a responder caps what it is asked for at its own --max-ttl)' -r
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -s i -l iface -d 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable' -r
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand watch" -s s -l source -d 'Source-specific: accept only these senders (repeatable)' -r
complete -c mcast -n "__fish_mcast_using_subcommand watch" -l stats -d 'Interval of the rates and of one strip cell' -r
complete -c mcast -n "__fish_mcast_using_subcommand watch" -s t -l timeout -d 'Stop after this long' -r
complete -c mcast -n "__fish_mcast_using_subcommand watch" -l rcvbuf -d 'Receive buffer to ask the kernel for' -r
complete -c mcast -n "__fish_mcast_using_subcommand watch" -s i -l iface -d 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable' -r
complete -c mcast -n "__fish_mcast_using_subcommand watch" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand watch" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand watch" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand generate" -l color -d 'When to use colour: auto (a terminal without NO_COLOR), always or never' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c mcast -n "__fish_mcast_using_subcommand generate" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcast -n "__fish_mcast_using_subcommand generate" -s q -l quiet -d 'Print nothing on stderr but errors (no summaries or warnings)'
complete -c mcast -n "__fish_mcast_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "send" -d 'Send datagrams to a group (or a unicast host)'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "listen" -d 'Join groups and print what arrives'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "join" -d 'Hold group memberships (IGMP/MLD reports) until Ctrl-C or --duration'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "ifaces" -d 'List interfaces with their flags, addresses and groups'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "bridge" -d 'Relay datagrams between groups, interfaces, unicast UDP and TAK servers, without loops'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "cot-gen" -d 'Generate Cursor-on-Target (CoT) test events for TAK clients and servers'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "replay" -d 'Send the UDP datagrams of a pcap/pcapng capture again, with their timing'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "doctor" -d 'Find why multicast does not arrive, and print the fix'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "watch" -d 'Watch groups live, full screen: rates, loss and TAK units per sender'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "generate" -d 'Write shell completions and man pages (for packagers)'
complete -c mcast -n "__fish_mcast_using_subcommand help; and not __fish_seen_subcommand_from send listen join ifaces bridge cot-gen replay doctor watch generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
