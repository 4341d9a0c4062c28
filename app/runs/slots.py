"""Who gets a live-run slot when the server is full: the fair rule of docs/protocol.md.

- A class presenter's runs (started with a valid `class`) do not take the server's
  MAX_LIVE_RUNS slots: students' runs never keep the presenter from starting one. They are
  limited per class instead (MAX_LIVE_RUNS_PER_CLIENT each).
- Every other run counts for its starter's address (MAX_LIVE_RUNS_PER_CLIENT) and for the
  server (MAX_LIVE_RUNS).
- When the server is full, a new start takes a slot back instead of being refused: first
  from a paused run nobody watches (the one idle longest); else, if the starter has at least
  two runs fewer than the address holding the most, from that address's run idle longest
  (paused before running). The run that gives up its slot is stopped, its reason says why.
  Only when neither exists is the start refused (429).

So a few addresses can fill the server, but never keep another from starting a run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Protocol, TypeVar

from app.runs.request import RequestError

GIVEN_UP = "stopped to give its live slot to another run (the server was full; docs/protocol.md)"


class BusyError(RequestError):
    """The server already has as many live runs as it allows (or no room to store them)."""

    status = 429


class SlotHolder(Protocol):
    """What the rule needs to know of a live run."""

    client: str  # who started it: an address, or "class:<code>" for a presenter's run
    state: str

    def watched(self) -> bool: ...

    def idle_seconds(self) -> float: ...


def check_client(runs: Iterable[SlotHolder], client: str, per_client: int) -> None:
    """BusyError if `client` has per_client live runs already."""
    if sum(run.client == client for run in runs) >= per_client:
        who = "this class has" if client.startswith("class:") else "you have"
        raise BusyError(
            {
                "runs": f"{who} {per_client} live runs already (the limit per client); "
                "stop one or wait for one to finish"
            }
        ).retry(30)


Run = TypeVar("Run", bound=SlotHolder)


def slot_to_free(runs: Iterable[Run], client: str, limit: int) -> Run | None:
    """None if the server has a free slot for `client`'s new run; else the run that gives
    its slot up; BusyError if none may."""
    counted = [run for run in runs if not run.client.startswith("class:")]
    if client.startswith("class:") or len(counted) < limit:
        return None
    unwatched = [run for run in counted if run.state == "paused" and not run.watched()]
    if unwatched:
        return max(unwatched, key=lambda run: run.idle_seconds())
    held = Counter(run.client for run in counted)
    heaviest, most = held.most_common(1)[0]
    if held.get(client, 0) + 2 <= most:
        theirs = [run for run in counted if run.client == heaviest]
        return max(theirs, key=lambda run: (run.state == "paused", run.idle_seconds()))
    raise BusyError(
        {
            "runs": f"{limit} runs are live on this server already (the limit), none of them "
            "paused and unwatched, and you hold as many as anyone; stop one or wait for one "
            "to finish"
        }
    ).retry(30)
