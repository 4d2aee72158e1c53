"""The planners' sweep page: a sweep started from the page runs in the background with a
progress bar, and its report and table are served when it is done."""

from __future__ import annotations

import time

import pytest

from coordination import Role
from tests.simulation.sweeps.conftest import TINY_CITY, TINY_SWEEP
from tests.web.test_console import csrf_of, sign_in_with_password

SWEEP_TIMEOUT_S = 120.0
"""A bound on waiting, never a measured time: the tiny sweep takes seconds."""


@pytest.fixture
def library(app, tmp_path):
    """A sweep library with the tiny sweep; sweeps written under the test's folder, in this process."""
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "city.yaml").write_text(TINY_CITY, encoding="utf-8")
    (folder / "tiny.yaml").write_text(TINY_SWEEP, encoding="utf-8")
    (folder / "broken.yaml").write_text("name: b\nscenario: city.yaml\nvary:\n  dispatch_policy: [fastest]\n",
                                        encoding="utf-8")
    app.config.update(ICCC_SWEEP_LIBRARY=str(folder), ICCC_SWEEP_REPORTS=str(tmp_path / "sweeps"),
                      ICCC_SWEEP_WORKERS=0)
    yield folder
    jobs = app.extensions.get("iccc_sweeps")
    if jobs is not None:
        jobs.stop()


@pytest.fixture
def planner(client, make_user, library):
    sign_in_with_password(client, *make_user(Role.PLANNER, "priya"))
    return client


def start(client, sweep: str):
    page = client.get("/console/sweeps").get_data(as_text=True)
    return client.post("/console/sweeps", data={"csrf": csrf_of(page), "sweep": sweep})


@pytest.mark.parametrize("workers", [0, pytest.param(2, marks=pytest.mark.slow)], ids=["in-process", "dask"])
def test_a_sweep_started_from_the_page_runs_in_the_background_and_shows_its_report(app, planner, workers):
    app.config["ICCC_SWEEP_WORKERS"] = workers  # 2: a real local Dask cluster of two worker processes
    page = planner.get("/console/sweeps").get_data(as_text=True)
    assert ">Sweeps<" in page and "tiny.yaml" in page and "No sweep yet." in page
    response = start(planner, "tiny.yaml")
    assert response.status_code == 303
    url = response.headers["Location"]
    running = planner.get(url).get_data(as_text=True)
    assert 'id="drill-progress"' in running and "progress.json" in running
    deadline = time.monotonic() + SWEEP_TIMEOUT_S
    while not (state := planner.get(f"{url}/progress.json").json)["finished"]:
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    assert state["status"] == "done" and state["progress"] == 1.0 and state["done"] == 9
    done = planner.get(url).get_data(as_text=True)
    assert 'id="sweep-verdict"' in done and "sweep.parquet" in done
    report = planner.get(f"{url}/report/index.html").get_data(as_text=True)
    assert "the second ambulance at east" in report
    assert planner.get(f"{url}/report/sweep.csv").get_data(as_text=True).startswith("\"variant\"")
    assert planner.get(f"{url}/report/status.json").status_code == 404
    listing = planner.get("/console/sweeps").get_data(as_text=True)
    assert "tiny-sweep" in listing and "9 / 9" in listing


def test_a_broken_sweep_shows_its_problems_with_their_lines_and_runs_nothing(planner, library):
    response = start(planner, "broken.yaml")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"{library / 'broken.yaml'}:4: vary.dispatch_policy.0:" in page
    assert "No sweep yet." in page


def test_a_sweep_not_offered_is_refused(planner):
    assert start(planner, "../../etc/passwd").status_code == 422


def test_an_unknown_sweep_is_not_found(planner):
    assert planner.get("/console/sweeps/6b1f3f7e-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DUTY_OFFICER])
def test_only_planners_and_administrators_run_sweeps(client, make_user, library, role):
    sign_in_with_password(client, *make_user(role, "someone"))
    assert client.get("/console/sweeps").status_code == 403
