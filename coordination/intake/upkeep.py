"""The intake's background jobs: let time pass for the sensor rules (stale sensors, correlation
windows that expire), and keep the readings table to its retention (older readings down-sampled
to one mean, minimum and maximum per sensor and bucket; the oldest removed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from coordination.clock import Clock
from coordination.duplicates import DuplicatePolicy
from coordination.intake.settings import ReadingRetention
from coordination.rule_service import act_on_outcomes, tick_rules
from coordination.rules import SensorStatus
from coordination.store import Store
from coordination.store.tables import Agency, Sensor, SensorLatest, SensorReading

DOWNSAMPLE_BATCH = 20_000  # readings per transaction: a long backlog is worked off over several ticks
DOWNSAMPLED = "downsampled"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def sensor_statuses(store: Store) -> list[SensorStatus]:
    """Every registered sensor and when it last reported, for the staleness check."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(Sensor.id, Sensor.kind, Sensor.interval_s, SensorLatest.observed_at, Sensor.registered_at,
                   Sensor.longitude, Sensor.latitude, Agency.code)
            .join(Agency, Agency.id == Sensor.agency_id)
            .outerjoin(SensorLatest, SensorLatest.sensor_id == Sensor.id))
        return [SensorStatus(sensor_id=row[0], kind=row[1], interval_s=row[2],
                             last_observed_at=_aware(row[3]), registered_at=_aware(row[4]), longitude=row[5],
                             latitude=row[6], agency=row[7]) for row in rows]


def tick_sensor_rules(*, store: Store, clock: Clock, duplicates: DuplicatePolicy = DuplicatePolicy()) -> int:
    """Let time pass for the whole-kind rules, then act on every outcome waiting (those just
    decided, and any a consumer decided but stopped before acting on); return how many."""
    tick_rules(store=store, clock=clock, sensors=sensor_statuses(store))
    return act_on_outcomes(store=store, clock=clock, duplicates=duplicates)


@dataclass(frozen=True)
class Downsampled:
    merged: int
    """Raw readings folded into buckets."""
    removed: int
    """Readings (raw or buckets) past the whole retention, deleted."""


def downsample_readings(*, store: Store, clock: Clock, retention: ReadingRetention,
                        batch: int = DOWNSAMPLE_BATCH) -> Downsampled:
    """Fold raw readings older than `retention.raw` into one row per sensor and bucket, and delete
    every reading older than `retention.keep`; one batch, in one transaction."""
    now = clock.now()
    table = SensorReading.__table__
    with store.engine.begin() as connection:
        removed = connection.execute(delete(table).where(table.c.observed_at < now - retention.keep)).rowcount
        rows = connection.execute(
            select(table.c.reading_id, table.c.sensor_id, table.c.observed_at, table.c.value, table.c.unit)
            .where(table.c.samples == 1, table.c.observed_at < now - retention.raw, table.c.source != DOWNSAMPLED)
            .order_by(table.c.observed_at).limit(batch)).all()
        if not rows:
            return Downsampled(merged=0, removed=removed)
        buckets: dict[tuple[str, datetime, str], list[float]] = defaultdict(list)
        for _reading_id, sensor_id, observed_at, value, unit in rows:
            buckets[(sensor_id, _bucket_start(_aware(observed_at), retention.bucket), unit)].append(value)
        connection.execute(delete(table).where(table.c.reading_id.in_([row[0] for row in rows])))
        _merge_buckets(connection, table, buckets, now)
    return Downsampled(merged=len(rows), removed=removed)


def _merge_buckets(connection, table, buckets: dict[tuple[str, datetime, str], list[float]], now: datetime) -> None:
    """Add each bucket's values to its row (made if missing): a bucket filled over several batches
    keeps the right mean, minimum, maximum and count."""
    insert = postgresql_insert(table) if connection.dialect.name == "postgresql" else sqlite_insert(table)
    statement = insert.on_conflict_do_update(index_elements=["reading_id"], set_={
        "value": (table.c.value * table.c.samples + insert.excluded.value * insert.excluded.samples)
        / (table.c.samples + insert.excluded.samples),
        "samples": table.c.samples + insert.excluded.samples,
        "value_min": _least(connection, table.c.value_min, insert.excluded.value_min),
        "value_max": _greatest(connection, table.c.value_max, insert.excluded.value_max),
    })
    for (sensor_id, start, unit), values in sorted(buckets.items()):
        connection.execute(statement, {
            "reading_id": f"{sensor_id}@bucket:{start.isoformat()}", "sensor_id": sensor_id, "observed_at": start,
            "value": sum(values) / len(values), "unit": unit, "source": DOWNSAMPLED, "received_at": now,
            "samples": len(values), "value_min": min(values), "value_max": max(values)})


def _least(connection, left, right):
    # SQLite's two-argument min and max are PostgreSQL's least and greatest.
    return func.least(left, right) if connection.dialect.name == "postgresql" else func.min(left, right)


def _greatest(connection, left, right):
    return func.greatest(left, right) if connection.dialect.name == "postgresql" else func.max(left, right)


def _bucket_start(moment: datetime, bucket: timedelta) -> datetime:
    return _EPOCH + ((moment - _EPOCH) // bucket) * bucket


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
