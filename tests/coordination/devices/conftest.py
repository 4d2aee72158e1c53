"""Fixtures for the devices: the shipped SOPs and rules, and the demo agencies."""

from tests.coordination.rule_service.conftest import shipped_rules  # noqa: F401 - a fixture
