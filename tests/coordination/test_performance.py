"""The centre's KPIs from plain facts: times, compliance, escalations, dispatch response."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coordination.performance import (
    EscalationFact,
    KpiRow,
    ResponseFact,
    TaskFact,
    compare_tables,
    performance_table,
    rows_from_json,
    rows_to_json,
)

T0 = datetime(2026, 11, 1, 8, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def task(agency: str, *, ack_s: float | None, done_s: float | None = None, ack_due_s: float = 60,
         done_due_s: float = 1800, ended_s: float | None = None, kind: str = "building_fire") -> TaskFact:
    return TaskFact(agency=agency, incident_type=kind, created_at=T0, ack_due_at=at(ack_due_s),
                    acknowledged_at=None if ack_s is None else at(ack_s), complete_due_at=at(done_due_s),
                    completed_at=None if done_s is None else at(done_s), ended_at=None if ended_s is None else at(ended_s))


def table(rows: list[KpiRow]) -> dict[tuple[str, str, str], float]:
    return {row.key: row.value for row in rows}


def test_times_are_mean_and_percentiles_from_task_creation():
    rows = table(performance_table(tasks=[task("fire", ack_s=s, done_s=10 * s) for s in (10, 20, 30, 40, 200)],
                                   escalations=[], responses=[], now=at(7200)))
    assert rows["agency", "fire", "ack_s.mean"] == 60
    assert rows["agency", "fire", "ack_s.p50"] == 30
    assert rows["agency", "fire", "ack_s.p90"] == pytest.approx(136)  # linear between 40 and 200
    assert rows["agency", "fire", "complete_s.p50"] == 300
    assert rows["incident type", "building_fire", "ack_s.mean"] == 60 and rows["centre", "all", "tasks"] == 5


def test_compliance_counts_only_tasks_whose_outcome_is_known():
    tasks = [
        task("police", ack_s=30),                      # in time
        task("police", ack_s=90),                      # late
        task("police", ack_s=None),                    # deadline passed unanswered: late
        task("police", ack_s=None, ack_due_s=9000),    # deadline still ahead: not known yet
        task("police", ack_s=None, ended_s=20),        # cancelled before its deadline: never late
    ]
    rows = table(performance_table(tasks=tasks, escalations=[], responses=[], now=at(600)))
    assert rows["agency", "police", "ack_in_time.share"] == pytest.approx(1 / 3)
    assert ("agency", "police", "complete_in_time.share") not in rows  # every completion deadline ahead


def test_escalations_count_per_agency_and_per_hundred_tasks():
    rows = table(performance_table(
        tasks=[task("fire", ack_s=10), task("fire", ack_s=10), task("police", ack_s=10)],
        escalations=[EscalationFact("building_fire", "fire"), EscalationFact("building_fire", None)],
        responses=[], now=at(60)))
    assert rows["agency", "fire", "escalations"] == 1 and rows["agency", "fire", "escalations.per_100_tasks"] == 50
    assert rows["agency", "police", "escalations"] == 0
    assert rows["centre", "all", "escalations"] == 2  # a decision's escalation counts for the centre


def test_dispatch_response_is_the_first_unit_per_incident_and_per_agency():
    responses = [
        ResponseFact("a", "building_fire", "fire", T0, dispatched_at=at(60), on_scene_at=at(400)),
        ResponseFact("a", "building_fire", "ems", T0, dispatched_at=at(30), on_scene_at=at(500)),
        ResponseFact("b", "road_accident", "ems", at(1000), dispatched_at=at(1100), on_scene_at=None),
    ]
    rows = table(performance_table(tasks=[], escalations=[], responses=responses, now=at(2000)))
    assert rows["incident type", "building_fire", "dispatched_s.mean"] == 30  # ems was first
    assert rows["incident type", "building_fire", "on_scene_s.mean"] == 400  # fire was first there
    assert rows["agency", "ems", "dispatched_s.mean"] == 65
    assert rows["agency", "ems", "on_scene_s.mean"] == 500
    assert ("incident type", "road_accident", "on_scene_s.mean") not in rows


def test_pooled_runs_divide_counts_but_not_times():
    rows = table(performance_table(tasks=[task("fire", ack_s=10), task("fire", ack_s=30)],
                                   escalations=[EscalationFact("building_fire", "fire")] * 2,
                                   responses=[], now=at(60), runs=2))
    assert rows["agency", "fire", "tasks"] == 1 and rows["agency", "fire", "escalations"] == 1
    assert rows["agency", "fire", "ack_s.mean"] == 20


def test_a_comparison_pairs_rows_and_knows_which_way_is_better():
    now = performance_table(tasks=[task("fire", ack_s=30)], escalations=[], responses=[], now=at(60))
    before = performance_table(tasks=[task("fire", ack_s=90), task("water", ack_s=5)], escalations=[],
                               responses=[], now=at(120))
    rows = {(c.section, c.group, c.measure): c for c in compare_tables(now, before)}
    faster = rows["agency", "fire", "ack_s.mean"]
    assert faster.change == -60 and faster.better is True
    assert rows["agency", "fire", "ack_in_time.share"].better is True  # 1.0 against 0.0
    assert rows["agency", "water", "ack_s.mean"].current is None and rows["agency", "water", "ack_s.mean"].change is None
    assert rows_from_json(rows_to_json(now)) == now
