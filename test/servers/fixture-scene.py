#!/usr/bin/env python3
"""Builds the socket scene the parser fixtures are captured from (test/fixtures/capture.sh).

- port A (127.0.0.1, never accepts, shared by 2 forked children: 3 owners): 1 queued ESTAB,
  2 queued CLOSE-WAIT with 114 unread bytes (113 + FIN);
- port B ([::], dual stack): an accepted v4-mapped ESTAB with 5 unread bytes (keepalive on, so
  -o shows a timer), an accepted ::1 CLOSE-WAIT held by two fds (dup);
- port C (::1, never accepts): 1 queued connection;
- port D (127.0.0.1 bound to device lo: ss prints 127.0.0.1%lo).
Process names are odd on purpose: comm 'sc "x" (a),b c' for ss, argv0 with spaces for netstat.
Prints {"a": A, "b": B, "c": C, "d": D} as JSON, then sleeps until SIGTERM.
"""
import json
import os
import signal
import socket
import sys
import time


def listen(family, host, backlog=16, v6only=None, device=None):
    sock = socket.socket(family, socket.SOCK_STREAM)
    if v6only is not None:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    if device:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
    sock.bind((host, 0))
    sock.listen(backlog)
    return sock


with open("/proc/self/comm", "w") as comm:
    comm.write('sc "x" (a),b c')

a = listen(socket.AF_INET, "127.0.0.1", backlog=8)
b = listen(socket.AF_INET6, "::", v6only=0)
c = listen(socket.AF_INET6, "::1", v6only=1)
d = listen(socket.AF_INET, "127.0.0.1", device="lo")
port = {name: s.getsockname()[1] for name, s in {"a": a, "b": b, "c": c, "d": d}.items()}

children = []
for name in ("child, one", "child (two)"):
    pid = os.fork()
    if pid == 0:
        with open("/proc/self/comm", "w") as comm:
            comm.write(name)
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        while True:
            signal.pause()
    children.append(pid)

clients = []
request = b"GET /hello HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n".ljust(113, b"x")
for i in range(3):
    client = socket.create_connection(("127.0.0.1", port["a"]))
    if i < 2:
        client.sendall(request)
        client.shutdown(socket.SHUT_WR)
    clients.append(client)

v4 = socket.create_connection(("127.0.0.1", port["b"]))
v4.sendall(b"hello")
v6 = socket.create_connection(("::1", port["b"]))
accepted_v4, _ = b.accept()
accepted_v4.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
accepted_v6, _ = b.accept()
duplicate = os.dup(accepted_v6.fileno())
v6.close()

clients.append(socket.create_connection(("::1", port["c"])))
time.sleep(0.2)


def stop(*_):
    for pid in children:
        os.kill(pid, signal.SIGTERM)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
print(json.dumps(port), flush=True)
while True:
    signal.pause()
