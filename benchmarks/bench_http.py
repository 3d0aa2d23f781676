"""HTTP benchmark of the professional's pages against a bare view, in one run (issue 16).

    DATABASE_URL=postgres://…/recert_scale REDIS_URL=redis://127.0.0.1:6379/8 \\
        python benchmarks/bench_http.py --big k000000 --small t000000 [--seconds 10]

Starts gunicorn as `recert serve` does (2 sync workers, DEBUG off) with
benchmarks/bench_settings.py (Recert plus a bare view), logs the given synthetic users in
(sessions made directly, their passwords are unusable), then for each page and for 4 and 32
connections runs a thread-per-connection load generator on loopback for --seconds and prints
throughput, p50 and p99, and throughput as a share of the bare view's at the same
connections. Then one xlsx transcript of the big user's entries, timed. The load generator
shares the machine's cores with the server: compare figures within one run only.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def _env() -> dict:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "bench_settings", "DEBUG": "0",
                "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT), env.get("PYTHONPATH", "")]),
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "SITE_URL": "http://127.0.0.1"})
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sessions(env: dict, usernames: list[str]) -> dict[str, str]:
    """A session cookie per user, made as a log-in would (no password needed)."""
    code = """
import sys, django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
store = import_module(settings.SESSION_ENGINE).SessionStore
for name in sys.argv[1:]:
    user = get_user_model().objects.get(username=name)
    s = store()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = [b for b in settings.AUTHENTICATION_BACKENDS
                              if "axes" not in b.lower()][0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    print(name, settings.SESSION_COOKIE_NAME + "=" + s.session_key)
"""
    out = subprocess.run([sys.executable, "-c", code, *usernames], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    return {line.split()[0]: line.split()[1] for line in out.splitlines() if line.strip()}


def _get(port: int, path: str, cookie: str | None) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, len(body)


def load(port: int, path: str, cookie: str | None, connections: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, _ = _get(port, path, cookie)
            except OSError:
                status = 0
            if status != 200:
                with lock:
                    errors[0] += 1
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {"rps": n / elapsed, "n": n, "errors": errors[0],
            "p50": statistics.median(latencies) * 1000 if n else float("nan"),
            "p99": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan")}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", required=True, help="a user with many entries (1,000)")
    parser.add_argument("--small", required=True, help="a user with few entries (10 or 50)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", default="4,32")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = _env()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   env=env, check=True, cwd=ROOT)
    cookies = _sessions(env, [args.big, args.small])
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "recert.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(args.workers), "--log-level", "warning"],
        env=env, cwd=ROOT)
    try:
        for _ in range(120):
            try:
                _get(port, "/bench/bare/", None)
                break
            except OSError:
                time.sleep(0.5)
        pages = [("bare view", "/bench/bare/", None)]
        for who in (args.big, args.small):
            for name, path in (("dashboard", "/"), ("credits list", "/credits/"),
                               ("credits, all", "/credits/?tab=all")):
                pages.append((f"{name} ({who})", path, cookies[who]))
        for _, path, cookie in pages:  # warm: caches, imports, the evaluation
            for _ in range(3):
                status, size = _get(port, path, cookie)
                assert status == 200, (path, status)
        print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
              f"gunicorn {args.workers} sync workers, {args.seconds:g} s per cell")
        print("| page | KB | conns | req/s | share of bare | p50 ms | p99 ms | errors |")
        print("|---|---|---|---|---|---|---|---|")
        for conns in [int(c) for c in args.connections.split(",")]:
            bare = None
            for name, path, cookie in pages:
                _, size = _get(port, path, cookie)
                r = load(port, path, cookie, conns, args.seconds)
                bare = bare or r["rps"]
                print(f"| {name} | {size / 1024:.0f} | {conns} | {r['rps']:.1f} | "
                      f"{r['rps'] / bare:.0%} | {r['p50']:.1f} | {r['p99']:.1f} | "
                      f"{r['errors']} |", flush=True)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            status, size = _get(port, "/transcript/all.xlsx", cookies[args.big])
            times.append((time.perf_counter() - started) * 1000)
        print(f"\nxlsx transcript of {args.big}: {statistics.median(times):.0f} ms median "
              f"of 5 ({size / 1024:.0f} KB, status {status})")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
