"""The registry as the intake reads it: every sensor's facts, read again every few seconds and
at once when a reading names a sensor not known yet (one just registered), at most once a second."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

from sqlalchemy import select

from coordination.intake.validation import SensorFacts
from coordination.store import Store
from coordination.store.tables import Agency, Sensor

REFRESH_S = 10.0
MISS_REFRESH_S = 5.0  # a stream of readings from an unregistered sensor must not read the registry each time


def load_registry(store: Store) -> dict[str, SensorFacts]:
    """Every registered sensor's facts, by id."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(Sensor.id, Sensor.kind, Sensor.unit, Sensor.longitude, Sensor.latitude, Agency.code,
                   Sensor.interval_s).join(Agency, Agency.id == Sensor.agency_id))
        return {row[0]: SensorFacts(*row) for row in rows}


class RegistryCache:
    """The registry, kept for `REFRESH_S` seconds of the process's monotonic clock (a cache's age,
    not the engine's time)."""

    def __init__(self, store: Store, *, refresh_s: float = REFRESH_S):
        self._store = store
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._facts: dict[str, SensorFacts] = {}
        self._loaded_at = -float("inf")
        self._missed: dict[str, float] = {}
        """Names not found at a reload, and when: asked again only after `MISS_REFRESH_S`."""

    def current(self) -> Mapping[str, SensorFacts]:
        with self._lock:
            if time.monotonic() - self._loaded_at >= self._refresh_s:
                self._reload()
            return self._facts

    def refreshed_for(self, names: set[str]) -> Mapping[str, SensorFacts]:
        """The registry, read again if some of `names` are unknown and were not missed just now."""
        with self._lock:
            now = time.monotonic()
            unknown = {name for name in names if name not in self._facts}
            if any(now - self._missed.get(name, -float("inf")) >= MISS_REFRESH_S for name in unknown):
                self._reload()
                if len(self._missed) > 10_000:  # bounded: names come from outside
                    self._missed.clear()
                self._missed.update({name: now for name in unknown if name not in self._facts})
            return self._facts

    def _reload(self) -> None:
        self._facts = load_registry(self._store)
        self._loaded_at = time.monotonic()
