"""A drill with a progress bar gives the records of the same drill without one."""

from __future__ import annotations

from simulation import InlineExecutor, run_drill, run_drill_with_progress


def test_progress_rises_to_one_and_changes_no_record(small_city):
    scenario = small_city.model_copy(update={"engine": "runtime"})
    seen: list[float] = []
    with_progress = run_drill_with_progress(scenario, on_progress=seen.append, ticks_per_replication=10)
    assert with_progress == run_drill(scenario, executor=InlineExecutor())
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert len(seen) == 2 * 10  # nine ticks and the end, per replication
    assert 0.5 in seen  # the first of two replications done
