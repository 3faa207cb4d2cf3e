
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mcast' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mcast'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mcast' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send datagrams to a group (or a unicast host)')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Join groups and print what arrives')
            [CompletionResult]::new('join', 'join', [CompletionResultType]::ParameterValue, 'Hold group memberships (IGMP/MLD reports) until Ctrl-C or --duration')
            [CompletionResult]::new('ifaces', 'ifaces', [CompletionResultType]::ParameterValue, 'List interfaces with their flags, addresses and groups')
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'Relay datagrams between groups, interfaces, unicast UDP and TAK servers, without loops')
            [CompletionResult]::new('cot-gen', 'cot-gen', [CompletionResultType]::ParameterValue, 'Generate Cursor-on-Target (CoT) test events for TAK clients and servers')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send the UDP datagrams of a pcap/pcapng capture again, with their timing')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find why multicast does not arrive, and print the fix')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Watch groups live, full screen: rates, loss and TAK units per sender')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcast;send' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send the contents of a file as one datagram')
            [CompletionResult]::new('--hex', '--hex', [CompletionResultType]::ParameterName, 'Send these bytes, given as hex (spaces and colons allowed)')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Send generated payloads of this many bytes')
            [CompletionResult]::new('--split', '--split', [CompletionResultType]::ParameterName, 'How to split standard input into datagrams')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Number of datagrams (default: 1, or unlimited with --rate/--interval; for stdin, at most this many)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Number of datagrams (default: 1, or unlimited with --rate/--interval; for stdin, at most this many)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between datagrams (cot-gen: between ticks of one event per unit)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Datagrams (cot-gen: events) per second, evenly paced')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Multicast TTL / hop limit (1 stays on the local link)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Source address and port to send from, e.g. 10.77.0.1:5000 or [::]:5000')
            [CompletionResult]::new('--tos', '--tos', [CompletionResultType]::ParameterName, 'IP TOS / IPv6 traffic class byte (e.g. 0xb8 for DSCP EF)')
            [CompletionResult]::new('--wait-replies', '--wait-replies', [CompletionResultType]::ParameterName, 'After sending, wait this long for unicast replies and print them with round-trip times (pair with `listen --reply`)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('--loop', '--loop', [CompletionResultType]::ParameterName, 'Loop multicast back to listeners on this host (the default)')
            [CompletionResult]::new('--no-loop', '--no-loop', [CompletionResultType]::ParameterName, 'Do not loop multicast back to this host')
            [CompletionResult]::new('--seq', '--seq', [CompletionResultType]::ParameterName, 'Prefix each datagram with a 20-byte header (magic "MCS1", sequence number, send time) that `listen` turns into loss, duplicate, reordering and latency statistics')
            [CompletionResult]::new('--no-gso', '--no-gso', [CompletionResultType]::ParameterName, 'Never use UDP segmentation offload (GSO); always sendmmsg')
            [CompletionResult]::new('--broadcast', '--broadcast', [CompletionResultType]::ParameterName, 'Allow sending to a broadcast address (SO_BROADCAST, like socat''s `broadcast` option), e.g. 10.77.0.255:5000 or 255.255.255.255:5000')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;listen' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Source-specific multicast: accept only these sources (repeatable)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Source-specific multicast: accept only these sources (repeatable)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after N datagrams (exit 0 when they arrived)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N datagrams (exit 0 when they arrived)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Stop after this long (exit 1 unless --count datagrams, or with no --count at least one, arrived)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long (exit 1 unless --count datagrams, or with no --count at least one, arrived)')
            [CompletionResult]::new('--reply', '--reply', [CompletionResultType]::ParameterName, 'Answer each datagram with this text, unicast to its sender')
            [CompletionResult]::new('--rcvbuf', '--rcvbuf', [CompletionResultType]::ParameterName, 'Receive buffer to ask the kernel for (read back; a warning when clamped)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Every DURATION, one line per sender with what arrived in that interval (datagrams, rate, loss, duplicates, reordering, latency, TTL, interface) and kernel drops per group, on stderr; with `--format json`, `{"interval": ...}` records on stdout instead')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Also write every datagram to this capture file for Wireshark, tshark, tcpdump -r and tcpreplay (`-` for standard output, which then carries only the capture: `| wireshark -k -i -`)')
            [CompletionResult]::new('--pcap-format', '--pcap-format', [CompletionResultType]::ParameterName, 'Capture layout: pcapng (Ethernet frames, one interface block per arrival interface) or pcap (classic, Linux cooked v2 headers that keep the interface index; tcpreplay cannot read it)')
            [CompletionResult]::new('--pcap-rotate', '--pcap-rotate', [CompletionResultType]::ParameterName, 'Start a new capture file after this size (100MB, 1GB) or time (10m, 1h); files are FILE-0001.EXT, FILE-0002.EXT...')
            [CompletionResult]::new('--pcap-keep', '--pcap-keep', [CompletionResultType]::ParameterName, 'With --pcap-rotate: keep only the newest N files')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write raw payloads even to a terminal')
            [CompletionResult]::new('--cot-strict', '--cot-strict', [CompletionResultType]::ParameterName, 'With --format cot or json: also report what a strict receiver (ATAK) would reject in each event, and why')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;join' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Source-specific join: only these sources (repeatable)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Source-specific join: only these sources (repeatable)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Leave and exit after this long (default: until Ctrl-C or SIGTERM)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Leave and exit after this long (default: until Ctrl-C or SIGTERM)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;ifaces' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Show every interface, not only multicast-capable ones')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show every interface, not only multicast-capable ones')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'Show the multicast groups joined on each interface')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Show the multicast groups joined on each interface')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array instead of a table')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;bridge' {
            [CompletionResult]::new('--tak', '--tak', [CompletionResultType]::ParameterName, 'A TAK LAN on this interface as the input: SA (239.2.3.1:6969) and GeoChat (224.10.10.1:17012) in one bridge, sharing one loop and duplicate state; every positional link is then a TO. From a TAK server, chat goes to the chat group and the rest to the SA group')
            [CompletionResult]::new('--also-from', '--also-from', [CompletionResultType]::ParameterName, 'Another input (repeatable), bridged to the same outputs')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Multicast TTL / hop limit (1 stays on the local link)')
            [CompletionResult]::new('--dedup-window', '--dedup-window', [CompletionResultType]::ParameterName, 'Drop a datagram identical to one forwarded within this window')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'At most this many datagrams per second from each input (token bucket)')
            [CompletionResult]::new('--allow-from', '--allow-from', [CompletionResultType]::ParameterName, 'Accept datagrams only from these sources (repeatable), e.g. 10.77.0.0/24 or fd77::/64')
            [CompletionResult]::new('--cot-type', '--cot-type', [CompletionResultType]::ParameterName, 'Forward only CoT events whose type matches (repeatable), e.g. a-f-*; a pattern starting with ! excludes, e.g. ''!b-t-f'' (implies --cot-only)')
            [CompletionResult]::new('--tak-proto', '--tak-proto', [CompletionResultType]::ParameterName, 'TAK protocol on tcp:/tls: links: auto (XML until the server offers Protocol v1, then switch, as TAK clients do), 0 (XML only) or 1 (Protocol v1 stream framing from the start)')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Events kept for a disconnected tcp: peer (the oldest are dropped)')
            [CompletionResult]::new('--liveness', '--liveness', [CompletionResultType]::ParameterName, 'Liveness of tcp:/tls: links: a silent connection gets a t-x-c-t ping every half of this, and one whose data the server does not acknowledge within it is reconnected (TCP keepalive and TCP_USER_TIMEOUT)')
            [CompletionResult]::new('--tak-uid', '--tak-uid', [CompletionResultType]::ParameterName, 'Uid the bridge''s pings announce to TAK servers (a server sees the bridge as one client)')
            [CompletionResult]::new('--mqtt-qos', '--mqtt-qos', [CompletionResultType]::ParameterName, 'QoS of MQTT publications and subscriptions: 0 (at most once, like UDP) or 1 (at least once; the broker acknowledges each message)')
            [CompletionResult]::new('--mqtt-client-id', '--mqtt-client-id', [CompletionResultType]::ParameterName, 'MQTT client id (unique per broker: a broker disconnects an older client with the same id); default: mcast- and 16 random hex digits')
            [CompletionResult]::new('--mqtt-version', '--mqtt-version', [CompletionResultType]::ParameterName, 'MQTT version: auto (5, falling back to 3.1.1 for a broker without it), 5 or 3.1.1')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print statistics at this interval (and always on exit)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Statistics format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Statistics format')
            [CompletionResult]::new('--rcvbuf', '--rcvbuf', [CompletionResultType]::ParameterName, 'Receive buffer per input socket')
            [CompletionResult]::new('--p12', '--p12', [CompletionResultType]::ParameterName, 'Client certificate and key in PKCS#12, as TAK data packages ship them; its CA certificates are trusted unless --ca is given')
            [CompletionResult]::new('--p12-password', '--p12-password', [CompletionResultType]::ParameterName, 'Password of the --p12 file (and of a .p12 --ca); TAK''s default is atakatak')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate chain (PEM), with --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key of --cert (PEM)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'CA certificates that sign the server''s certificate (PEM, or a truststore .p12)')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Verify the server certificate against this name instead of the link''s host')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Also relay from every TO back to FROM')
            [CompletionResult]::new('--both-ways', '--both-ways', [CompletionResultType]::ParameterName, 'Also relay from every TO back to FROM')
            [CompletionResult]::new('--decrement-ttl', '--decrement-ttl', [CompletionResultType]::ParameterName, 'Behave like a router: send with min(--ttl, arrival TTL - 1) and drop what arrives with TTL 1 or less')
            [CompletionResult]::new('--cot-only', '--cot-only', [CompletionResultType]::ParameterName, 'Forward only Cursor-on-Target events (XML or TAK Protocol v1)')
            [CompletionResult]::new('--multicast-loop', '--multicast-loop', [CompletionResultType]::ParameterName, 'Loop forwarded multicast back to this host, so that a TAK client on the bridge''s own host sees the server''s events (the bridge still drops what its own sockets sent)')
            [CompletionResult]::new('--tls-no-name-check', '--tls-no-name-check', [CompletionResultType]::ParameterName, 'Accept a server certificate that does not carry the server''s name or address (its chain and dates are still verified)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;cot-gen' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Kind of event')
            [CompletionResult]::new('--uid', '--uid', [CompletionResultType]::ParameterName, 'Event uid (with -N appended per unit when --units > 1); default mcast-<hex from --seed>-N')
            [CompletionResult]::new('--callsign', '--callsign', [CompletionResultType]::ParameterName, 'Callsign (with -N appended per unit when --units > 1)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'CoT type, e.g. a-f-G-U-C (friendly ground unit), a-h-A (hostile air)')
            [CompletionResult]::new('--how', '--how', [CompletionResultType]::ParameterName, 'How the position was obtained (m-g: machine GPS, h-e: human entered)')
            [CompletionResult]::new('--lat', '--lat', [CompletionResultType]::ParameterName, 'Latitude in degrees (-90..90)')
            [CompletionResult]::new('--lon', '--lon', [CompletionResultType]::ParameterName, 'Longitude in degrees (-180..180)')
            [CompletionResult]::new('--hae', '--hae', [CompletionResultType]::ParameterName, 'Height above the WGS84 ellipsoid in metres (default unknown: 9999999.0)')
            [CompletionResult]::new('--ce', '--ce', [CompletionResultType]::ParameterName, 'Circular error in metres (default unknown: 9999999.0)')
            [CompletionResult]::new('--le', '--le', [CompletionResultType]::ParameterName, 'Linear error in metres (default unknown: 9999999.0)')
            [CompletionResult]::new('--stale', '--stale', [CompletionResultType]::ParameterName, 'Time until the event is stale')
            [CompletionResult]::new('--remarks', '--remarks', [CompletionResultType]::ParameterName, 'Free text in <remarks>')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Team (__group name), e.g. Cyan')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Team role (__group role), e.g. "Team Member"')
            [CompletionResult]::new('--contact-endpoint', '--contact-endpoint', [CompletionResultType]::ParameterName, 'Contact endpoint announced in SA events (default *:-1:stcp)')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Chat message text')
            [CompletionResult]::new('--room', '--room', [CompletionResultType]::ParameterName, 'Chat room')
            [CompletionResult]::new('--target-uid', '--target-uid', [CompletionResultType]::ParameterName, 'Uid that a delete event removes (required with --kind delete)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Number of events (default: one per unit, or unlimited with --interval/--rate)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Number of events (default: one per unit, or unlimited with --interval/--rate)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between datagrams (cot-gen: between ticks of one event per unit)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Datagrams (cot-gen: events) per second, evenly paced')
            [CompletionResult]::new('--units', '--units', [CompletionResultType]::ParameterName, 'Number of distinct units (uids and callsigns)')
            [CompletionResult]::new('--move', '--move', [CompletionResultType]::ParameterName, 'Movement between ticks')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Speed in m/s')
            [CompletionResult]::new('--course', '--course', [CompletionResultType]::ParameterName, 'Initial course in degrees from true north')
            [CompletionResult]::new('--radius', '--radius', [CompletionResultType]::ParameterName, 'Radius in metres for --move circle')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for uids, random walks and chat message ids (same seed, same output). Without it uids and walks use seed 0 and every chat message gets a fresh id')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Time of the first event (RFC 3339, e.g. 2026-01-01T00:00:00Z); later events follow at the tick interval. Default: now')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Encoding')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Encoding')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'Send the events instead of printing them: to ENDPOINT, or by default 239.2.3.1:6969 (SA) / 224.10.10.1:17012 (chat)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Multicast TTL / hop limit (1 stays on the local link)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('--xml-declaration', '--xml-declaration', [CompletionResultType]::ParameterName, 'Start each XML event with `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, as ATAK does (some takproto-based receivers only recognise XML that starts with `<?xml`)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'With --format tak on stdout: write the datagram bytes instead of hex lines')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;replay' {
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Send one captured flow elsewhere: FROM=TO, e.g. 239.1.1.1:5000=239.9.9.9:6000@eth1 (repeatable; wins over ENDPOINT)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Only datagrams to this group or address (repeatable)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Only datagrams to this port (repeatable)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only datagrams from this source address (repeatable)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only datagrams from this source address (repeatable)')
            [CompletionResult]::new('--from-iface', '--from-iface', [CompletionResultType]::ParameterName, 'Only datagrams captured on this interface (the pcapng interface name, or `ifindex N` for Linux cooked v2; repeatable)')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Play faster (10) or slower (0.5) than captured')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Ignore the captured timing: this many datagrams per second')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Ignore the captured timing: this many datagrams per second')
            [CompletionResult]::new('--loop', '--loop', [CompletionResultType]::ParameterName, 'Play the capture N times (0: until Ctrl-C)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Start this far into the capture (from its first selected datagram)')
            [CompletionResult]::new('--end', '--end', [CompletionResultType]::ParameterName, 'Stop this far into the capture')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'TTL / hop limit for every datagram (default: the one captured, at least 1)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('--flat-out', '--flat-out', [CompletionResultType]::ParameterName, 'Ignore the captured timing: as fast as possible')
            [CompletionResult]::new('--cot-retime', '--cot-retime', [CompletionResultType]::ParameterName, 'Make CoT events fresh: each event''s time becomes the moment it is sent, start and stale keep their offsets (XML and TAK v1)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;doctor' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The sender''s address: enables the exact reverse-path check and the TTL check when nothing arrives')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'The sender''s address: enables the exact reverse-path check and the TTL check when nothing arrives')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'How long to listen, and with --peer to probe (default 5 s); with --respond, how long to answer (default: until Ctrl-C)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long to listen, and with --peer to probe (default 5 s); with --respond, how long to answer (default: until Ctrl-C)')
            [CompletionResult]::new('--query-interval', '--query-interval', [CompletionResultType]::ParameterName, 'The IGMP/MLD query interval of this network: a missing querier is reported only after listening this long')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--peer', '--peer', [CompletionResultType]::ParameterName, 'Two-ended mode, receiving side: ask `mcast doctor --respond` at this address for unicast and multicast probes (TTL 1..--max-ttl), then send probes back to it')
            [CompletionResult]::new('--respond', '--respond', [CompletionResultType]::ParameterName, 'Two-ended mode, sending side: answer `--peer` requests on this UDP port (default 4330) until Ctrl-C or --duration')
            [CompletionResult]::new('--max-ttl', '--max-ttl', [CompletionResultType]::ParameterName, 'Highest TTL of the probe ladder (with --peer; a responder caps what it is asked for at its own --max-ttl)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;watch' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Source-specific: accept only these senders (repeatable)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Source-specific: accept only these senders (repeatable)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Interval of the rates and of one strip cell')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--rcvbuf', '--rcvbuf', [CompletionResultType]::ParameterName, 'Receive buffer to ask the kernel for')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;generate' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors (no summaries or warnings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mcast;help' {
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send datagrams to a group (or a unicast host)')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Join groups and print what arrives')
            [CompletionResult]::new('join', 'join', [CompletionResultType]::ParameterValue, 'Hold group memberships (IGMP/MLD reports) until Ctrl-C or --duration')
            [CompletionResult]::new('ifaces', 'ifaces', [CompletionResultType]::ParameterValue, 'List interfaces with their flags, addresses and groups')
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'Relay datagrams between groups, interfaces, unicast UDP and TAK servers, without loops')
            [CompletionResult]::new('cot-gen', 'cot-gen', [CompletionResultType]::ParameterValue, 'Generate Cursor-on-Target (CoT) test events for TAK clients and servers')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send the UDP datagrams of a pcap/pcapng capture again, with their timing')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find why multicast does not arrive, and print the fix')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Watch groups live, full screen: rates, loss and TAK units per sender')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcast;help;send' {
            break
        }
        'mcast;help;listen' {
            break
        }
        'mcast;help;join' {
            break
        }
        'mcast;help;ifaces' {
            break
        }
        'mcast;help;bridge' {
            break
        }
        'mcast;help;cot-gen' {
            break
        }
        'mcast;help;replay' {
            break
        }
        'mcast;help;doctor' {
            break
        }
        'mcast;help;watch' {
            break
        }
        'mcast;help;generate' {
            break
        }
        'mcast;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
