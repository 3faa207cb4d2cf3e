#!/usr/bin/env python3
"""Multicast ping-pong for bench/run.sh: round-trip times through relays.

  rtt.py echo GROUP:PORT@LOCAL_ADDR REPLY_GROUP:PORT@LOCAL_ADDR
      Answers every datagram that arrives on the first group with a copy
      sent to the reply group (multicast, so the answer also crosses the
      relays). The first byte becomes b"R": a relay that suppresses
      duplicates must not take the answer for the question.

  rtt.py ping GROUP:PORT@LOCAL_ADDR REPLY_GROUP:PORT@LOCAL_ADDR COUNT OUT [WARMUP]
      Sends COUNT sequential pings (plus WARMUP unrecorded ones first), each
      after the previous answer arrived, and writes one round-trip time per
      line, in microseconds, to OUT. Lost pings (1 s without an answer) are
      counted on stderr, not written.

Both ends turn multicast loopback off and name the interface by address, so
nothing depends on routes. Only for use inside bench/run.sh's namespaces.
"""
import socket
import struct
import sys
import time


def parse(spec):
    grp, local = spec.split("@")
    g, p = grp.rsplit(":", 1)
    return g, int(p), local


def receiver(group, port, local):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Bound to the group: only datagrams for it, whatever else is joined.
    s.bind((group, port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(group) + socket.inet_aton(local))
    return s


def sender(local):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    return s


def echo(listen, reply):
    g, p, local = parse(listen)
    rg, rp, rlocal = parse(reply)
    r = receiver(g, p, local)
    s = sender(rlocal)
    dest = (rg, rp)
    # Ready: the membership exists (run.sh also waits for it in `ip maddr`).
    print("ready", flush=True)
    while True:
        d = r.recv(2048)
        s.sendto(b"R" + d[1:], dest)


def ping(send, listen, count, out, warmup):
    g, p, local = parse(send)
    lg, lp, llocal = parse(listen)
    r = receiver(lg, lp, llocal)
    r.settimeout(1.0)
    s = sender(local)
    dest = (g, p)
    rtts = []
    lost = 0
    pad = b"x" * 59  # 64-byte datagrams: "P", a 4-byte number, padding
    for i in range(warmup + count):
        msg = b"P" + struct.pack("!I", i) + pad
        t0 = time.perf_counter_ns()
        s.sendto(msg, dest)
        while True:
            try:
                d = r.recv(2048)
            except socket.timeout:
                lost += 1
                break
            if d[:1] == b"R" and d[1:5] == msg[1:5]:
                if i >= warmup:
                    rtts.append((time.perf_counter_ns() - t0) / 1000.0)
                break
    with open(out, "w") as f:
        f.write("".join(f"{x:.1f}\n" for x in rtts))
    if lost:
        print(f"rtt.py: {lost} of {warmup + count} pings unanswered", file=sys.stderr)


def main(argv):
    if len(argv) >= 3 and argv[0] == "echo":
        echo(argv[1], argv[2])
    elif len(argv) >= 5 and argv[0] == "ping":
        ping(argv[1], argv[2], int(argv[3]), argv[4], int(argv[5]) if len(argv) > 5 else 100)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
