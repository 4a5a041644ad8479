#!/usr/bin/env python3
"""Times `digest serve` from saving one entry to the reloaded page, as a browser sees it.

    scripts/serve_bench.py SITE [RUNS] [SERVE ARGS…]   (default 10 runs; needs target/release/digest)

Starts the release binary on SITE (e.g. an archive from `examples/gen_archive`), follows the
live-reload event stream like an open page does, then RUNS times: appends a line to the body of
an entry of the latest issue, waits for the `reload` event, and fetches the entry page until it
shows the line. Prints save → reload event and save → page fetched, in ms: median (min–max),
and the rebuild times serve itself reports. Further arguments go to `digest serve` (`--no-search`).
The watcher's quiet period (`watch::DEBOUNCE`) is part of both figures, as it is for an editor.
"""

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, body


class Events(threading.Thread):
    """The event stream, read on its own thread; `wait` returns when the page at a path was
    first told to reload after a given moment (a reload event names the pages it changed)."""

    def __init__(self, port, generation):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(f"GET /__digest/events?generation={generation} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.cond = threading.Condition()
        self.reloads = []
        self.start()

    def run(self):
        buf = b""
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            buf += data
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                if b"event: reload" in block:
                    data = [l[6:].decode() for l in block.split(b"\n") if l.startswith(b"data: ")]
                    with self.cond:
                        self.reloads.append((time.perf_counter(), data[1:]))
                        self.cond.notify_all()
                elif b"event: build-error" in block:
                    sys.exit("build error: " + block.decode())

    def wait(self, path, after):
        def found():
            return next((t for t, paths in self.reloads if t > after and (path in paths or "*" in paths)), None)

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, timeout=30)
            if found() is None:
                sys.exit(f"no reload event for {path} within 30 s")
            return found()


def main():
    site = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    extra = sys.argv[3:]
    binary = os.path.join(os.path.dirname(__file__), "..", "target", "release", "digest")
    latest = sorted(d for d in os.listdir(os.path.join(site, "content")) if re.fullmatch(r"\d{4}-\d\d", d))[-1]
    news = os.path.join(site, "content", latest, "news")
    slug = sorted(f for f in os.listdir(news) if f.endswith(".md") and f.count(".") == 1)[0][:-3]
    path, url = os.path.join(news, slug + ".md"), f"/{latest}/news/{slug}/"
    original = open(path, encoding="utf-8").read()

    port = free_port()
    server = subprocess.Popen([binary, "--root", site, "serve", "--port", str(port), *extra], stderr=subprocess.PIPE, text=True)
    try:
        started = time.perf_counter()
        line = server.stderr.readline()
        while "built" not in line:
            if not line:
                sys.exit("serve stopped")
            line = server.stderr.readline()
        print(f"first build: {(time.perf_counter() - started) * 1000:.0f} ms ({line.strip()})")
        rebuilds = []

        def console():
            for line in server.stderr:
                m = re.search(r"rebuilt .* in (\d+) ms", line)
                if m:
                    rebuilds.append(int(m.group(1)))

        threading.Thread(target=console, daemon=True).start()
        _, page = get(port, url)
        generation = re.search(r"events\?generation=(\d+)", page).group(1)
        events = Events(port, generation)

        to_event, to_page = [], []
        for run in range(runs):
            marker = f"Benchmark edit number {run}."
            with open(path, "w", encoding="utf-8") as f:
                f.write(original + "\n" + marker + "\n")
            saved = time.perf_counter()
            reloaded = events.wait(url, saved)
            while marker not in get(port, url)[1]:
                time.sleep(0.001)
            fetched = time.perf_counter()
            to_event.append((reloaded - saved) * 1000)
            to_page.append((fetched - saved) * 1000)
            time.sleep(0.3)  # let the previous edit's batch settle
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        server.terminate()
        server.wait()

    def stats(v):
        return f"{statistics.median(v):.0f} ({min(v):.0f}–{max(v):.0f})"

    print(f"edited {url} {runs} times")
    print(f"save → reload event, ms, median (min–max): {stats(to_event)}")
    print(f"save → page fetched, ms, median (min–max): {stats(to_page)}")
    if rebuilds:
        print(f"rebuild as serve reports it, ms, median (min–max): {stats(rebuilds)}")


if __name__ == "__main__":
    main()
