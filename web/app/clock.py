"""The wall clock: only the server process reads it, and passes it down as a `Clock`."""

from __future__ import annotations

from datetime import datetime, timezone


class WallClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)
