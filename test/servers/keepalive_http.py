"""The HTTP/1.1 keep-alive side shared by the Python test servers (blocking-acceptor.py, poll-stop.py).

Parses just enough: a request ends at CRLF CRLF plus its Content-Length body. Every request is
answered 200 OK with Content-Length and `Connection: keep-alive` (`Connection: close`, then a close,
for HTTP/1.0 without keep-alive or a `Connection: close` request).
"""
import argparse
import re
import signal
import socket
import sys

BODY = b"ok\n"
KEEP_ALIVE = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive\r\n\r\n%s" % (len(BODY), BODY)
CLOSING = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(BODY), BODY)
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d{1,12})[ \t]*\r\n", re.IGNORECASE)
CONNECTION = re.compile(rb"\r\nconnection:([^\r\n]*)\r\n", re.IGNORECASE)
MAX_HEAD = 65536


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="0 (the default): any free port")
    parser.add_argument("--after", type=int, default=5, help="connections served correctly before the bug (default 5)")
    args = parser.parse_args()
    if not 0 <= args.port <= 65535:
        parser.error("--port wants a number from 0 to 65535")
    if args.after < 0:
        parser.error("--after wants a number from 0 up")
    return args


def listen(port):
    """A non-blocking listener on 127.0.0.1:port; SIGTERM/SIGINT exit 0 from then on."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    listener.setblocking(False)
    return listener


def print_port(listener):
    print(listener.getsockname()[1], flush=True)


class Conn:
    """One accepted connection: bytes read, and the response bytes not yet written."""

    def __init__(self, sock):
        sock.setblocking(False)
        self.sock = sock
        self.inbuf = b""
        self.out = b""
        self.close_after = False
        self.closed = False

    def on_readable(self):
        """Reads what is there and answers every whole request; False once the connection is closed."""
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                break
            except OSError:
                return self.close()
            if not data:
                return self.close()
            self.inbuf += data
        while not self.close_after and self._take_request():
            pass
        if len(self.inbuf) > MAX_HEAD and b"\r\n\r\n" not in self.inbuf:
            return self.close()
        return self.on_writable()

    def on_writable(self):
        """Writes what it can of the pending responses; False once the connection is closed."""
        try:
            while self.out:
                self.out = self.out[self.sock.send(self.out):]
        except BlockingIOError:
            return True
        except OSError:
            return self.close()
        if self.close_after:
            return self.close()
        return True

    def _take_request(self):
        end = self.inbuf.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = self.inbuf[: end + 2]
        length = CONTENT_LENGTH.search(head)
        total = end + 4 + (int(length.group(1)) if length else 0)
        if len(self.inbuf) < total:
            return False
        self.inbuf = self.inbuf[total:]
        http10 = head.split(b"\r\n", 1)[0].endswith(b"HTTP/1.0")
        connection = CONNECTION.search(head)
        tokens = connection.group(1).lower() if connection else b""
        keep = b"keep-alive" in tokens or (not http10 and b"close" not in tokens)
        self.out += KEEP_ALIVE if keep else CLOSING
        self.close_after = not keep
        return True

    def close(self):
        self.closed = True
        self.sock.close()
        return False
