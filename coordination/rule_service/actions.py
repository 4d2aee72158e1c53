"""Acting on what the rules decided, through the same use cases as a person.

A raised `declare` rule reports an incident as a duty officer would (`report_incident`: a firing
near an open incident of the type is linked to it by the duplicate check, and a new incident
starts its SOP); a higher band revises the incident's severity (`revise_incident`: the agencies
working it are told, and an SOP the new severity triggers starts); an `alert` rule raises an
officer alert; a `maintenance` rule sends the sensor's owning agency a `sensor.maintenance`
webhook (and `sensor.restored` when the sensor is heard again). Each decision goes on the
timeline with the readings it was made on.

The outcomes wait in `rule_outcomes` (an outbox): whichever process acts takes the writer lock
first, so each outcome is acted on once, in the order it was decided, whatever crashed between
the evaluation and here.
"""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.duplicates import DuplicatePolicy, report_incident
from coordination.incidents import DESCRIPTION_MAX_LENGTH, IncidentReport, Reporter
from coordination.lifecycles import IncidentStatus
from coordination.officer_alerts import raise_officer_alert
from coordination.principals import Principal, Role
from coordination.revisions import IncidentRevision, revise_incident
from coordination.rule_service.catalogue import definition_for
from coordination.rules import (
    AlertOfficer,
    Cleared,
    DeclareIncident,
    MaintenanceTask,
    Outcome,
    Raised,
    RuleDefinition,
    RuleRef,
    SeverityRaised,
)
from coordination.store import Store
from coordination.store.tables import Agency, Incident, RuleOutcome
from coordination.store.writer_lock import take_writer_lock
from coordination.webhooks.outbox import enqueue
from sop_engine import IcccError

log = structlog.get_logger(__name__)

ACT_BATCH = 50
"""Outcomes acted on per transaction: a burst (a storm raising a hundred gauges) commits in
steps, so the writer lock is never held for long."""


def rule_actor(ref: RuleRef) -> Principal:
    """Who a rule acts as on the timeline: an alert source, like a met office's CAP feed."""
    return Principal(token_id=None, name=f"rule {ref}", role=Role.ALERT_SOURCE)


def act_on_outcomes(*, store: Store, clock: Clock, duplicates: DuplicatePolicy = DuplicatePolicy()) -> int:
    """Act on every outcome waiting, oldest first; return how many were acted on."""
    acted = 0
    while True:
        with store.transaction() as session:
            take_writer_lock(session)  # before reading, so two processes never take the same outcome
            pending = session.scalars(select(RuleOutcome).where(RuleOutcome.acted_at.is_(None))
                                      .order_by(RuleOutcome.seq).limit(ACT_BATCH)).all()
            for row in pending:
                _act_in_savepoint(session, clock, row, duplicates)
        acted += len(pending)
        if len(pending) < ACT_BATCH:
            return acted


def _act_in_savepoint(session: Session, clock: Clock, row: RuleOutcome, duplicates: DuplicatePolicy) -> None:
    """Act on one outcome; a refusal (an SOP that cannot start, an incident closed meanwhile)
    is recorded as the outcome's result and raised to the duty officer, never lost."""
    try:
        with session.begin_nested():
            _act(session, clock, row, duplicates)
    except IcccError as error:
        row.result, row.note = "failed", str(error)[:2000]
        raise_officer_alert(session, at=clock.now(), kind="rule.failed",
                            summary=f"trigger rule {row.rule_id}@v{row.rule_version} could not act: {error}",
                            data={"episode": row.episode, "kind": row.kind})
        log.warning("rule_outcome_failed", episode=row.episode, kind=row.kind, error=str(error))
    row.acted_at = clock.now()


def outcome_of(row: RuleOutcome) -> Outcome:
    kinds = {"raised": Raised, "severity_raised": SeverityRaised, "cleared": Cleared}
    return msgspec.convert(row.body, kinds[row.kind])


def _act(session: Session, clock: Clock, row: RuleOutcome, duplicates: DuplicatePolicy) -> None:
    outcome = outcome_of(row)
    rule = definition_for(session, outcome.ref)
    action = rule.action
    if isinstance(outcome, Raised):
        if isinstance(action, DeclareIncident):
            _declare(session, clock, row, rule, action, outcome, duplicates)
        elif isinstance(action, AlertOfficer):
            _alert(session, clock, row, rule, action, outcome)
        else:
            assert isinstance(action, MaintenanceTask)
            _maintenance(session, clock, row, rule, action, outcome)
    elif isinstance(outcome, SeverityRaised):
        _revise(session, clock, row, rule, outcome)
    else:
        _cleared(session, clock, row, rule, outcome)


def _evidence(outcome: Raised | SeverityRaised) -> list[dict[str, Any]]:
    return [{"reading_id": item.reading_id, "sensor_id": item.sensor_id, "value": item.value, "unit": item.unit,
             "observed_at": item.observed_at.isoformat()} for item in outcome.evidence]


