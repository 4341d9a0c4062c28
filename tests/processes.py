"""Saga Lab as real server processes (`python -m app` or gunicorn) for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: how each server is started (the gunicorn lines are README's production commands)
SERVERS = {
    "werkzeug": [sys.executable, "-m", "app", "--port", "{port}"],
    "gthread": [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "1500",
                "-b", "127.0.0.1:{port}", "app:create_app()"],
    "gevent": [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1",
               "--worker-connections", "3000", "-b", "127.0.0.1:{port}", "app:create_app()"],
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_process(
    db: str, *args: str, server: str = "werkzeug", stderr: Any = subprocess.DEVNULL, **env: str
) -> Iterator[tuple[str, int]]:
    """One server process on SQLite file `db` (a folder: b.sqlite3 in it); yields URL, pid.
    stderr: where its stderr goes (a file, to count tracebacks)."""
    port = free_port()
    if os.path.isdir(db):
        db = os.path.join(db, "b.sqlite3")
    command = [part.format(port=port) for part in SERVERS[server]]
    proc = subprocess.Popen(
        command + list(args),
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env={
            **os.environ,
            "SAGALAB_DATABASE": db,
            "PYTHONUNBUFFERED": "1",
            **env,
        },
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url, proc)
        yield url, proc.pid
    finally:  # gunicorn: SIGINT is its quick shutdown (SIGTERM waits for open websockets)
        proc.send_signal(signal.SIGTERM if server == "werkzeug" else signal.SIGINT)
        proc.wait(timeout=30)


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=30).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} in {seconds:g} s")


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children (gunicorn's workers), Linux."""
    try:
        pids = [pid] + [
            int(p) for p in os.listdir("/proc") if p.isdigit() and _child_of(int(p), pid)
        ]
        ticks = 0
        for one in pids:
            fields = _stat(one)
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _child_of(pid: int, parent: int) -> bool:
    try:
        return int(_stat(pid)[1]) == parent
    except (OSError, ValueError, IndexError):
        return False


class RedisServer:
    """Debian's redis-server on a fixed loopback port, nothing persisted; can be killed and
    started again on the same port (a Redis outage)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """kill -9: no goodbye to its clients."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@contextmanager
def redis_server(server: RedisServer | None = None) -> Iterator[str]:
    """Debian's redis-server on a free loopback port, nothing persisted; yields its URL."""
    server = server or RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
