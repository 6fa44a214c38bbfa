#!/usr/bin/env python3
"""A small epoll server outside HTTP, the kind people write first on a reactor: an echo server or
a Redis-style PING/PONG line server, with the seed's bug on request.

Usage: epoll-line-server.py [--port N] [--host ADDR] [--protocol echo|pingpong]
                            [--trigger et|lt] [--accept once|drain] [--backlog N]
                            [--accept-delay-ms MS]

--protocol echo writes back every byte it reads; pingpong answers each "PING\\r\\n" line with
"+PONG\\r\\n" (anything else: "-ERR unknown command\\r\\n"). --trigger et --accept once is the
seed's bug: an edge-triggered listener and one accept() per wakeup, so connections that arrive
together leave all but one in the kernel accept queue. Connections are always read until
EAGAIN. --accept-delay-ms spends that long after each accept() (a real acceptor's setup work),
so a burst's handshakes complete while the listener is already reported ready, as they do on a
quiet machine without it; the tests use it so the race shows on a busy one too. Prints the bound port on stdout; runs until SIGTERM or SIGINT.
"""
import argparse
import select
import time
import signal
import socket
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--protocol", choices=["echo", "pingpong"], default="echo")
parser.add_argument("--trigger", choices=["et", "lt"], default="lt")
parser.add_argument("--accept", choices=["once", "drain"], default="drain")
parser.add_argument("--backlog", type=int, default=128)
parser.add_argument("--accept-delay-ms", type=float, default=0)
args = parser.parse_args()

edge = select.EPOLLET if args.trigger == "et" else 0
family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
listener = socket.socket(family, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((args.host, args.port))
listener.listen(args.backlog)
listener.setblocking(False)

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))

poller = select.epoll()
poller.register(listener.fileno(), select.EPOLLIN | edge)
conns = {}
pending = {}  # fd -> bytes of an incomplete line (pingpong)


def accept_one():
    try:
        conn, _ = listener.accept()
    except BlockingIOError:
        return False
    conn.setblocking(False)
    conns[conn.fileno()] = conn
    pending[conn.fileno()] = b""
    poller.register(conn.fileno(), select.EPOLLIN | edge)
    if args.accept_delay_ms > 0:
        time.sleep(args.accept_delay_ms / 1000)
    return True


def answer(fd, data):
    if args.protocol == "echo":
        return data
    buffered = pending[fd] + data
    lines = buffered.split(b"\r\n")
    pending[fd] = lines.pop()
    return b"".join(b"+PONG\r\n" if line == b"PING" else b"-ERR unknown command\r\n" for line in lines)


def close(fd):
    poller.unregister(fd)
    conns.pop(fd).close()
    pending.pop(fd, None)


def serve(fd):
    conn = conns[fd]
    while True:
        try:
            data = conn.recv(65536)
        except BlockingIOError:
            return
        except ConnectionError:
            close(fd)
            return
        if not data:
            close(fd)
            return
        reply = answer(fd, data)
        if reply:
            # Small answers on loopback: a blocking send for the rest keeps this short.
            conn.setblocking(True)
            conn.sendall(reply)
            conn.setblocking(False)


print(listener.getsockname()[1], flush=True)
while True:
    for fd, _ in poller.poll():
        if fd == listener.fileno():
            if args.accept == "once":
                accept_one()
            else:
                while accept_one():
                    pass
        elif fd in conns:
            serve(fd)
