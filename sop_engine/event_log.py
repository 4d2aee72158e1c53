"""Events to JSON and back, so a run's events can be stored and the run replayed from them.

Replaying a run's stored events through `advance` reproduces the saved run exactly: that is
how an auditor checks a run, and how a drill's run can be examined step by step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterable

import msgspec

from sop_engine.definition import SopDefinition, SopRef
from sop_engine.errors import SopRuntimeError
from sop_engine.events import (
    DecisionTaken,
    DeviceAnswered,
    DevicesCommanded,
    DispatchConfirmed,
    Event,
    IncidentRevised,
    NoticeApproved,
    NoticeWithheld,
    RunStarted,
    StoodDown,
    TaskAcknowledged,
    TaskCompleted,
    TaskRejected,
    TasksAssigned,
    TimerFired,
)
from sop_engine.run import IncidentFacts, SopRun
from sop_engine.runtime import advance, new_run
from sop_engine.vocabulary import Severity

EVENT_TYPES: dict[str, type] = {
    "run_started": RunStarted,
    "tasks_assigned": TasksAssigned,
    "task_acknowledged": TaskAcknowledged,
    "task_completed": TaskCompleted,
    "task_rejected": TaskRejected,
    "timer_fired": TimerFired,
    "decision_taken": DecisionTaken,
    "notice_approved": NoticeApproved,
    "notice_withheld": NoticeWithheld,
    "dispatch_confirmed": DispatchConfirmed,
    "devices_commanded": DevicesCommanded,
    "device_answered": DeviceAnswered,
    "incident_revised": IncidentRevised,
    "stood_down": StoodDown,
}
_NAME_OF = {event_type: name for name, event_type in EVENT_TYPES.items()}


_CARRYING_FACTS = (RunStarted, IncidentRevised)
"""Events whose one field is the incident's facts, stored as a run stores them."""


def _facts_to_json(facts: IncidentFacts) -> dict[str, Any]:
    return {"type": facts.incident_type, "severity": facts.severity.value, "details": dict(sorted(facts.details.items()))}


def _facts_from_json(data: dict[str, Any]) -> IncidentFacts:
    return IncidentFacts(data["type"], Severity(data["severity"]), data.get("details", {}))


def event_to_json(event: Event) -> dict[str, Any]:
    """Return a JSON-ready dict of `event`, named by its `type`."""
    if isinstance(event, _CARRYING_FACTS):
        body: dict[str, Any] = {"incident": _facts_to_json(event.incident)}
    else:
        body = {key: list(value) if isinstance(value, tuple) else value
                for key, value in msgspec.structs.asdict(event).items()}
    return {"type": _NAME_OF[type(event)], **body}


def event_from_json(data: dict[str, Any]) -> Event:
    """Rebuild an event saved by `event_to_json`.

    Raises:
        SopRuntimeError: the type is unknown or the fields do not match it.
    """
    event_type = EVENT_TYPES.get(data.get("type", ""))
    if event_type is None:
        raise SopRuntimeError(f"unknown event type {data.get('type')!r}")
    if event_type in _CARRYING_FACTS:
        try:
            return event_type(_facts_from_json(data["incident"]))
        except KeyError as missing:
            raise SopRuntimeError(f"event {data['type']} lacks {missing}") from None
    try:
        values = {
            name: tuple(data[name]) if isinstance(data[name], list) else data[name]
            for name in event_type.__struct_fields__
        }
    except KeyError as missing:
        raise SopRuntimeError(f"event {data['type']} lacks {missing}") from None
    return event_type(**values)


def replay(
    *,
    run_id: str,
    definition: SopDefinition,
    incident: IncidentFacts,
    events: Iterable[tuple[datetime, Event]],
) -> SopRun:
    """Rebuild a run by applying its recorded events, at their recorded times, to a new run.

    `incident` is what was known when the run started; the revisions since (`IncidentRevised`)
    are among the events, so each step's condition is read on the facts of its own moment.
    """
    run = new_run(run_id=run_id, definition=definition, incident=incident)
    for at, event in events:
        run, _ = advance(run, event, at)
    return run


def replay_from_json(
    records: Iterable[dict[str, Any]], *, run_id: str, definition_for: Callable[[SopRef], SopDefinition], ref: SopRef,
    incident: IncidentFacts,
) -> SopRun:
    """Replay stored records of the form `{"at": iso-time, "event": event_to_json(...)}`."""
    return replay(
        run_id=run_id,
        definition=definition_for(ref),
        incident=incident,
        events=((datetime.fromisoformat(record["at"]), event_from_json(record["event"])) for record in records),
    )
