"""Drill runs move through one lifecycle; a run nobody reports on any more is settled as failed."""

from __future__ import annotations

import pytest

from coordination import InvalidTransition
from coordination.drill_runs import (
    STALLED_AFTER,
    DrillRequest,
    drill_run,
    fail_drill_run,
    finish_drill_run,
    recent_drill_runs,
    record_drill_request,
    report_drill_progress,
    start_drill_run,
    touch_drill_runs,
)

pytestmark = pytest.mark.database

REQUEST = DrillRequest(scenario_name="tiny", scenario_source="tiny.yaml", scenario_text="name: tiny", seed=1,
                       replications=2, duration_s=3600, engine="runtime", policy="greedy")


def test_a_run_is_queued_runs_reports_progress_and_finishes(store, clock):
    with store.transaction() as session:
        run_id = record_drill_request(session=session, clock=clock, requested_by="planner:priya", request=REQUEST).id
    with store.transaction() as session:
        start_drill_run(session=session, clock=clock, run_id=run_id, report_dir="/tmp/report")
        report_drill_progress(session=session, clock=clock, run_id=run_id, progress=0.4)
    with store.transaction() as session:
        assert (drill_run(session=session, run_id=run_id).status, drill_run(session=session, run_id=run_id).progress) == (
            "running", 0.4)
        finish_drill_run(session=session, clock=clock, run_id=run_id, kpis={"replications": [{"incidents": 3.0}]})
    with store.transaction() as session:
        run = drill_run(session=session, run_id=run_id)
        assert (run.status, run.progress, run.kpis["replications"]) == ("done", 1.0, [{"incidents": 3.0}])
        with pytest.raises(InvalidTransition):
            fail_drill_run(session=session, clock=clock, run_id=run_id, error="too late")


def test_a_run_whose_worker_went_silent_is_failed_but_a_waiting_one_kept_alive_is_not(store, clock):
    with store.transaction() as session:
        silent = record_drill_request(session=session, clock=clock, requested_by="planner:priya", request=REQUEST).id
        waiting = record_drill_request(session=session, clock=clock, requested_by="planner:priya", request=REQUEST).id
        start_drill_run(session=session, clock=clock, run_id=silent, report_dir="/tmp/report")
    clock.advance(seconds=STALLED_AFTER.total_seconds() - 5)
    with store.transaction() as session:
        touch_drill_runs(session=session, clock=clock, run_ids=[waiting])  # its worker's heartbeat
    clock.advance(seconds=10)
    with store.transaction() as session:
        runs = {run.id: run for run in recent_drill_runs(session=session, clock=clock)}
        assert runs[silent].status == "failed" and "stopped or restarted" in runs[silent].error
        assert runs[waiting].status == "queued"
