"""Fixtures for the intake: the shipped SOPs, rules and demo agencies, and an intake path."""

from __future__ import annotations

import pytest

from coordination.intake import Intake
from coordination.sensors import SHIPPED_KINDS
from tests.coordination.rule_service.conftest import shipped_rules  # noqa: F401 - a fixture


@pytest.fixture
def intake(store, clock, shipped_rules) -> Intake:  # noqa: F811 - the fixture imported above
    return Intake(store=store, clock=clock, kinds=SHIPPED_KINDS)
