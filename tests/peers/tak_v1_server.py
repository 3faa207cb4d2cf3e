"""A TAK server that negotiates Protocol v1 the way TAK Server does: on
connect it offers versions (t-x-takp-v), waits for the client's request
(t-x-takp-q), answers (t-x-takp-r), then speaks v1 stream framing: prints
each v1 event it receives (uid, via takproto) and sends one v1 event.

    tak_v1_server.py ADDR PORT [--refuse]
"""
import socket, sys, takproto

addr, port = sys.argv[1], int(sys.argv[2])
refuse = "--refuse" in sys.argv
T = "2026-01-01T00:00:00.000Z"
S = "2099-01-01T00:00:00.000Z"
def ev(uid, typ, detail):
    return (f'<event version="2.0" uid="{uid}" type="{typ}" how="m-g" time="{T}" start="{T}" stale="{S}">'
            f'<point lat="0.0" lon="0.0" hae="0.0" ce="999999.0" le="999999.0"/><detail>{detail}</detail></event>').encode()
offer = ev("protouid", "t-x-takp-v", '<TakControl><TakProtocolSupport version="1"/></TakControl>')
answer = ev("protouid", "t-x-takp-r", f'<TakControl><TakResponse status="{"false" if refuse else "true"}"/></TakControl>')
sa = ev("SRV-V1", "a-f-G-U-C", '<contact callsign="V1-SERVER"/>')

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(4)
print("listening", flush=True)
while True:
    c, _ = srv.accept()
    c.sendall(offer)
    buf = b""
    while b"t-x-takp-q" not in buf:
        d = c.recv(65536)
        if not d:
            break
        buf += d
    if b"t-x-takp-q" not in buf:
        continue
    print("request", flush=True)
    c.sendall(answer)
    if refuse:
        continue
    c.sendall(bytes(takproto.xml2proto(sa, takproto.TAKProtoVer.STREAM)))
    rest = b""
    while True:
        d = c.recv(65536)
        if not d:
            break
        rest += d
        while rest:
            if rest[0] != 0xBF:
                print("not-v1", rest[:20].hex(), flush=True)
                rest = b""
                break
            # varint length
            n, shift, i = 0, 0, 1
            while i < len(rest):
                b = rest[i]; n |= (b & 0x7F) << shift; shift += 7; i += 1
                if b < 0x80:
                    break
            else:
                break
            if len(rest) < i + n:
                break
            m = takproto.parse_proto(bytearray(rest[:i + n]))
            print("v1", m.cotEvent.uid, m.cotEvent.type, flush=True)
            rest = rest[i + n:]
