"""Unit positions and statuses over MQTT (vehicle trackers, an agency's AVL gateway), through the
same use cases and validation as the REST AVL routes (`POST /units/{id}/position|status`).

Topics are `<prefix>/<agency code>/<unit code>/position` with a `PositionFix` body
(`{"location": GeoJSON Point, "fixed_at": ...}`) and `.../status` with a `StatusReport` body
(`{"status": "on_scene", "note": ...}`). The agency in the topic is the reporter, as an agency's
token is on the REST route: it moves only its own units (a broker ACL gives each gateway its
own prefix). A batch is one transaction, each message in a savepoint, so one bad message refuses
only itself. A refused message
is kept as an intake dead letter with its reason and counted, like a refused reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog
from pydantic import ValidationError
from sqlalchemy import select

from coordination.clock import Clock
from coordination.dispatch_service import PositionFix, StatusReport, record_position, report_status
from coordination.errors import CoordinationError
from coordination.intake.records import Refusal
from coordination.intake.senml import kept_payload
from coordination.intake.storage import insert_dead_letters
from coordination.metrics import INTAKE_REFUSALS, VEHICLE_MESSAGES
from coordination.principals import Principal, Role
from coordination.store import Store
from coordination.store.tables import Agency, ResponseUnit

log = structlog.get_logger(__name__)


class VehicleMessage(Protocol):
    topic: str
    payload: bytes


@dataclass(frozen=True)
class VehicleResult:
    applied: int
    refused: list[Refusal]


@dataclass
class VehicleStream:
    store: Store
    clock: Clock

    def take(self, messages: Sequence[VehicleMessage]) -> VehicleResult:
        """Apply a batch of position and status messages; keep each refused one as a dead letter."""
        refused: list[tuple[Refusal, str, str]] = []
        applied = 0
        positions = _known_forms(messages, refused)
        with self.store.transaction() as session:
            units, agencies = _look_up(session, messages)
            for message, kind, body in positions:
                agency_code, unit_code = message.topic.split("/")[-3:-1]
                try:
                    with session.begin_nested():
                        unit = units.get(unit_code)
                        agency = agencies.get(agency_code)
                        if unit is None or agency is None or unit.agency_id != agency.id:
                            raise LookupError(f"agency {agency_code!r} has no unit {unit_code!r}")
                        reporter = Principal(token_id=None, name=f"avl:{agency_code}", role=Role.AGENCY,
                                             agency_id=agency.id)
                        if kind == "position":
                            record_position(session=session, clock=self.clock, principal=reporter, unit_id=unit.id,
                                            fix=PositionFix.model_validate_json(body))
                        else:
                            report_status(session=session, clock=self.clock, principal=reporter, unit_id=unit.id,
                                          report=StatusReport.model_validate_json(body))
                    applied += 1
                except ValidationError as error:
                    first = error.errors(include_url=False)[0]
                    where = ".".join(str(part) for part in first["loc"]) or "body"
                    refused.append((_refusal("malformed", f"{where}: {first['msg']}", message), "mqtt", message.topic))
                except LookupError as error:
                    refused.append((_refusal("unknown_unit", str(error), message), "mqtt", message.topic))
                except CoordinationError as error:
                    problem = "future" if getattr(error, "field", "") == "fixed_at" else "refused"
                    refused.append((_refusal(problem, str(error), message), "mqtt", message.topic))
        if refused:
            with self.store.engine.begin() as connection:
                insert_dead_letters(connection, refused, received_at=self.clock.now())
        VEHICLE_MESSAGES.labels(outcome="applied").inc(applied)
        VEHICLE_MESSAGES.labels(outcome="refused").inc(len(refused))
        for refusal, _source, _origin in refused:
            INTAKE_REFUSALS.labels(source="mqtt", problem=refusal.problem).inc()
        return VehicleResult(applied=applied, refused=[refusal for refusal, _, _ in refused])


def _known_forms(messages: Sequence[VehicleMessage], refused: list) -> list[tuple[VehicleMessage, str, bytes]]:
    """The messages on a topic of a known form, in arrival order (each is applied; a fix older
    than the unit's is ignored by the use case); the others refused."""
    kept: list[tuple[VehicleMessage, str, bytes]] = []
    for message in messages:
        parts = message.topic.split("/")
        kind = parts[-1] if len(parts) >= 3 else ""
        if kind not in ("position", "status"):
            refused.append((_refusal("topic", "a vehicle topic ends in <agency>/<unit>/position or /status",
                                     message), "mqtt", message.topic))
            continue
        kept.append((message, kind, message.payload))
    return kept


def _look_up(session, messages: Sequence[VehicleMessage]) -> tuple[dict[str, ResponseUnit], dict[str, Agency]]:
    codes = {message.topic.split("/")[-2] for message in messages if message.topic.count("/") >= 2}
    agency_codes = {message.topic.split("/")[-3] for message in messages if message.topic.count("/") >= 2}
    units = {unit.code: unit for unit in session.scalars(select(ResponseUnit).where(ResponseUnit.code.in_(codes)))}
    agencies = {agency.code: agency for agency in session.scalars(select(Agency).where(Agency.code.in_(agency_codes)))}
    return units, agencies


def _refusal(problem: str, reason: str, message: VehicleMessage) -> Refusal:
    return Refusal(problem=problem, reason=reason, payload=kept_payload(message.payload))