def _declare(session: Session, clock: Clock, row: RuleOutcome, rule: RuleDefinition, action: DeclareIncident,
             outcome: Raised, duplicates: DuplicatePolicy) -> None:
    actor = rule_actor(rule.ref)
    description = "; ".join(part for part in (action.description, outcome.reason) if part)
    report = IncidentReport(
        type=action.incident_type, severity=outcome.severity,
        location={"type": "Point", "coordinates": (outcome.longitude, outcome.latitude)},
        description=description[:DESCRIPTION_MAX_LENGTH], reporter=Reporter(name=f"rule {rule.ref}"),
    )
    result = report_incident(session=session, clock=clock, report=report, actor=actor, policy=duplicates)
    row.incident_id = result.incident.id
    row.result = "linked" if result.duplicate is not None else "declared"
    word = "linked to the open incident" if result.duplicate is not None else "declared an incident"
    audit.record(session, at=clock.now(), kind="rule.raised", actor=actor.label, incident_id=result.incident.id,
                 summary=f"{rule.title}: {outcome.reason} ({word})",
                 data={"rule": str(rule.ref), "episode": outcome.episode, "result": row.result,
                       "sensor_ids": list(outcome.sensor_ids), "readings": _evidence(outcome)})


def _alert(session: Session, clock: Clock, row: RuleOutcome, rule: RuleDefinition, action: AlertOfficer,
           outcome: Raised) -> None:
    raise_officer_alert(session, at=clock.now(), kind="rule.alert", summary=f"{action.message}: {outcome.reason}",
                        data={"rule": str(rule.ref), "episode": outcome.episode,
                              "sensor_ids": list(outcome.sensor_ids), "readings": _evidence(outcome)})
    row.result = "alerted"


def _maintenance(session: Session, clock: Clock, row: RuleOutcome, rule: RuleDefinition, action: MaintenanceTask,
                 outcome: Raised) -> None:
    now = clock.now()
    agency = session.scalar(select(Agency).where(Agency.code == outcome.agency)) if outcome.agency else None
    data = {"rule": str(rule.ref), "episode": outcome.episode, "sensor_ids": list(outcome.sensor_ids),
            "instruction": action.instruction, "reason": outcome.reason,
            "location": {"type": "Point", "coordinates": [outcome.longitude, outcome.latitude]},
            "readings": _evidence(outcome)}
    if agency is None:
        raise_officer_alert(session, at=now, kind="rule.maintenance_unrouted",
                            summary=f"{action.instruction} ({outcome.reason}); the sensor names no known agency "
                                    f"({outcome.agency or 'none'}): find who maintains it", data=data)
        row.result = "alerted"
        return
    enqueue(session, agency=agency, event_type="sensor.maintenance", at=now, data=data)
    audit.record(session, at=now, kind="rule.maintenance", actor=rule_actor(rule.ref).label,
                 summary=f"{agency.code} asked to look at {', '.join(outcome.sensor_ids)}: {outcome.reason}",
                 data={**data, "agency": agency.code})
    row.result, row.note = "maintenance", agency.code


def _revise(session: Session, clock: Clock, row: RuleOutcome, rule: RuleDefinition, outcome: SeverityRaised) -> None:
    raised = session.scalar(select(RuleOutcome).where(RuleOutcome.episode == outcome.episode,
                                                      RuleOutcome.kind == "raised"))
    incident = session.get(Incident, raised.incident_id) if raised is not None and raised.incident_id else None
    row.incident_id = incident.id if incident is not None else None
    if incident is None or incident.status is not IncidentStatus.OPEN:
        row.result, row.note = "unchanged", "no open incident of this episode to revise"
        return
    if outcome.severity.rank <= incident.severity.rank:
        row.result, row.note = "unchanged", f"the incident is already {incident.severity.value}"
        return
    actor = rule_actor(rule.ref)
    revise_incident(session=session, clock=clock, incident_id=incident.id,
                    revision=IncidentRevision(severity=outcome.severity), actor=actor)
    audit.record(session, at=clock.now(), kind="rule.severity_raised", actor=actor.label, incident_id=incident.id,
                 summary=f"{rule.title}: {outcome.reason}",
                 data={"rule": str(rule.ref), "episode": outcome.episode, "severity": outcome.severity.value,
                       "readings": _evidence(outcome)})
    row.result = "revised"


def _cleared(session: Session, clock: Clock, row: RuleOutcome, rule: RuleDefinition, outcome: Cleared) -> None:
    """Nothing is stood down (that stays a person's call); a maintenance request is closed."""
    row.result = "cleared"
    if not isinstance(rule.action, MaintenanceTask):
        return
    raised = session.scalar(select(RuleOutcome).where(RuleOutcome.episode == outcome.episode,
                                                      RuleOutcome.kind == "raised"))
    if raised is None or raised.result != "maintenance":
        return
    agency = session.scalar(select(Agency).where(Agency.code == raised.note))
    if agency is not None:
        enqueue(session, agency=agency, event_type="sensor.restored", at=clock.now(),
                data={"rule": str(rule.ref), "episode": outcome.episode, "reason": outcome.reason,
                      "sensor_ids": raised.body.get("sensor_ids", [])})
