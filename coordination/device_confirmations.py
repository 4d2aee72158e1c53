"""Devices' answers to commands over MQTT: each recorded once, and the SOP run whose step issued
the command told of it, in one transaction.

A device answers on its registered confirmation topic with JSON
`{"command_id": ..., "status": "done" | "failed", "reason": ...}`. A batch is one transaction; a
message that is not such an answer, names no command, or comes on another topic than the
commanded device's is kept as an intake dead letter with its reason and counted, like a refused
reading, and the rest of the batch is taken. This sits above the devices and the runs (as
`dispatch_confirmations` does): the run is fed here, not by the devices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.devices import record_answer
from coordination.intake.records import Refusal
from coordination.intake.senml import kept_payload
from coordination.intake.storage import insert_dead_letters
from coordination.metrics import DEVICE_ANSWERS, INTAKE_REFUSALS
from coordination.runs import feed_device_answer
from coordination.store import Store
from coordination.store.tables import DeviceCommand


class AnswerMessage(Protocol):
    topic: str
    payload: bytes


class DeviceAnswer(BaseModel):
    """What a device sends back (other members are ignored: a device may say more)."""

    model_config = ConfigDict(extra="ignore")

    command_id: str = Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
    """The id it was sent (a UUID; a device that echoes it in capitals is understood)."""
    status: Literal["done", "failed"]
    reason: str = Field(default="", max_length=2000, pattern=r"^[^\x00]*$")
    """A NUL is refused: no database stores it in text (a broken device can send one)."""


@dataclass
class AnswersTaken:
    recorded: list[str] = field(default_factory=list)
    """Command ids whose answer was recorded now."""
    repeated: int = 0
    refused: list[Refusal] = field(default_factory=list)


@dataclass
class DeviceConfirmations:
    """Takes batches of devices' answers (what `iccc intake`'s MQTT door hands it)."""

    store: Store
    clock: Clock

    def take(self, messages: Sequence[AnswerMessage]) -> AnswersTaken:
        """Record each answer once; keep each refused message as a dead letter."""
        taken = AnswersTaken()
        refused: list[tuple[Refusal, str, str]] = []
        now = self.clock.now()
        with self.store.transaction() as session:
            for message in messages:
                try:
                    answer = DeviceAnswer.model_validate_json(message.payload)
                except ValidationError as error:
                    first = error.errors(include_url=False)[0]
                    where = ".".join(str(part) for part in first["loc"]) or "body"
                    refused.append((_refusal("malformed", f"{where}: {first['msg']}", message), "mqtt", message.topic))
                    continue
                command_id = answer.command_id.lower()
                command = session.get(DeviceCommand, command_id)
                if command is None:
                    refused.append((_refusal("unknown_command", f"no command has the id {command_id!r}",
                                             message), "mqtt", message.topic))
                    continue
                if message.topic != command.device.confirmation_topic:
                    refused.append((_refusal(
                        "topic", f"command {command_id} went to {command.device_id}, which answers on "
                        f"{command.device.confirmation_topic!r}, not {message.topic!r}", message), "mqtt", message.topic))
                    continue
                recorded = answer_command(session=session, clock=self.clock, command_id=command_id,
                                          confirmed=answer.status == "done", reason=answer.reason)
                if recorded is None:
                    taken.repeated += 1
                else:
                    taken.recorded.append(recorded.command_id)
                    DEVICE_ANSWERS.labels(outcome=recorded.status.value).inc()
        if refused:
            with self.store.engine.begin() as connection:
                insert_dead_letters(connection, refused, received_at=now)
        DEVICE_ANSWERS.labels(outcome="repeated").inc(taken.repeated)
        DEVICE_ANSWERS.labels(outcome="refused").inc(len(refused))
        for refusal, _source, _origin in refused:
            INTAKE_REFUSALS.labels(source="mqtt", problem=refusal.problem).inc()
        taken.refused = [refusal for refusal, _, _ in refused]
        return taken


def answer_command(*, session: Session, clock: Clock, command_id: str, confirmed: bool, reason: str
                   ) -> DeviceCommand | None:
    """Record a device's answer and feed it to the SOP run whose step issued the command, in the
    caller's transaction; None when the command was answered already (nothing changes).

    Raises:
        NotFound: no command has this id.
    """
    recorded = record_answer(session, at=clock.now(), command_id=command_id, confirmed=confirmed, reason=reason)
    if recorded is not None:
        feed_device_answer(session=session, clock=clock, command=recorded)
    return recorded


def _refusal(problem: str, reason: str, message: AnswerMessage) -> Refusal:
    return Refusal(problem=problem, reason=reason, payload=kept_payload(message.payload))
