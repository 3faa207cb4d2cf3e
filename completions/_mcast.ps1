
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
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between datagrams')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Datagrams per second, evenly paced')
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
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'Interface(s) for endpoints that name none: a name, an address, an index, or `all` (every UP interface with the MULTICAST flag). Repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal without NO_COLOR), always or never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write raw payloads even to a terminal')
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
