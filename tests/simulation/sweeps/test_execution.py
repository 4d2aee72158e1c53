"""Running a sweep: the same seeds give the same table on any executor, finished replications are
kept by content and reused, and a precision target adds replications until it is met."""

from __future__ import annotations

import pytest

from simulation import InlineExecutor
from simulation.sweeps import (
    ReplicationCache,
    expand,
    load_sweep,
    replication_key,
    run_one,
    run_sweep,
    tidy_table,
)
from simulation.sweeps.execution import replication_seed
from simulation import replication_seeds


def test_replication_r_draws_from_the_r_th_child_of_the_seed_as_a_drill_run_does(write_sweep):
    loaded = load_sweep(write_sweep())
    spawned = replication_seeds(loaded.base.model_copy(update={"replications": 4}))
    assert [s.generate_state(4).tolist() for s in spawned] == \
        [replication_seed(loaded.seed, r).generate_state(4).tolist() for r in range(4)]


def test_a_sweep_stopped_half_way_resumes_without_redoing_what_it_finished(write_sweep, tmp_path):
    loaded = load_sweep(write_sweep())
    variants = expand(loaded)
    cache = ReplicationCache(tmp_path / "cache")

    def stop_after_four(progress):
        if progress.done == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(loaded, variants, executor=InlineExecutor(), cache=cache, on_progress=stop_after_four)
    assert len(cache) == 4
    resumed = run_sweep(loaded, variants, executor=InlineExecutor(), cache=cache)
    assert (resumed.from_cache, resumed.ran) == (4, 3 * 3 - 4)
    again = run_sweep(loaded, variants, executor=InlineExecutor(), cache=cache)
    assert (again.from_cache, again.ran) == (9, 0)
    fresh = run_sweep(loaded, variants, executor=InlineExecutor())
    assert tidy_table(loaded, variants, resumed).equals(tidy_table(loaded, variants, fresh))


def test_the_key_changes_with_the_scenario_the_seed_the_replication_and_the_code(write_sweep):
    loaded = load_sweep(write_sweep())
    first, second = expand(loaded)[:2]
    key = replication_key(first.scenario, seed=5, replication=0, code="a")
    assert key == replication_key(first.scenario, seed=5, replication=0, code="a")
    assert len({key,
                replication_key(second.scenario, seed=5, replication=0, code="a"),
                replication_key(first.scenario, seed=6, replication=0, code="a"),
                replication_key(first.scenario, seed=5, replication=1, code="a"),
                replication_key(first.scenario, seed=5, replication=0, code="b")}) == 5


def test_the_key_reads_the_sop_files_a_variant_uses(write_sweep, sweep_folder):
    loaded = load_sweep(write_sweep())
    folder = sweep_folder / "sops"
    folder.mkdir()
    (folder / "a.yaml").write_text("id: a\n", encoding="utf-8")
    scenario = expand(loaded)[0].scenario.model_copy(update={"sops": str(folder)})
    before = replication_key(scenario, seed=5, replication=0, code="a")
    (folder / "a.yaml").write_text("id: a  # edited\n", encoding="utf-8")
    assert replication_key(scenario, seed=5, replication=0, code="a") != before


def test_a_precision_target_adds_replications_until_the_interval_is_narrow_enough(write_sweep):
    loose = load_sweep(write_sweep(
        "name: s\nscenario: city.yaml\nreplications: 5\nmax_replications: 12\n"
        "targets:\n  - {kpi: 'response_s.mean | all', precision: 10h}\n"))
    run = run_sweep(loose, expand(loose), executor=InlineExecutor())
    assert len(run.kpis) == 5
    tight = load_sweep(write_sweep(
        "name: s\nscenario: city.yaml\nreplications: 2\nmax_replications: 12\n"
        "targets:\n  - {kpi: 'response_s.mean | all', precision: 1s}\n"))
    run = run_sweep(tight, expand(tight), executor=InlineExecutor())
    assert sorted(run.kpis) == [(0, r) for r in range(12)]  # 2 (too few to tell), 4, 8, then the maximum
    # The first replications are those of the loose sweep: more replications add, never redraw.
    assert run.kpis[(0, 1)] == run_one(expand(tight)[0].scenario, 1, tight.seed)
