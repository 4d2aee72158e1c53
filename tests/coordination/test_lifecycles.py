"""Status changes go through one table; an illegal move names where from and where to."""

from __future__ import annotations

import pytest

from coordination import TASK_MOVES, InvalidTransition, TaskStatus, require_move


def test_an_illegal_task_move_names_both_states():
    with pytest.raises(InvalidTransition, match="task t-1: cannot go from completed to acknowledged"):
        require_move("task t-1", TaskStatus.COMPLETED, TaskStatus.ACKNOWLEDGED, TASK_MOVES)


def test_final_task_states_have_no_way_out():
    for status in (TaskStatus.COMPLETED, TaskStatus.REJECTED, TaskStatus.CANCELLED):
        assert TASK_MOVES[status] == frozenset()
        assert not status.is_open


def test_every_open_task_state_can_be_cancelled():
    for status in TaskStatus:
        if status.is_open:
            assert TaskStatus.CANCELLED in TASK_MOVES[status]
