from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sop_engine import load_sop_text

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)

TWO_STEP_SOP = """\
id: two-step
version: 3
title: Two steps and a join
trigger: {incident_types: [gas_leak], min_severity: moderate}
target: 2h
steps:
  - id: shut_valve
    task: {role: gas, do: "Shut the valve"}
    ack_within: 2m
    complete_within: 30m
    escalate:
      - {to: agency_supervisor, within: 3m}
      - {to: duty_officer, within: 5m}
  - id: evacuate
    task: {role: police, do: "Evacuate"}
    ack_within: 5m
    complete_within: 20m
  - id: repair
    after: [shut_valve, evacuate]
    task: {role: gas, do: "Repair"}
    ack_within: 10m
    complete_within: 1h
"""


@pytest.fixture
def two_step_sop():
    return load_sop_text(TWO_STEP_SOP, source="two-step.yaml")
