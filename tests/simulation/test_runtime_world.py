"""The runtime world: the pure SOP runtime executed without a database, as the services would."""

from __future__ import annotations

import typing

from simulation.runtime_world import RuntimeWorld
from sop_engine.commands import Command


def test_every_command_the_runtime_can_issue_has_an_executor():
    # A command type added to the runtime without one would stop a drill at its first use.
    assert set(RuntimeWorld._executors) == set(typing.get_args(Command))
