"""STORE_MAX_MB, one rule for writing a run's batch and for starting a run."""

from __future__ import annotations

import threading

from app.store import Store


class Quota:
    """The store's quota as live runs and new starts see it.

    A batch is refused when the store could not take it (Store.quota_reached). A start is
    refused when the store is full, or, once a batch has been refused, when it could not
    take a batch that large: a run that fails at the quota is not followed by a start that
    would fail the same way at its first batch.
    """

    def __init__(self, store: Store, max_mb: int) -> None:
        self.store = store
        self.max_mb = max_mb
        self._refused = 0  # bytes of the largest batch the quota refused
        self._lock = threading.Lock()

    def refuses_batch(self, adding: int) -> str | None:
        """Why a batch of `adding` bytes of JSON may not be stored, or None."""
        full = self.store.quota_reached(self.max_mb, adding)
        if full:
            with self._lock:
                self._refused = max(self._refused, adding)
        return full

    def refuses_start(self) -> str | None:
        """Why no new run may start, or None."""
        with self._lock:
            refused = self._refused
        if refused:
            return self.store.quota_reached(self.max_mb, refused)
        return self.store.over_quota(self.max_mb)
