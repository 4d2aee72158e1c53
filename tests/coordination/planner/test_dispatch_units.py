"""Units and demands: the status lifecycle is one table, and illegal moves say where from and to."""

from __future__ import annotations

import dataclasses

import pytest

from coordination.planner import UNIT_MOVES, Demand, UnitStatus, make_demand, move_unit, priority_for
from coordination.errors import InvalidInput, InvalidTransition
from sop_engine import Severity

from dispatch_fakes import make_unit


def test_a_unit_goes_through_a_whole_call_and_back_to_available():
    """available -> dispatched -> en route -> on scene -> returning -> available is legal."""
    unit = make_unit("A1")
    for status in (UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE, UnitStatus.RETURNING,
                   UnitStatus.AVAILABLE):
        unit = move_unit(unit=unit, to=status)
    assert unit.status is UnitStatus.AVAILABLE


def test_an_illegal_move_names_both_states():
    """An available unit cannot be on scene without being dispatched; the error says both states."""
    unit = make_unit("A1")
    with pytest.raises(InvalidTransition) as raised:
        move_unit(unit=unit, to=UnitStatus.ON_SCENE)
    assert "A1" in str(raised.value)
    assert "available" in str(raised.value) and "on_scene" in str(raised.value)
    assert (raised.value.current, raised.value.requested) == ("available", "on_scene")


@pytest.mark.parametrize("current", list(UnitStatus))
def test_every_status_has_a_row_and_any_status_can_go_out_of_service_or_leave_it(current):
    """The table covers every status; breakdowns can happen at any time; out of service ends at available."""
    assert current in UNIT_MOVES
    if current is UnitStatus.OUT_OF_SERVICE:
        assert UNIT_MOVES[current] == frozenset({UnitStatus.AVAILABLE})
    else:
        assert UnitStatus.OUT_OF_SERVICE in UNIT_MOVES[current]


def test_an_out_of_service_unit_cannot_be_dispatched():
    unit = move_unit(unit=make_unit("E1", "fire_engine"), to=UnitStatus.OUT_OF_SERVICE)
    with pytest.raises(InvalidTransition, match="out_of_service to dispatched"):
        move_unit(unit=unit, to=UnitStatus.DISPATCHED)


def test_a_move_returns_a_new_unit_and_leaves_the_old_one_alone():
    unit = make_unit("A1")
    moved = move_unit(unit=unit, to=UnitStatus.DISPATCHED, committed_priority=4)
    assert unit.status is UnitStatus.AVAILABLE and moved.committed_priority == 4
    with pytest.raises(dataclasses.FrozenInstanceError):
        moved.status = UnitStatus.AVAILABLE  # type: ignore[misc]
    assert move_unit(unit=moved, to=UnitStatus.AVAILABLE).committed_priority == 0


def test_a_unit_meets_a_need_by_type_or_by_capability():
    unit = make_unit("E1", "fire_engine", capabilities=frozenset({"hazmat"}))
    assert unit.can_meet("fire_engine") and unit.can_meet("hazmat") and not unit.can_meet("ambulance")


def test_priority_doubles_with_each_step_of_severity():
    assert [priority_for(severity=s) for s in Severity] == [1, 2, 4, 8]
    demand = make_demand(incident_id="I1", node=7, needs={"ambulance": 2, "pump": 0}, severity=Severity.SEVERE)
    assert demand.priority == 4 and demand.needs == (("ambulance", 2),) and demand.slot_count == 2


def test_a_demand_refuses_negative_counts_and_zero_priority():
    with pytest.raises(InvalidInput):
        Demand(incident_id="I1", node=1, needs=(("ambulance", -1),), priority=1)
    with pytest.raises(InvalidInput):
        Demand(incident_id="I1", node=1, needs=(("ambulance", 1),), priority=0)
