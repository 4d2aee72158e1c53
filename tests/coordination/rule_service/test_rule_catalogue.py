"""Stored rule versions: validated on the way in, one active version per rule, retired for good,
each change on the timeline."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import SYSTEM, Conflict, NotFound
from coordination.rule_service import (
    activate_rule_version,
    active_rule_book,
    install_shipped_rules,
    retire_rule_version,
    store_rule_version,
)
from coordination.rules import RuleDefinitionError, RuleRef, shipped_rules
from coordination.store.tables import TimelineEntry

pytestmark = pytest.mark.database

RIVER = """\
id: river
version: {version}
title: River over its mark
sensors: {{kind: water_level, unit: m}}
threshold: {{above: 2.0, clear_at: 1.6}}
declare: {{incident_type: flood}}
"""


def active_refs(store):
    with store.transaction() as session:
        return [rule.ref for rule in active_rule_book(session).rules]


def test_installing_the_shipped_rules_activates_each_once(store, clock):
    with store.transaction() as session:
        added = install_shipped_rules(session=session, clock=clock, actor=SYSTEM)
    assert sorted(added) == sorted(rule.ref for rule in shipped_rules())
    with store.transaction() as session:
        assert install_shipped_rules(session=session, clock=clock, actor=SYSTEM) == []
    assert active_refs(store) == sorted(rule.ref for rule in shipped_rules())


def test_a_new_version_replaces_the_old_one_and_a_staged_one_waits(store, clock):
    with store.transaction() as session:
        store_rule_version(session=session, clock=clock, text=RIVER.format(version=1), source="river.yaml", actor=SYSTEM)
        store_rule_version(session=session, clock=clock, text=RIVER.format(version=2), source="river.yaml", actor=SYSTEM)
        store_rule_version(session=session, clock=clock, text=RIVER.format(version=3), source="river.yaml",
                           actor=SYSTEM, activate=False)
    assert active_refs(store) == [RuleRef("river", 2)]
    with store.transaction() as session:
        activate_rule_version(session=session, clock=clock, rule_id="river", version=3, actor=SYSTEM)
    assert active_refs(store) == [RuleRef("river", 3)]
    with store.transaction() as session:
        kinds = session.scalars(select(TimelineEntry.kind).order_by(TimelineEntry.seq)).all()
    assert kinds == ["rule.stored"] * 3 + ["rule.activated"]


def test_a_retired_version_stops_and_cannot_come_back(store, clock):
    with store.transaction() as session:
        store_rule_version(session=session, clock=clock, text=RIVER.format(version=1), source="river.yaml", actor=SYSTEM)
        retire_rule_version(session=session, clock=clock, rule_id="river", version=1, actor=SYSTEM)
    assert active_refs(store) == []
    with pytest.raises(Conflict), store.transaction() as session:
        activate_rule_version(session=session, clock=clock, rule_id="river", version=1, actor=SYSTEM)
    with pytest.raises(NotFound), store.transaction() as session:
        retire_rule_version(session=session, clock=clock, rule_id="river", version=9, actor=SYSTEM)


def test_an_invalid_rule_is_refused_with_its_lines_and_nothing_is_stored(store, clock):
    with pytest.raises(RuleDefinitionError) as caught, store.transaction() as session:
        store_rule_version(session=session, clock=clock, text=RIVER.format(version=1).replace("clear_at: 1.6", "clear_at: 2.6"),
                           source="river.yaml", actor=SYSTEM)
    assert str(caught.value).startswith("river.yaml:5: threshold.clear_at:")
    assert active_refs(store) == []
