"""Fixtures for the rules' shell: the shipped SOPs and rules installed, the demo agencies."""

from __future__ import annotations

import pytest

from coordination import SYSTEM, seed_demo_agencies
from coordination.rule_service import install_shipped_rules

MUNICIPAL_HOOK = "http://127.0.0.1:9/municipal"
"""Where the municipal corporation's webhooks would go (queued in the tests, never sent)."""


@pytest.fixture
def shipped_rules(store, clock, shipped_sops) -> None:
    """The shipped SOPs and trigger rules stored and active, and the demo city's agencies."""
    with store.transaction() as session:
        install_shipped_rules(session=session, clock=clock, actor=SYSTEM)
        seed_demo_agencies(session=session, clock=clock, webhook_url_for={"municipal-corp": MUNICIPAL_HOOK},
                           allowed_hosts=frozenset({"127.0.0.1"}))
