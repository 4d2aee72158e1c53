"""Receiving a CAP alert: record it once, then declare, update or cancel the incident it names.

`Actual` alerts act: an Alert declares an incident (its SOP starts), an Update revises the
incident its `references` name (or declares one if none is known), a Cancel stands its SOP down
(open tasks cancelled, each agency told, units released), closes it and tells the duty officer,
who can declare it again if reports from the ground say the danger is real. `Exercise` alerts open an exercise incident whose SOP
is never started; `Test`, `Draft` and `System` alerts are only recorded. Whatever the engine cannot
act on (no mapping, no location) is recorded and raised to the duty officer.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordination import audit
from coordination.cap.geocodes import GeocodeTable
from coordination.cap.mapping import CapMapping, IncidentDraft, OutsideTerritory, map_alert
from coordination.cap.model import CapAlert
from coordination.cap.parsing import InvalidCapAlert, parse_cap_alert, parse_xml_safely
from coordination.cap.refusals import Refusal, RefusedCapAlert, record_refusal
from coordination.cap.signatures import CapTrust, SignatureOutcome, check_signature
from coordination.cap.territory import territory_of
from coordination.cap.wrappers import unwrap
from coordination.clock import Clock
from coordination.errors import Conflict, RecordedRefusal
from coordination.duplicates import DuplicatePolicy, report_incident
from coordination.incidents import IncidentReport
from coordination.duty import stand_incident_down
from coordination.lifecycles import IncidentStatus
from coordination.officer_alerts import raise_officer_alert
from coordination.principals import Principal
from coordination.revisions import IncidentRevision, describe_changes, revise_incident
from coordination.store.tables import Agency, CapAlertRecord, Incident


@dataclass(frozen=True)
class CapPlaces:
    """Where the centre acts and the codes it can place: from the settings, read at start-up."""

    territory: BaseGeometry | None = None
    """The configured boundary (ICCC_TERRITORY); None: the union of the agencies' jurisdictions."""
    geocodes: GeocodeTable = GeocodeTable()


@dataclass(frozen=True)
class CapReceipt:
    record: CapAlertRecord
    alert: CapAlert
    repeated: bool
    """The same alert (sender, identifier, sent) had been received before: nothing was done again."""
    detail: str


def _report(draft: IncidentDraft, *, is_exercise: bool) -> IncidentReport:
    return IncidentReport.model_validate({
        "type": draft.incident_type, "severity": draft.severity.value,
        "location": {"type": "Point", "coordinates": [draft.longitude, draft.latitude]},
        "place_name": draft.place_name, "description": draft.description,
        "reporter": {"name": draft.sender_name or "CAP alert"}, "is_exercise": is_exercise,
    })


def receive_cap_alert(*, session: Session, clock: Clock, data: bytes, mapping: CapMapping, actor: Principal,
                      duplicates: DuplicatePolicy = DuplicatePolicy(), trust: CapTrust = CapTrust(),
                      places: CapPlaces = CapPlaces(), label: str = "") -> CapReceipt:
    """Check, record and act on a CAP 1.2 alert, in the caller's transaction. An alert about an
    incident already open nearby (two sources warning of one flood) is linked to it, exactly as a
    duplicate report through the API is, so one event never starts two SOPs. An alert from a sender
    that `trust` holds certificates for must be signed by one of them; the engine acts on what the
    signature covers.

    Raises:
        RefusedCapAlert: unsafe, not CAP 1.2, schema-invalid, breaking a CAP rule or with a signature
            that cannot be trusted (see `check_signature`); the refusal is recorded on the timeline
            (and raised to the duty officer, once an hour per source) first. `label` says where in
            a wrapper the alert was.
        Conflict: the same alert is being received at this very moment by another request.
    """
    try:
        alert, signature = _trusted_alert(clock=clock, data=data, trust=trust)
    except InvalidCapAlert as error:
        # Refused before anything was written: the refusal is all this transaction keeps.
        refusal = record_refusal(session, clock=clock, actor=actor, data=data, error=error, label=label)
        if isinstance(error, RecordedRefusal):
            raise  # a signature refusal (CapAlertRefused), now on record
        raise RefusedCapAlert(refusal.reason, field=error.field) from None
    return _receive_checked(session=session, clock=clock, data=data, alert=alert, signature=signature, mapping=mapping,
                            actor=actor, duplicates=duplicates, places=places)


