"""The SOP runtime: `advance(run, event, now) -> (run, commands)`.

Pure: no I/O, no clock but the `now` it is given, no randomness. The same run and event give
the same new run and the same commands, which is what lets a drill run the production SOPs in
simulated time and a run be replayed from its events.

Idempotent by construction: an event that changes nothing (a repeated acknowledgement, a timer
that was already cancelled, the same decision twice) returns the run unchanged and no commands.

One event's changes are made on a scratch copy of the run (`working.Working`) by its handler
(`event_handlers`, `deadlines.fire`), which settle steps through `settling`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sop_engine import event_handlers as on
from sop_engine.commands import Command
from sop_engine.deadlines import fire
from sop_engine.definition import SopDefinition
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
from sop_engine.working import RUNNING, Working

def new_run(*, run_id: str, definition: SopDefinition, incident: IncidentFacts) -> SopRun:
    """Return a run that has not started; feed it `RunStarted` to begin."""
    return SopRun(run_id, definition, incident)


def advance(run: SopRun, event: Event, now: datetime) -> tuple[SopRun, list[Command]]:
    """Apply `event` at `now`; return the new run and the commands the service must execute.

    The run given is never changed: one event's changes are made on a private copy of the
    run's step, task and timer tables, frozen into a new run at the end.

    Raises:
        SopRuntimeError: the event names a task, step or option this run does not have,
            contradicts an earlier event (another option for a decided step), or starts a
            run twice.
    """
    if now.tzinfo is None:
        raise SopRuntimeError("`now` must be timezone-aware")
    if run.status is not RUNNING:
        return run, []
    handler = _HANDLERS.get(type(event))
    if handler is None:
        handler = next((handler for kind, handler in _HANDLERS.items() if isinstance(event, kind)), None)
        if handler is None:
            raise SopRuntimeError(f"unknown event {event!r}")
    working = Working(run, now)
    handler(working, event)
    if not working.changed:
        return run, []
    return working.result(), working.commands


_HANDLERS: dict[type, Callable[[Working, Any], None]] = {
    RunStarted: on.start,
    TasksAssigned: on.assign,
    TaskAcknowledged: on.acknowledge,
    TaskCompleted: on.complete,
    TaskRejected: on.reject,
    TimerFired: fire,
    DecisionTaken: on.decide,
    NoticeApproved: on.approve_notice,
    NoticeWithheld: on.withhold_notice,
    DispatchConfirmed: on.confirm_dispatch,
    DevicesCommanded: on.devices_commanded,
    DeviceAnswered: on.device_answered,
    IncidentRevised: on.revise,
    StoodDown: on.stand_down,
}
"""What each kind of event does to a run."""
