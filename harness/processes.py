"""Saga Lab as real server processes (`python -m app` or gunicorn) for tests and benchmarks."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
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
    """One server process on SQLite file `db` (a folder: b.sqlite3 in it; a postgresql://
    URL: that database); yields URL, pid. stderr: where its stderr goes (a file, to count
    tracebacks)."""
    with app_processes(1, db, *args, server=server, stderr=stderr, **env) as started:
        yield started[0]


@contextmanager
def app_processes(
    count: int,
    db: str,
    *args: str,
    server: str = "werkzeug",
    stderr: Any = subprocess.DEVNULL,
    **env: str,
) -> Iterator[list[tuple[str, int]]]:
    """`count` server processes on one database, all started at the same moment; yields
    their (URL, pid) once every one answers."""
    if os.path.isdir(db):
        db = os.path.join(db, "b.sqlite3")
    where = {"SAGALAB_DATABASE_URL": db} if db.startswith("postgresql://") else {
        "SAGALAB_DATABASE": db}  # fmt: skip
    ports = [free_port() for _ in range(count)]
    procs = [
        subprocess.Popen(
            [part.format(port=port) for part in SERVERS[server]] + list(args),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, **where, "PYTHONUNBUFFERED": "1", **env},
            cwd=ROOT,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, proc in zip(urls, procs, strict=True):
            wait_up(url, proc)
        yield [(url, proc.pid) for url, proc in zip(urls, procs, strict=True)]
    finally:  # gunicorn: SIGINT is its quick shutdown (SIGTERM waits for open websockets)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM if server == "werkzeug" else signal.SIGINT)
        for proc in procs:
            proc.wait(timeout=30)


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until the server at url answers /healthz."""
    wait_ready(
        proc,
        lambda: requests.get(f"{url}/healthz", timeout=30).ok,
        (requests.ConnectionError,),
        f"no answer from {url} in {seconds:g} s (the server exited with {{code}})",
        seconds,
    )


def wait_ready(
    proc: subprocess.Popen,
    ready: Callable[[], bool],
    not_yet: tuple[type[BaseException], ...],
    failure: str,
    seconds: float,
) -> None:
    """Poll ready() until it is true (an exception in not_yet: not yet); RuntimeError with
    `failure` ({code}: the exit status, None if still running) if proc exits or time runs out."""
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if ready():
                return
        except not_yet:
            pass
        time.sleep(0.1)
    raise RuntimeError(failure.format(code=proc.poll()))


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
        wait_ready(
            self.proc,
            lambda: bool(redis.Redis.from_url(self.url).ping()),
            (redis.ConnectionError,),
            "redis-server did not start (exit status {code})",
            30,
        )

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


def postgres_bin(name: str) -> str:
    """A PostgreSQL server program: on PATH, or where Debian's postgresql package puts it."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not versions:
        raise RuntimeError(f"{name} not found: install PostgreSQL (apt-get install postgresql)")
    return versions[-1]


def as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: run it as Debian's `postgres` user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL (initdb into a temp folder, a free loopback port, no fsync);
    yields the URL of its `postgres` database, user `sagalab` with a password."""
    folder = tempfile.mkdtemp(prefix="sagalab-pg-")
    data, port, password = os.path.join(folder, "data"), free_port(), "test-password"
    pwfile = os.path.join(folder, "pw")
    with open(pwfile, "w") as f:
        f.write(password)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    run = as_postgres_user()
    subprocess.run(
        [*run, postgres_bin("initdb"), "-D", data, "-U", "sagalab", "--pwfile", pwfile,
         "-A", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    proc = subprocess.Popen(
        [*run, postgres_bin("postgres"), "-D", data, "-p", str(port), "-h", "127.0.0.1",
         "-k", folder, "-c", "fsync=off", "-c", "synchronous_commit=off",
         "-c", "full_page_writes=off", "-c", "max_connections=300"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"postgresql://sagalab:{password}@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        def connects() -> bool:
            psycopg.connect(url, connect_timeout=5).close()
            return True

        wait_ready(
            proc,
            connects,
            (psycopg.OperationalError,),
            "postgres did not start (exit status {code})",
            60,
        )
        yield url
    finally:
        proc.terminate()  # SIGTERM: PostgreSQL's smart shutdown (runuser passes it on)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server_url: str, name: str) -> str:
    """A fresh, empty database on that server; returns its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


DEPLOY_DOC = os.path.join(ROOT, "docs", "deploy.md")
#: the machines' addresses in docs/deploy.md's nginx config, replaced by the real ones
DOC_UPSTREAMS = ("10.0.0.11:5000", "10.0.0.12:5000")


def deploy_nginx_config() -> str:
    """The nginx config docs/deploy.md gives (its one ```nginx block)."""
    with open(DEPLOY_DOC) as f:
        blocks = re.findall(r"```nginx\n(.*?)```", f.read(), re.DOTALL)
    if len(blocks) != 1:
        raise RuntimeError(f"docs/deploy.md has {len(blocks)} nginx blocks, not one")
    return blocks[0]


@contextmanager
def two_machines(
    tmp: str, server: str = "werkzeug", **env: str
) -> Iterator[tuple[str, list[tuple[str, int]], int]]:
    """Two machines simulated on one: two app processes with their own instance folders,
    one PostgreSQL, one Redis, and nginx in front (docs/deploy.md's config); yields the
    proxy's URL, each process's (URL, pid), and nginx's pid."""
    with ExitStack() as stack:
        database = new_database(stack.enter_context(postgres_server()), "sagalab")
        queue = stack.enter_context(redis_server())
        machines = [
            stack.enter_context(
                app_process(
                    database, server=server, SAGALAB_MESSAGE_QUEUE=queue,
                    SAGALAB_SECRET_KEY="the same on every machine", SAGALAB_PROXY_HOPS="1",
                    SAGALAB_INSTANCE_PATH=os.path.join(tmp, name), **env,
                )
            )
            for name in ("a", "b")
        ]  # fmt: skip
        upstreams = [url.removeprefix("http://") for url, _pid in machines]
        proxy, nginx = stack.enter_context(nginx_proxy(upstreams))
        yield proxy, machines, nginx


@contextmanager
def nginx_proxy(upstreams: list[str]) -> Iterator[tuple[str, int]]:
    """Debian's nginx in front of the app processes at `upstreams` (host:port), with
    docs/deploy.md's config on a free loopback port; yields the proxy's URL and pid."""
    config = deploy_nginx_config()
    for doc, real in zip(DOC_UPSTREAMS, upstreams, strict=True):
        config = config.replace(f"server {doc} ", f"server {real} ")
    port = free_port()
    config = config.replace("listen 80;", f"listen 127.0.0.1:{port};")
    folder = tempfile.mkdtemp(prefix="sagalab-nginx-")
    main = f"""
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{config}
}}
"""
    path = os.path.join(folder, "nginx.conf")
    with open(path, "w") as f:
        f.write(main)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-p", folder, "-c", path], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused docs/deploy.md's config: {check.stderr.strip()}")
    proc = subprocess.Popen(
        [nginx, "-p", folder, "-c", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url, proc)
        yield url, proc.pid
    finally:
        proc.terminate()  # SIGTERM: nginx's fast shutdown
        proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
