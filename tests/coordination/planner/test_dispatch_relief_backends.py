"""Relief-routing backends: chosen by name, each returning the same kind of plan, feasible routes."""

from __future__ import annotations

import dataclasses

import pytest

from coordination.planner import (
    DEFAULT_RELIEF_BACKEND,
    RELIEF_BACKENDS,
    DistanceConvention,
    RoutingStatus,
    load_solomon,
    plan_relief,
)
from coordination.planner import relief_backends as backends_module
from coordination.errors import InvalidInput

from dispatch_fakes import SHARED_DATA, assert_feasible


def small_c101(customers: int = 25):
    path = SHARED_DATA / "solomon" / "C101.txt"
    if not path.exists():
        pytest.skip(f"needs {path} (the shared reference data is absent)")
    instance = load_solomon(path=path)
    return dataclasses.replace(instance, sites=instance.sites[:customers + 1])


@pytest.mark.parametrize("backend", sorted(RELIEF_BACKENDS))
def test_every_installed_backend_plans_feasible_routes_to_the_same_optimum(backend):
    """On the first 25 customers of C101 both solvers reach 191.3, the optimum in one-decimal distances."""
    instance = small_c101()
    plan = plan_relief(instance=instance, time_limit_s=1.0, backend=backend, convention=DistanceConvention.TRUNC1)
    assert plan.status is RoutingStatus.FEASIBLE or plan.status is RoutingStatus.OPTIMAL
    assert_feasible(instance, plan)
    assert plan.distance == pytest.approx(191.3, abs=0.05)


def test_an_unknown_backend_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as error:
        plan_relief(instance=small_c101(), time_limit_s=1.0, backend="lkh")
    assert error.value.field == "backend"


def test_pyvrp_is_the_default_and_ortools_stays_selectable(monkeypatch):
    """The default is the backend nearer the best-known distances (bench/dispatch_solomon.py)."""
    assert DEFAULT_RELIEF_BACKEND == "pyvrp"
    chosen = []
    real_import = backends_module.importlib.import_module
    monkeypatch.setattr(backends_module.importlib, "import_module",
                        lambda name: chosen.append(name) or real_import(name))
    plan_relief(instance=small_c101(10), time_limit_s=0.2)
    plan_relief(instance=small_c101(10), time_limit_s=0.2, backend="ortools")
    assert chosen == ["coordination.planner.relief_pyvrp", "coordination.planner.relief_routing"]
