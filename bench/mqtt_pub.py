#!/usr/bin/env python3
"""Helpers for bench/run.sh's mqtt section (the mosquitto_pub/sub peer path).

  mqtt_pub.py gen RATE N SIZE   paced lines for `mosquitto_pub -l`: each
                                SIZE-1 characters plus a newline, starting
                                with the send time (ns) and a sequence number
  mqtt_pub.py lat               reads `mosquitto_sub -F '%U %p'` lines on
                                stdin, prints one latency (µs) per message
"""
import sys
import time


def gen(rate, n, size):
    out = sys.stdout
    start = time.monotonic()
    per_tick = max(1, rate // 1000)  # lines per 1 ms tick
    sent = 0
    while sent < n:
        due = start + sent / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        k = min(per_tick, n - sent)
        lines = []
        for i in range(k):
            head = f"{time.time_ns()} {sent + i} "
            lines.append(head + "x" * max(0, size - 1 - len(head)) + "\n")
        out.write("".join(lines))
        out.flush()
        sent += k


def lat():
    for line in sys.stdin:
        parts = line.split(" ", 2)
        if len(parts) < 2:
            continue
        try:
            secs, frac = parts[0].split(".")
            recv = int(secs) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])
            sent = int(parts[1])
        except ValueError:
            continue
        print(f"{(recv - sent) / 1000:.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        lat()
