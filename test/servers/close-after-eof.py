#!/usr/bin/env python3
"""Accepts every connection, answers each request, and closes DELAY seconds after the peer's FIN:
each connection sits in CLOSE-WAIT briefly, as on a healthy busy server.

Usage: close-after-eof.py [--delay 0.3] [--clients-every 0.25]
With --clients-every, it also runs its own clients (connect, send a request, read the answer,
close) at that pace, so a recording sees CLOSE-WAIT sockets come and go.
Prints the bound port on stdout, then serves until SIGTERM or SIGINT.
"""
import argparse
import signal
import socket
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--delay", type=float, default=0.3)
parser.add_argument("--clients-every", type=float, default=0)
args = parser.parse_args()

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(128)
port = listener.getsockname()[1]


def serve(conn):
    with conn:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        while conn.recv(4096):
            pass
        time.sleep(args.delay)


def accept_loop():
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def clients():
    while True:
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"GET / HTTP/1.0\r\n\r\n")
            client.recv(4096)
        time.sleep(args.clients_every)


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
threading.Thread(target=accept_loop, daemon=True).start()
if args.clients_every > 0:
    threading.Thread(target=clients, daemon=True).start()
print(port, flush=True)
while True:
    signal.pause()
