"""A minimal TAK-server-like peer for mcast's tests: TCP or TLS (Python's
ssl module, optionally requiring a client certificate), prints every XML
event it receives on stdout (one per line, as received) and can send
events to the client.

    tak_tls_server.py ADDR PORT [--tls CERT KEY CA] [--require-cert]
                      [--send FILE] [--echo]

Standard library only; runs inside a test namespace.
"""
import socket, ssl, sys, threading

args = sys.argv[1:]
addr, port = args[0], int(args[1])
ctx = None
if "--tls" in args:
    i = args.index("--tls")
    cert, key, ca = args[i + 1:i + 4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_REQUIRED if "--require-cert" in args else ssl.CERT_OPTIONAL
send = None
if "--send" in args:
    send = open(args[args.index("--send") + 1], "rb").read()
echo = "--echo" in args

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(8)
print("listening", flush=True)

def serve(conn):
    try:
        if ctx is not None:
            conn = ctx.wrap_socket(conn, server_side=True)
            peer = conn.getpeercert()
            subject = dict(x[0] for x in peer["subject"]) if peer else {}
            print("client-cert", subject.get("commonName", "-"), flush=True)
        if send:
            conn.sendall(send)
        buf = b""
        while True:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
            while b"</event>" in buf:
                ev, buf = buf.split(b"</event>", 1)
                ev = ev.strip() + b"</event>"
                print("event", ev.decode("utf-8", "replace"), flush=True)
                if echo:
                    conn.sendall(ev)
    except (ssl.SSLError, OSError) as e:
        print("error", type(e).__name__, str(e).replace("\n", " "), flush=True)
    finally:
        conn.close()

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
