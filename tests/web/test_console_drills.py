"""The planners' drill pages: who may use them, a scenario's problems shown at their lines, a
drill run in the background, and a failed drill that shows its error."""

from __future__ import annotations

import html
import io

import pytest

from coordination import Role
from tests.web.conftest import FIRE_REPORT, bearer
from tests.web.drill_helpers import TINY_CITY, reports, wait_until_finished  # noqa: F401 - a fixture
from tests.web.test_console import csrf_of, sign_in_with_password


@pytest.fixture
def planner(client, make_user, reports):
    sign_in_with_password(client, *make_user(Role.PLANNER, "priya"))
    return client


def start(client, **form):
    page = client.get("/console/drills").get_data(as_text=True)
    return client.post("/console/drills", data={"csrf": csrf_of(page), **form})


def test_a_planner_lands_on_the_drills_and_never_sees_an_agencys_tasks(client, make_user, make_token, officer,
                                                                       make_agency, reports):
    make_agency("fire-central", "fire")
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    assert client.get("/api/v1/tasks", headers=bearer(make_token(Role.PLANNER, "priya-api"))).status_code == 403
    response = sign_in_with_password(client, *make_user(Role.PLANNER, "priya"))
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/console/drills"
    page = client.get("/console/drills").get_data(as_text=True)
    assert "small-city.yaml" in page and ">Drills<" in page and ">KPIs<" in page and ">Tasks<" not in page
    assert client.get("/console/tasks").status_code == 403
    assert client.get(f"/console/incidents/{incident['id']}").status_code == 403
    assert client.get("/console/integrity").status_code == 403
    assert client.get("/console/board.json").status_code == 403  # signed in, wrong role


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DUTY_OFFICER, Role.AGENCY])
def test_only_planners_and_administrators_run_drills(client, make_user, make_agency, reports, role):
    make_agency("fire-central", "fire")
    sign_in_with_password(client, *make_user(role, "someone", agency_code="fire-central" if role is Role.AGENCY else None))
    assert client.get("/console/drills").status_code == 403
    board = client.get("/").get_data(as_text=True)
    csrf = csrf_of(board) if 'name="csrf"' in board else "x"
    assert client.post("/console/drills", data={"csrf": csrf, "scenario": "small-city.yaml"}).status_code == 403
    assert client.get("/console/drills/compare").status_code == 403
    assert ">Drills<" not in client.get("/console/kpis").get_data(as_text=True)


def test_nobody_signed_in_is_sent_to_sign_in(client, reports):
    assert client.get("/console/drills").headers["Location"] == "/console/sign-in"


def test_an_administrator_may_run_drills(client, make_user, reports):
    sign_in_with_password(client, *make_user(Role.ADMINISTRATOR, "root"))
    assert client.get("/console/drills").status_code == 200


def test_an_uploaded_scenarios_problems_are_shown_at_their_lines(planner):
    broken = TINY_CITY.replace("rate_per_hour: 3", "rate_per_hour: -3").replace("engine: runtime", "engine: turbo")
    response = start(planner, upload=(io.BytesIO(broken.encode()), "monsoon.yaml"))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "monsoon.yaml has 2 problem(s): see below" in page and "upload-error" in page
    assert "monsoon.yaml:5: engine: Input should be 'services' or 'runtime'" in page
    assert "monsoon.yaml:11: incidents.0.rate_per_hour: Input should be greater than or equal to 0" in page
    assert 'id="line-5" class="problem-line"' in page and 'id="line-11" class="problem-line"' in page
    assert 'id="line-4">' in page  # the lines without problems are shown plain
    assert planner.get("/console/drills").get_data(as_text=True).count("drill-queued") == 0  # nothing recorded


def test_an_uploaded_scenario_may_not_read_the_servers_folders(planner):
    response = start(planner, scenario_text=TINY_CITY.replace("engine: runtime", "engine: runtime\nsops: /etc"))
    assert response.status_code == 422
    assert "pasted.yaml:6: an uploaded scenario uses the shipped SOPs" in response.get_data(as_text=True)


def test_wrong_overrides_are_explained_beside_their_fields(planner):
    response = start(planner, scenario="small-city.yaml", replications="many", engine="warp")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="replications-error"' in page and "replications is a whole number from 1 to 1,000" in page
    assert "engine is services or runtime" in page
    assert start(planner).status_code == 422  # no scenario at all


def test_a_drill_runs_in_the_background_and_keeps_its_report(planner, reports):
    response = start(planner, scenario_text=TINY_CITY, replications="1")
    assert response.status_code == 303
    run_url = response.headers["Location"]
    assert wait_until_finished(planner, run_url)["status"] == "done"
    page = planner.get(run_url).get_data(as_text=True)
    assert "response_s.mean | all" in page and "incidents" in page and "1 × 2 h" in page
    assert planner.get(f"{run_url}/report/index.html").get_data(as_text=True).count("EXERCISE") == 1
    assert planner.get(f"{run_url}/report/map.png").data.startswith(b"\x89PNG")
    assert planner.get(f"{run_url}/report/../../etc/passwd").status_code == 404
    listing = planner.get("/console/drills").get_data(as_text=True)
    assert "tiny-city" in listing and "role_planner:priya" not in listing and "planner:priya" in listing
    run_id = run_url.rsplit("/", 1)[1]
    beside = planner.get(f"/console/kpis?against={run_id}").get_data(as_text=True)
    assert "beside drill tiny-city (seed 5, 1 replications)" in beside
    assert 'data-section="incident type" data-group="road_accident"' in beside  # the drill's prediction
    itself = planner.get(f"/console/drills/compare?a={run_id}&b={run_id}").get_data(as_text=True)
    assert "response_s.mean | all" in itself and "the same seed gives both" in itself


def test_a_failed_drill_shows_its_error_never_a_server_error(app, planner, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    app.config["ICCC_DRILL_REPORTS"] = str(blocked / "drills")  # the report cannot be written
    run_url = start(planner, scenario_text=TINY_CITY, replications="1").headers["Location"]
    state = wait_until_finished(planner, run_url)
    assert state["status"] == "failed" and "a-file" in state["error"]
    page = planner.get(run_url)
    assert page.status_code == 200 and "a-file" in page.get_data(as_text=True)
    assert "drill-failed" in planner.get("/console/drills").get_data(as_text=True)


def test_an_unknown_run_is_not_found(planner):
    assert planner.get("/console/drills/00000000-0000-0000-0000-000000000000").status_code == 404
    assert planner.get("/console/drills/compare?a=nope&b=").status_code == 422


def test_the_drill_page_offers_the_small_city_first_so_a_planner_can_run_one_at_once(planner):
    page = planner.get("/console/drills").get_data(as_text=True)
    assert '<option value="small-city.yaml" selected>' in page