def _receive_checked(*, session: Session, clock: Clock, data: bytes, alert: CapAlert, signature: SignatureOutcome,
                     mapping: CapMapping, actor: Principal, duplicates: DuplicatePolicy,
                     places: CapPlaces) -> CapReceipt:
    existing = _received(session, alert)
    if existing is not None:
        return CapReceipt(existing, alert, True, "this alert was received before; nothing was done again")
    now = clock.now()
    record = CapAlertRecord(
        sender=alert.sender, identifier=alert.identifier, sent=alert.sent, status=alert.status,
        msg_type=alert.msg_type, event=(alert.infos[0].event if alert.infos else "")[:500], outcome="recorded",
        received_by=actor.label, received_at=now, xml=_as_text(data), signature=signature.value,
    )
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        # The same alert arrived on another connection at this moment; once it has committed it is
        # simply a repeat (PostgreSQL's unique index made this insert wait for it).
        existing = _received(session, alert)
        if existing is None:
            raise Conflict("this CAP alert is being received by another request at this moment") from None
        return CapReceipt(existing, alert, True, "this alert was received before; nothing was done again")
    detail = _act(session=session, clock=clock, alert=alert, record=record, mapping=mapping, actor=actor,
                  duplicates=duplicates, places=places)
    record.detail = detail[:2000]
    audit.record(session, at=now, kind="cap.received", actor=actor.label, incident_id=record.incident_id,
                 summary=f"CAP {alert.status} {alert.msg_type} {alert.identifier} from {alert.sender}: {detail}",
                 data={"cap_alert_id": str(record.id), "identifier": alert.identifier, "sender": alert.sender,
                       "outcome": record.outcome})
    return CapReceipt(record, alert, False, detail)


def _trusted_alert(*, clock: Clock, data: bytes, trust: CapTrust) -> tuple[CapAlert, SignatureOutcome]:
    """The alert as far as its signature vouches for it."""
    alert = parse_cap_alert(data)
    check = check_signature(data, sender=alert.sender, trust=trust, at=clock.now())
    if check.outcome is SignatureOutcome.VERIFIED:
        alert = parse_cap_alert(check.content)
    return alert, check.outcome


@dataclass(frozen=True)
class CapMessageReceipt:
    wrapper: str
    """`EDXL-DE`, `<alerts>`, or "" for a bare alert."""
    receipts: tuple[CapReceipt, ...]
    refusals: tuple[Refusal, ...]


def receive_cap_message(*, session: Session, clock: Clock, data: bytes, mapping: CapMapping, actor: Principal,
                        duplicates: DuplicatePolicy = DuplicatePolicy(), trust: CapTrust = CapTrust(),
                        places: CapPlaces = CapPlaces()) -> CapMessageReceipt:
    """Receive a bare alert, or each alert of an EDXL-DE envelope or an `<alerts>` collection in
    turn: one refused (its reason naming where in the wrapper it was) leaves the others standing.

    Raises:
        RefusedCapAlert: a bare alert refused, or a wrapper with nothing in it (on record first).
    """
    try:
        wrapper, parts = unwrap(data)
    except InvalidCapAlert as error:
        refusal = record_refusal(session, clock=clock, actor=actor, data=data, error=error)
        raise RefusedCapAlert(refusal.reason, field=error.field) from None
    if not wrapper:
        return CapMessageReceipt("", (receive_cap_alert(session=session, clock=clock, data=data, mapping=mapping,
                                                        actor=actor, duplicates=duplicates, trust=trust,
                                                        places=places),), ())
    receipts, refusals = [], []
    for part in parts:
        if part.data is None:
            refusals.append(record_refusal(session, clock=clock, actor=actor, data=None, label=part.label,
                                           error=InvalidCapAlert(part.problem, field=wrapper)))
            continue
        try:
            alert, signature = _trusted_alert(clock=clock, data=part.data, trust=trust)
        except InvalidCapAlert as error:
            refusals.append(record_refusal(session, clock=clock, actor=actor, data=part.data, error=error,
                                           label=part.label))
            continue
        receipts.append(_receive_checked(session=session, clock=clock, data=part.data, alert=alert,
                                         signature=signature, mapping=mapping, actor=actor, duplicates=duplicates,
                                         places=places))
    return CapMessageReceipt(wrapper, tuple(receipts), tuple(refusals))


