"""What the console says after an action, in words: what was done and what follows from it
(whether the incident stays open or is closed, which agencies were told). Shown once, on the
page the action returns to (Flask's flashed messages)."""

from __future__ import annotations

from flask import flash

from coordination.duplicates import ReportOutcome
from coordination.lifecycles import NOTICE_APPROVE, DutyRequestKind, IncidentStatus
from coordination.sop_catalogue import definition_for
from coordination.store import Session
from sop_engine import SopRef

DONE = "done"
"""The flash category of a message that reports an action done."""


def _incident_now(incident) -> str:
    if incident.status is IncidentStatus.CLOSED:
        return "The incident is now closed."
    if incident.status is IncidentStatus.RESOLVED:
        return "The SOP has finished: the incident is resolved."
    return "The incident stays open."


def answered(request, incident, step_words: str) -> str:
    if request.kind is DutyRequestKind.DECISION:
        said = f"Decision taken at “{step_words}”: {request.answer.replace('_', ' ')}. The SOP goes on from this answer."
    elif request.answer == NOTICE_APPROVE:
        said = f"Public notice “{step_words}” approved: it is published as a CAP alert now."
    else:
        said = f"Public notice “{step_words}” withheld: nothing is published."
    return f"{said} {_incident_now(incident)}"


def dispatched(assignments: list, incident) -> str:
    here = [a for a in assignments if a.incident_id == incident.id]
    if not assignments:
        return "The plan was accepted with no unit: nobody was sent."
    units = ", ".join(f"{a.unit.code} ({a.unit.unit_type.replace('_', ' ')}, ETA {max(1, round(a.eta_s / 60))} min)"
                      for a in here)
    elsewhere = len(assignments) - len(here)
    said = f"Dispatched {len(here)} unit{'s' if len(here) != 1 else ''}: {units}. Each unit's agency has its order."
    if elsewhere:
        said += f" The same plan sent {elsewhere} unit{'s' if elsewhere != 1 else ''} to other incidents."
    return said


def stood_down(incident, cancelled_tasks: int, released_units: int) -> str:
    return (f"Stood down: the SOP stopped, {cancelled_tasks} open task{'s' if cancelled_tasks != 1 else ''} "
            f"cancelled (each agency told), {released_units} unit{'s' if released_units != 1 else ''} released. "
            f"{_incident_now(incident)}")


def step_words(session: Session, incident, run_id, step_id: str) -> str:
    """A step of one of the incident's runs in words (its title, or its id in words)."""
    for run in incident.runs:
        if run.id == run_id:
            definition = definition_for(session, SopRef(run.sop_id, run.sop_version))
            step = next((s for s in definition.steps if s.step_id == step_id), None)
            if step is not None:
                return step.label
    return step_id.replace("_", " ")


def declared(session: Session, outcome: ReportOutcome) -> str:
    incident = outcome.incident
    if outcome.duplicate is not None:
        return ("Not declared again: the report is kept as a duplicate of this open "
                f"{incident.incident_type.replace('_', ' ')} nearby (under Linked and duplicate reports). "
                "The incident stays open.")
    titles = [definition_for(session, SopRef(run.sop_id, run.sop_version)).title for run in incident.runs]
    tasked = sorted({task.agency.code for task in incident.tasks})
    what = f"Declared: {incident.incident_type.replace('_', ' ')}, {incident.severity.value}"
    if incident.place_name:
        what += f", {incident.place_name}"
    if not titles:
        return what + ". No active SOP matches it: start one below, or ask for units."
    told = f"; tasks sent to {', '.join(tasked)}" if tasked else ""
    return f"{what}. SOP “{titles[0]}” started{told}."


def say(message: str) -> None:
    flash(message, DONE)
