"""Runs to JSON and back, with a format version, so a run survives restarts and can be audited.

The definition is not copied into the saved run: it is referred to by `SopRef` and looked up
again on restore, which is how a run stays pinned to the version it started with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sop_engine.definition import SopDefinition, SopRef
from sop_engine.errors import SopRuntimeError
from sop_engine.run import (
    IncidentFacts,
    RunStatus,
    RunTaskStatus,
    SopRun,
    StepState,
    StepStatus,
    TaskState,
)
from sop_engine.vocabulary import Severity

FORMAT_VERSION = 3
READABLE_FORMATS = (1, 2, 3)
"""Format 1 (before decisions, dispatch and details) and 2 (before device commands) read with
empty new fields."""


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _commands_json(state: StepState) -> dict[str, Any]:
    """A command step's commands: written only where there are some, as most steps have none."""
    return {"command_ids": list(state.command_ids), "confirmed_ids": list(state.confirmed_ids),
            "failed_ids": list(state.failed_ids)}


def run_to_json(run: SopRun) -> dict[str, Any]:
    """Return a JSON-ready dict of `run` (deterministic key order)."""
    return {
        "format": FORMAT_VERSION,
        "run_id": run.run_id,
        "sop": {"id": run.definition.ref.sop_id, "version": run.definition.ref.version},
        "incident": {
            "type": run.incident.incident_type,
            "severity": run.incident.severity.value,
            "details": dict(sorted(run.incident.details.items())),
        },
        "status": run.status.value,
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "events_applied": run.events_applied,
        "steps": {
            step_id: {
                "status": state.status.value,
                "task_ids": list(state.task_ids),
                "started_at": _time(state.started_at),
                "finished_at": _time(state.finished_at),
                "outcome": state.outcome,
                "unit_ids": list(state.unit_ids),
                "next_rung": state.next_rung,
                **(_commands_json(state) if state.command_ids else {}),
            }
            for step_id, state in run.steps.items()
        },
        "tasks": {
            task_id: {"step_id": task.step_id, "status": task.status.value, "next_rung": task.next_rung}
            for task_id, task in run.tasks.items()
        },
        "timers": {key: due_at.isoformat() for key, due_at in sorted(run.timers.items())},
    }


def run_from_json(data: dict[str, Any], *, definition_for: Callable[[SopRef], SopDefinition]) -> SopRun:
    """Rebuild a run saved by `run_to_json`, with its pinned definition from `definition_for`.

    Raises:
        SopRuntimeError: the data is of an unknown format version.
    """
    if data.get("format") not in READABLE_FORMATS:
        raise SopRuntimeError(
            f"saved run has format {data.get('format')!r}; this engine reads {', '.join(map(str, READABLE_FORMATS))}"
        )
    ref = SopRef(data["sop"]["id"], int(data["sop"]["version"]))
    return SopRun(
        run_id=data["run_id"],
        definition=definition_for(ref),
        incident=IncidentFacts(
            data["incident"]["type"], Severity(data["incident"]["severity"]), data["incident"].get("details", {})
        ),
        status=RunStatus(data["status"]),
        started_at=_parse_time(data["started_at"]),
        finished_at=_parse_time(data["finished_at"]),
        events_applied=int(data["events_applied"]),
        step_table=(
            {
                step_id: StepState(
                    status=StepStatus(state["status"]),
                    task_ids=tuple(state["task_ids"]),
                    started_at=_parse_time(state["started_at"]),
                    finished_at=_parse_time(state["finished_at"]),
                    outcome=state.get("outcome"),
                    unit_ids=tuple(state.get("unit_ids", ())),
                    next_rung=int(state.get("next_rung", 0)),
                    command_ids=tuple(state.get("command_ids", ())),
                    confirmed_ids=tuple(state.get("confirmed_ids", ())),
                    failed_ids=tuple(state.get("failed_ids", ())),
                )
                for step_id, state in data["steps"].items()
            }
        ),
        task_table=(
            {
                task_id: TaskState(
                    task_id=task_id,
                    step_id=task["step_id"],
                    status=RunTaskStatus(task["status"]),
                    next_rung=int(task["next_rung"]),
                )
                for task_id, task in data["tasks"].items()
            }
        ),
        timer_table={key: datetime.fromisoformat(due) for key, due in data["timers"].items()},
    )
