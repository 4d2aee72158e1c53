"""Starting an SOP by hand: the duty officer chooses an active SOP for an incident's type when
none started on its own (no trigger matched the severity, it was declared before the SOP was
uploaded) or a second procedure is needed beside the first.

The SOP's minimum severity is not checked: the officer's judgement overrides it, and the
timeline says who started what.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.errors import Conflict, InvalidInput, NotFound
from coordination.lifecycles import IncidentStatus
from coordination.principals import Principal
from coordination.runs import start_run
from coordination.sop_catalogue import definition_of
from coordination.store.tables import Incident, SopRunRecord, SopVersion
from sop_engine import RunStatus, SopDefinition


def startable_sops(session: Session, *, incident_type: str) -> list[SopDefinition]:
    """The active SOPs whose trigger names `incident_type`, by id."""
    active = session.scalars(select(SopVersion).where(SopVersion.is_active.is_(True))
                             .order_by(SopVersion.sop_id)).all()
    return [definition for definition in map(definition_of, active)
            if incident_type in definition.trigger.incident_types]


def start_sop_by_hand(*, session: Session, clock: Clock, incident_id: uuid.UUID, sop_id: str,
                      actor: Principal) -> SopRunRecord:
    """Start the active version of `sop_id` on an open incident, as `actor`.

    Raises:
        NotFound: no such incident.
        Conflict: the incident is not open, or this SOP is already running on it.
        InvalidInput (field ``sop_id``): no active version of that SOP, or its trigger does not
            name the incident's type.
    """
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    if incident.status is not IncidentStatus.OPEN:
        raise Conflict(f"incident {incident_id} is {incident.status.value}: an SOP starts only on an open incident")
    choices = startable_sops(session, incident_type=incident.incident_type)
    definition = next((choice for choice in choices if choice.ref.sop_id == sop_id), None)
    if definition is None:
        known = ", ".join(choice.ref.sop_id for choice in choices) or "none"
        raise InvalidInput(f"no active SOP {sop_id!r} for a {incident.incident_type}; active SOPs for this type: "
                           f"{known}", field="sop_id")
    running = session.scalar(select(SopRunRecord.id).where(
        SopRunRecord.incident_id == incident.id, SopRunRecord.sop_id == sop_id,
        SopRunRecord.status == RunStatus.RUNNING.value))
    if running is not None:
        raise Conflict(f"SOP {sop_id} is already running on incident {incident_id} (run {running})")
    return start_run(session=session, clock=clock, incident=incident, definition=definition, actor=actor.label)
