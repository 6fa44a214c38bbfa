#!/usr/bin/env python3
"""Builds the scene the pasted-output fixtures are captured from (test/fixtures/capture-paste.sh).

- port S: a service-named port (the first free tcp port of /etc/services from 1024 up, e.g.
  http-alt 8080), 127.0.0.1, never accepts: 1 queued ESTAB, 2 queued CLOSE-WAIT with 114
  unread bytes (113 + FIN). A UDP socket on the same port number and a unix socket whose path
  holds it, so `ss -an | grep` and `netstat -an | grep` keep rows of other socket types.
- port O: 127.0.0.1, accepts and reads each request once, never closes: 2 owned CLOSE-WAIT
  (Recv-Q 1: the FIN), 1 owned ESTAB.
Prints {"s": S, "s_name": NAME, "o": O, "unix": PATH} as JSON, then sleeps until SIGTERM.
"""
import json
import os
import signal
import socket
import sys
import time


def service_ports():
    with open("/etc/services") as services:
        for line in services:
            fields = line.split("#")[0].split()
            if len(fields) >= 2 and fields[1].endswith("/tcp"):
                port = int(fields[1].split("/")[0])
                if 1024 <= port <= 49151:
                    yield fields[0], port


def listen_named():
    for name, port in service_ports():
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(8)
        return sock, name
    raise SystemExit("no free service-named port")


s, s_name = listen_named()
s_port = s.getsockname()[1]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    udp.bind(("127.0.0.1", s_port))
except OSError:
    udp.bind(("127.0.0.1", 0))
unix_path = f"/tmp/rd-scene-{s_port}.sock"
if os.path.exists(unix_path):
    os.unlink(unix_path)
unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
unix.bind(unix_path)
unix.listen(1)

o = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
o.bind(("127.0.0.1", 0))
o.listen(16)
o_port = o.getsockname()[1]

request = b"GET /hello HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n".ljust(113, b"x")
clients = []
for i in range(3):
    client = socket.create_connection(("127.0.0.1", s_port))
    if i < 2:
        client.sendall(request)
        client.shutdown(socket.SHUT_WR)
    clients.append(client)

accepted = []
for i in range(3):
    client = socket.create_connection(("127.0.0.1", o_port))
    client.sendall(request)
    conn, _ = o.accept()
    conn.recv(4096)
    accepted.append(conn)
    if i < 2:
        client.shutdown(socket.SHUT_WR)
    clients.append(client)
time.sleep(0.2)


def stop(*_):
    try:
        os.unlink(unix_path)
    except OSError:
        pass
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
print(json.dumps({"s": s_port, "s_name": s_name, "o": o_port, "unix": unix_path}), flush=True)
while True:
    signal.pause()
