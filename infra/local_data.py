"""The local profile's data across restarts: `flowlogic serve --data-dir DIR`.

One JSON file, DIR/flowlogic-local.json, holds the embedded DynamoDB's tables and items
(infra/moto_state.py) and the Stripe simulator's customers, sessions, subscriptions and
invoices. It is loaded at start, saved on a clean stop, and saved in the background every
`interval` seconds when something changed, so a `kill -9` loses at most that much. Each save
writes a temporary file, fsyncs it and renames it over the previous one: a crash while saving
leaves the previous copy whole (docs/decisions/160-local-data-in-one-json-file.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra import moto_state

if TYPE_CHECKING:
    from adapters.stripe.simulator import StripeSimulator
    from infra.embedded import EmbeddedDynamoDB

FILE_NAME = "flowlogic-local.json"
FORMAT = 1
DEFAULT_INTERVAL = 2.0

_log = logging.getLogger("flowlogic.local_data")


class LocalDataError(Exception):
    """The data directory cannot be used; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a load found: items in DynamoDB, subscriptions in the Stripe simulator."""

    items: int
    subscriptions: int


class LocalData:
    """Loads, saves and periodically saves the local profile's data in one directory.

    `engine` is None when DynamoDB lives elsewhere (AWS_ENDPOINT_URL_DYNAMODB): then only the
    Stripe simulator is kept.
    """

    def __init__(
        self,
        directory: Path,
        engine: EmbeddedDynamoDB | None,
        simulator: StripeSimulator,
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self._engine = engine
        self._simulator = simulator
        self._interval = interval
        self._saved: tuple[int, str] | None = None
        self._save_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def load(self) -> Loaded | None:
        """Load the saved data into the (empty) engine and simulator; None if there is none."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LocalDataError(f"cannot create {self.directory}: {error.strerror}") from None
        if not self.path.exists():
            return None
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError("not a flowlogic data file of format 1")
            items = 0
            if self._engine is not None and state.get("dynamodb") is not None:
                with self._engine.exclusive():
                    items = moto_state.load(state["dynamodb"])
            self._simulator.import_state(state["stripe"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise LocalDataError(
                f"cannot load {self.path}: {error}; start with --fresh to ignore it "
                "(the next save replaces it)"
            ) from None
        self._saved = self._fingerprint(self._engine.writes if self._engine else 0)
        return Loaded(items=items, subscriptions=len(state["stripe"]["subscriptions"]))

    def start(self) -> None:
        """Save in the background whenever something changed, every `interval` seconds."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="flowlogic-local-data", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop the background saver and save one last time."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.save(force=True)

    def save(self, *, force: bool = False) -> bool:
        """Write the file if anything changed since the last save (always with `force`)."""
        with self._save_lock:
            if self._engine is not None:
                with self._engine.exclusive():  # no request half-applied in the copy
                    writes = self._engine.writes
                    tables = moto_state.dump()
            else:
                writes, tables = 0, None
            stripe = self._simulator.export_state()
            fingerprint = (writes, _digest(stripe))
            if not force and fingerprint == self._saved:
                return False
            document = {"format": FORMAT, "dynamodb": tables, "stripe": stripe}
            write_atomically(self.path, json.dumps(document, separators=(",", ":")).encode())
            self._saved = fingerprint
            return True

    def _fingerprint(self, writes: int) -> tuple[int, str]:
        return writes, _digest(self._simulator.export_state())

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self.save()
            except Exception:
                # The next interval retries; the previous file is intact (atomic writes).
                _log.exception("saving the local data failed")


def _digest(state: Any) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` by `data` so that a crash at any moment leaves the old or the new file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    # The rename itself is durable only once the directory is synced.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
