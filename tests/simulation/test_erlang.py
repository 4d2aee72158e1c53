"""Validated against theory: a zero-travel drill with Poisson calls, exponential time on scene and
c identical units is an M/M/c queue, whose mean wait Erlang C gives in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulation import InlineExecutor, erlang_c, load_scenario, mean_wait_s, run_drill, t_interval
from tests.simulation.conftest import SCENARIOS

pytestmark = pytest.mark.slow


def test_erlang_c_textbook_values():
    """Two servers at load 1: one call in three waits, for a third of a service time on average."""
    assert erlang_c(servers=2, arrival_rate=1, service_rate=1) == pytest.approx(1 / 3)
    assert mean_wait_s(servers=2, arrival_rate=1, service_rate=1) == pytest.approx(1 / 3)
    assert erlang_c(servers=1, arrival_rate=0.5, service_rate=1) == pytest.approx(0.5)  # M/M/1: rho
    # The reference value in ../shared/data/README.md: 3 servers, arrival rate 2.4, service rate 1.
    assert erlang_c(servers=3, arrival_rate=2.4, service_rate=1) == pytest.approx(0.6472, abs=5e-5)
    assert mean_wait_s(servers=3, arrival_rate=2.4, service_rate=1) == pytest.approx(1.0787, abs=5e-5)
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(servers=2, arrival_rate=2, service_rate=1)


def test_the_drill_engine_reproduces_the_erlang_c_mean_wait():
    """Through the whole engine (the queue-call SOP's dispatch step, the dispatch policy, units;
    the runtime world, held to the services' records by test_engine): 16,000 calls put the
    Erlang C mean wait inside the replications' 95% interval, and the simulated mean within 8%."""
    scenario = load_scenario(SCENARIOS / "mmc.yaml").model_copy(
        update={"duration": 2000 * 3600.0, "engine": "runtime"})
    records = run_drill(scenario, executor=InlineExecutor())
    waits = [np.mean([i.response_s for i in r.incidents if i.response_s is not None]) for r in records]
    served = sum(1 for r in records for i in r.incidents if i.response_s is not None)
    theory = mean_wait_s(servers=2, arrival_rate=2 / 3600, service_rate=1 / (36 * 60))
    mean, half = t_interval(waits)
    assert served > 15_000
    assert mean - half <= theory <= mean + half
    assert mean == pytest.approx(theory, rel=0.08)
    assert math.isclose(mean, theory, rel_tol=0.08)