def _received(session: Session, alert: CapAlert) -> CapAlertRecord | None:
    return session.scalar(select(CapAlertRecord).where(
        CapAlertRecord.sender == alert.sender, CapAlertRecord.identifier == alert.identifier,
        CapAlertRecord.sent == alert.sent))


def _as_text(data: bytes) -> str:
    """The alert as text, decoded as its XML declaration says (CAP allows other encodings than UTF-8)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        encoding = parse_xml_safely(data).getroottree().docinfo.encoding or "utf-8"
        return data.decode(encoding, errors="replace")


def territory(session: Session, places: CapPlaces) -> BaseGeometry | None:
    """The configured boundary, else the union of the agencies' jurisdictions (None if neither)."""
    if places.territory is not None:
        return places.territory
    return territory_of(session.scalars(select(Agency.jurisdiction).where(Agency.jurisdiction.is_not(None))))


def _act(*, session: Session, clock: Clock, alert: CapAlert, record: CapAlertRecord, mapping: CapMapping,
         actor: Principal, duplicates: DuplicatePolicy, places: CapPlaces) -> str:
    if alert.status not in ("Actual", "Exercise") or alert.msg_type in ("Ack", "Error"):
        return f"{alert.status} {alert.msg_type}: recorded only; no SOP is started"
    referenced = _referenced_incident(session, alert)
    if alert.msg_type == "Cancel":
        return _cancel(session=session, clock=clock, alert=alert, record=record, incident=referenced, actor=actor)
    decision = map_alert(alert, mapping, geocodes=places.geocodes, territory=territory(session, places))
    if isinstance(decision, OutsideTerritory):
        record.outcome = "outside"  # a national feed's alerts for elsewhere: no officer alert for each
        return decision.reason
    if not isinstance(decision, IncidentDraft):
        raise_officer_alert(session, at=clock.now(), kind="cap.not_actionable",
                            incident_id=referenced.id if referenced else None,
                            summary=f"CAP alert {alert.identifier} from {alert.sender} needs a person: {decision.reason}",
                            data={"cap_alert_id": str(record.id)})
        return f"not turned into an incident: {decision.reason}"
    if alert.msg_type == "Update" and referenced is not None:
        return _update(session=session, clock=clock, alert=alert, record=record, incident=referenced,
                       draft=decision, actor=actor)
    if alert.status == "Exercise":
        incident = _exercise_incident(session=session, clock=clock, draft=decision, actor=actor)
        record.incident_id, record.outcome = incident.id, "exercise"
        return f"exercise incident {incident.id} opened; no live SOP started"
    outcome = report_incident(session=session, clock=clock, report=_report(decision, is_exercise=False),
                              actor=actor, policy=duplicates)
    record.incident_id = outcome.incident.id
    if outcome.duplicate is not None:
        record.outcome = "linked"
        return (f"linked to open incident {outcome.incident.id}, {outcome.duplicate.distance_m:.0f} m away "
                f"({decision.severity.value} {decision.incident_type}); no second SOP started")
    record.outcome = "declared"
    return (f"declared incident {outcome.incident.id} ({decision.severity.value} {decision.incident_type}, "
            f"by {decision.matched_by}, placed by {decision.placed_by})")


