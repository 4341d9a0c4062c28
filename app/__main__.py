"""`python -m app [--host H] [--port N] [--db PATH] [--message-queue URL]`: start Saga Lab."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from app import create_app
from app.server import make


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 5000; 0 picks a free one)")
    parser.add_argument("--db", help="SQLite file (default instance/sagalab.sqlite3)")
    parser.add_argument(
        "--message-queue",
        metavar="URL",
        help="redis://127.0.0.1:6379/0: share runs and viewers with other processes on it",
    )
    args = parser.parse_args(argv)
    if args.db:
        os.environ["SAGALAB_DATABASE"] = os.path.abspath(args.db)
    if args.message_queue:
        os.environ["SAGALAB_MESSAGE_QUEUE"] = args.message_queue
    app = create_app()
    host = args.host or app.config["HOST"]
    port = args.port if args.port is not None else int(app.config["PORT"])
    server = make(app, host, port)
    print(
        f"Saga Lab on http://{host}:{server.port}/  (store: {app.config['DATABASE']})", flush=True
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop as cleanly as on Ctrl-C
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        print("stopping: live runs are marked interrupted", flush=True)
    finally:
        app.extensions["sagalab.runs"].shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
