"""`python -m app [--host H] [--port N] [--database URL|PATH] [--message-queue URL]`: serve."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from flask import Flask

from app import create_app, shutdown
from app.db import StorageError, is_postgres
from app.lan import browse_url
from app.origins import WILDCARD_ADDRESSES
from app.requires import MissingPackage
from app.server import make


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 5000; 0 picks a free one)")
    parser.add_argument(
        "--database",
        metavar="URL|PATH",
        help="postgresql://user:password@host/db (a server database), or an SQLite file "
        "(default instance/sagalab.sqlite3)",
    )
    parser.add_argument("--db", metavar="PATH", help="an SQLite file (the same as --database)")
    parser.add_argument(
        "--message-queue",
        metavar="URL",
        help="redis://127.0.0.1:6379/0: share runs and viewers with other processes on it",
    )
    args = parser.parse_args(argv)
    target = args.database or args.db
    if target and is_postgres(target):
        os.environ["SAGALAB_DATABASE_URL"] = target
    elif target:
        os.environ["SAGALAB_DATABASE"] = os.path.abspath(target)
        os.environ["SAGALAB_DATABASE_URL"] = ""  # the command line wins over the environment
    if args.message_queue:
        os.environ["SAGALAB_MESSAGE_QUEUE"] = args.message_queue
    try:
        app = create_app()
    except (StorageError, MissingPackage) as exc:  # one line naming the cause, no traceback
        print(f"python -m app: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    host = args.host or app.config["HOST"]
    app.config["HOST"] = host  # the bound address is an allowed host (app/origins.py)
    port = args.port if args.port is not None else int(app.config["PORT"])
    server = make(app, host, port)
    url = browse_url(host, server.port)
    if host in WILDCARD_ADDRESSES and not app.config["PUBLIC_URL"]:
        app.config["PUBLIC_URL"] = url.rstrip("/")  # the class's join link and QR code
    where = "  (every interface)" if host in WILDCARD_ADDRESSES else ""
    print(f"Saga Lab on {url}{where}  (store: {store_name(app)})", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop as cleanly as on Ctrl-C
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        print("stopping: live runs are marked interrupted", flush=True)
    finally:
        shutdown(app)
        server.server_close()
    # Leave now: a running experiment's workers are busy with chunks nobody will read (they
    # stop when this process is gone), and waiting for them made SIGTERM take over a minute.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def store_name(app: Flask) -> str:
    return app.extensions["sagalab.runs"].store.name


if __name__ == "__main__":
    main()
