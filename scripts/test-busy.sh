#!/usr/bin/env bash
# `npm run test:busy`: the whole suite on a busy machine. While it runs: two CPU-bound processes
# (one per core of a 2-core runner) and an unrelated loopback load on a listener with a backlog of
# 1 that never accepts, so the namespace's ListenOverflows and ListenDrops keep rising; a test
# that reads them as its own port's would fail. Everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for _ in 1 2; do
  nice -n 5 sh -c 'while :; do :; done' &
  pids+=($!)
done
# The unrelated load: connect, hold briefly, close, as fast as it goes, to a queue that is always full.
python3 - <<'PY' &
import socket, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
port = listener.getsockname()[1]
end = time.time() + 3600
while time.time() < end:
    try:
        c = socket.socket()
        c.settimeout(0.05)
        c.connect(("127.0.0.1", port))
        c.close()
    except OSError:
        c.close()
PY
pids+=($!)
echo "test:busy: 2 CPU-bound loops and an overflowing loopback load are running (pids ${pids[*]})" >&2
npx vitest run "$@"
