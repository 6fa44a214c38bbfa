#!/usr/bin/env python3
"""Listen and never accept: completed handshakes pile up in the kernel accept queue.

Usage: never-accept.py [--port N] [--host ADDR] [--backlog N]
Prints the bound port on stdout, then sleeps until SIGTERM or SIGINT.
"""
import argparse
import signal
import socket
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--backlog", type=int, default=128)
args = parser.parse_args()

family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
listener = socket.socket(family, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((args.host, args.port))
listener.listen(args.backlog)

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
print(listener.getsockname()[1], flush=True)
while True:
    signal.pause()