def _referenced_incident(session: Session, alert: CapAlert) -> Incident | None:
    """The incident of the newest referenced alert the engine knows."""
    for reference in reversed(alert.references):
        found = session.scalar(select(CapAlertRecord).where(
            CapAlertRecord.sender == reference.sender, CapAlertRecord.identifier == reference.identifier,
            CapAlertRecord.sent == reference.sent, CapAlertRecord.incident_id.is_not(None)))
        if found is not None:
            return session.get(Incident, found.incident_id)
    return None


def _update(*, session: Session, clock: Clock, alert: CapAlert, record: CapAlertRecord, incident: Incident,
            draft: IncidentDraft, actor: Principal) -> str:
    """Revise the referenced incident to what the Update says, as a duty officer's revision would:
    severity, place, location and description; the runs and the agencies working it are told."""
    record.incident_id = incident.id
    if incident.status is not IncidentStatus.OPEN:
        record.outcome = "recorded"
        raise_officer_alert(session, at=clock.now(), kind="cap.not_actionable", incident_id=incident.id,
                            summary=f"CAP alert {alert.identifier} from {alert.sender} updates incident "
                            f"{incident.id}, which is {incident.status.value}: not revised; declare it again if needed",
                            data={"cap_alert_id": str(record.id)})
        return f"incident {incident.id} is {incident.status.value}: recorded only, the duty officer is told"
    record.outcome = "updated"
    revision = IncidentRevision.model_validate({
        "severity": draft.severity.value, "place_name": draft.place_name, "description": draft.description,
        "location": {"type": "Point", "coordinates": [draft.longitude, draft.latitude]},
    })
    outcome = revise_incident(session=session, clock=clock, incident_id=incident.id, revision=revision, actor=actor)
    return f"updated incident {incident.id}: {describe_changes(outcome.changes)}"


def _cancel(*, session: Session, clock: Clock, alert: CapAlert, record: CapAlertRecord, incident: Incident | None,
            actor: Principal) -> str:
    now = clock.now()
    if incident is None:
        return "Cancel for alerts this engine does not know: recorded only"
    record.incident_id, record.outcome = incident.id, "cancelled"
    reason = f"cancelled by CAP alert {alert.identifier} from {alert.sender}"
    audit.record(session, at=now, kind="incident.cancelled", actor=actor.label, incident_id=incident.id,
                 summary=reason, data={"cap_alert_id": str(record.id)})
    if incident.status is not IncidentStatus.CLOSED:
        stand_incident_down(session=session, clock=clock, incident=incident, reason=reason, actor=actor.label)
    raise_officer_alert(session, at=now, kind="cap.cancelled", incident_id=incident.id,
                        summary=f"the alert behind incident {incident.id} was cancelled by its sender, so its SOP "
                        "was stood down; declare it again if reports from the ground say otherwise",
                        data={"cap_alert_id": str(record.id)})
    return f"cancelled incident {incident.id}"


def _exercise_incident(*, session: Session, clock: Clock, draft: IncidentDraft, actor: Principal) -> Incident:
    """An exercise incident: recorded and shown, but no SOP run, so no live task reaches an agency."""
    now = clock.now()
    incident = Incident(
        incident_type=draft.incident_type, severity=draft.severity, longitude=draft.longitude,
        latitude=draft.latitude, place_name=draft.place_name, description=draft.description,
        reporter_name=draft.sender_name, is_exercise=True, declared_by=actor.label, declared_at=now,
    )
    session.add(incident)
    session.flush()
    audit.record(session, at=now, kind="incident.declared", actor=actor.label, incident_id=incident.id,
                 summary=f"{draft.severity.value} {draft.incident_type} exercise from a CAP alert; no SOP started",
                 data={"type": draft.incident_type, "severity": draft.severity.value,
                       "location": [draft.longitude, draft.latitude], "place_name": draft.place_name})
    return incident
