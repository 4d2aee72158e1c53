"""The SOP engine: SOP definitions, their loader and validator, and the pure runtime.

Pure: no database, HTTP, SimPy or wall clock. The coordination service feeds it events and
executes the commands it returns.
"""

from sop_engine.commands import (
    CancelTimer,
    Command,
    CreateTask,
    DeadlineMissed,
    Escalate,
    FinishRun,
    StartTimer,
)
from sop_engine.definition import EscalationRung, SopDefinition, SopRef, Step, TaskAction, Trigger
from sop_engine.durations import format_duration_s, parse_duration_s
from sop_engine.errors import IcccError, SopDefinitionError, SopRuntimeError, SourceProblem
from sop_engine.events import (
    Event,
    RunStarted,
    TaskAcknowledged,
    TaskCompleted,
    TaskRejected,
    TasksAssigned,
    TimerFired,
)
from sop_engine.library import matching_sop, shipped_sop_texts, shipped_sops
from sop_engine.loader import load_sop_file, load_sop_text
from sop_engine.run import IncidentFacts, RunStatus, RunTaskStatus, SopRun, StepState, StepStatus, TaskState
from sop_engine.runtime import advance, new_run
from sop_engine.serializer import run_from_json, run_to_json
from sop_engine.vocabulary import INCIDENT_TYPES, AgencyRole, EscalationTarget, Severity

__all__ = [
    "INCIDENT_TYPES",
    "AgencyRole",
    "CancelTimer",
    "Command",
    "CreateTask",
    "DeadlineMissed",
    "Escalate",
    "EscalationRung",
    "EscalationTarget",
    "Event",
    "FinishRun",
    "IcccError",
    "IncidentFacts",
    "RunStarted",
    "RunStatus",
    "RunTaskStatus",
    "Severity",
    "SopDefinition",
    "SopDefinitionError",
    "SopRef",
    "SopRun",
    "SopRuntimeError",
    "SourceProblem",
    "StartTimer",
    "Step",
    "StepState",
    "StepStatus",
    "TaskAcknowledged",
    "TaskAction",
    "TaskCompleted",
    "TaskRejected",
    "TaskState",
    "TasksAssigned",
    "TimerFired",
    "Trigger",
    "advance",
    "format_duration_s",
    "load_sop_file",
    "load_sop_text",
    "matching_sop",
    "new_run",
    "parse_duration_s",
    "run_from_json",
    "run_to_json",
    "shipped_sop_texts",
    "shipped_sops",
]
