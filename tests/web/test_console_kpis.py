"""The KPI page: a period beside the previous one or beside a drill's prediction, its plots,
its CSV export, and who may read it."""

from __future__ import annotations

import csv
import html
import io
from datetime import timedelta

import pytest

from coordination import Role
from coordination.drill_runs import DrillRequest, finish_drill_run, record_drill_request, start_drill_run
from coordination.performance import KpiRow, rows_to_json
from tests.web.conftest import FIRE_REPORT, bearer
from tests.web.test_console import sign_in, sign_in_with_password

pytestmark = pytest.mark.database


@pytest.fixture
def two_weeks(client, clock, officer, make_agency):
    """Last week fire-central acknowledged a fire in 2 minutes (due in 1); this week in 30 s.
    An exercise fire this week, acknowledged at once, is no live work."""
    _, fire_token, _ = make_agency("fire-central", "fire")
    fire = bearer(fire_token)
    today = clock.now()

    def fire_acknowledged_after(seconds: int, **report) -> None:
        incident = client.post("/api/v1/incidents", json={**FIRE_REPORT, **report}, headers=officer).json
        task = client.get(f"/api/v1/incidents/{incident['id']}", headers=officer).json["tasks"][0]
        clock.advance(seconds=seconds)
        assert client.post(f"/api/v1/tasks/{task['id']}/acknowledge", headers=fire).status_code == 200

    clock.set(today - timedelta(days=7))
    fire_acknowledged_after(120)
    clock.set(today)
    fire_acknowledged_after(30)
    fire_acknowledged_after(1, is_exercise=True)
    return today.date()


def kpi_cells(page: str, section: str, group: str, measure: str) -> list[str]:
    table = page.split(f'data-section="{section}" data-group="{group}"', 1)[1].split("</table>", 1)[0]
    row = table.split(f'data-measure="{measure}"', 1)[1].split("</tr>", 1)[0]
    return [html.unescape(cell.split(">", 1)[1].split("</td>", 1)[0]).split(" <small>")[0]
            for cell in row.split("<td")[2:]]  # after the label


def test_this_week_beside_last_week_with_plots(client, make_token, two_weeks):
    sign_in(client, make_token(Role.VIEWER, "head-of-centre"))
    response = client.get(f"/console/kpis?to={two_weeks.isoformat()}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    first = (two_weeks - timedelta(days=6)).isoformat()
    assert f'value="{first}"' in page  # seven days by default
    assert kpi_cells(page, "agency", "fire-central", "ack_s.mean") == ["30s", "2m 00s", "−1m 30s"]
    assert kpi_cells(page, "agency", "fire-central", "ack_in_time.share") == ["100%", "0%", "+100 pts"]
    assert 'class="better">−1m 30s' in page
    assert page.count('src="data:image/svg+xml;base64,') >= 2
    assert "Acknowledgement, p90, by agency. fire-central: 0.5 min against 2.0 min" in page


def test_the_csv_export_holds_the_same_table(client, make_token, two_weeks):
    sign_in(client, make_token(Role.DUTY_OFFICER, "asha"))
    response = client.get(f"/console/kpis.csv?to={two_weeks.isoformat()}&against=previous")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    fire = {row["measure"]: row for row in rows if row["section"] == "agency" and row["group"] == "fire-central"}
    assert (fire["ack_s.mean"]["period"], fire["ack_s.mean"]["baseline"], fire["ack_s.mean"]["change"]) == (
        "30.0", "120.0", "-90.0")
    assert fire["tasks"]["period_n"] == "1"  # the exercise is not counted
    assert fire["ack_s.mean"]["baseline_is"].startswith("previous period")
    assert {row["section"] for row in rows} == {"centre", "agency", "incident type"}


def test_a_period_beside_a_drills_prediction(client, store, clock, make_token, two_weeks):
    prediction = [KpiRow("agency", "fire-central", "ack_s.mean", 45.0, 300)]
    with store.transaction() as session:
        run = record_drill_request(session=session, clock=clock, requested_by="planner:priya", request=DrillRequest(
            scenario_name="monsoon", scenario_source="monsoon.yaml", scenario_text="name: monsoon", seed=3,
            replications=5, duration_s=3600, engine="runtime", policy="greedy"))
        start_drill_run(session=session, clock=clock, run_id=run.id, report_dir="/nonexistent")
        finish_drill_run(session=session, clock=clock, run_id=run.id,
                         kpis={"replications": [], "centre": rows_to_json(prediction)})
        run_id = run.id
    sign_in(client, make_token(Role.PLANNER, "priya"))
    page = client.get(f"/console/kpis?to={two_weeks.isoformat()}&against={run_id}").get_data(as_text=True)
    assert "beside drill monsoon (seed 3, 5 replications)" in page
    assert kpi_cells(page, "agency", "fire-central", "ack_s.mean") == ["30s", "45s", "−15s"]
    assert kpi_cells(page, "agency", "fire-central", "tasks") == ["1", "–", ""]


def test_wrong_dates_and_baselines_are_explained_beside_their_fields(client, make_token):
    sign_in(client, make_token(Role.ADMINISTRATOR, "root"))
    response = client.get("/console/kpis?from=2026-11-20&to=2026-11-10")
    assert response.status_code == 422
    assert 'id="to-error" role="alert">the period must end after it starts' in response.get_data(as_text=True)
    page = client.get("/console/kpis?from=yesterday").get_data(as_text=True)
    assert 'id="from-error" role="alert">a date is written YYYY-MM-DD' in page
    unknown = client.get("/console/kpis?against=00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 422 and "that drill run is not finished" in unknown.get_data(as_text=True)
    assert client.get("/console/kpis.csv?from=2020-01-01&to=2026-01-01").status_code == 422


def test_agency_users_cannot_read_the_centres_kpis(client, make_user, make_agency):
    make_agency("fire-central", "fire")
    sign_in_with_password(client, *make_user(Role.AGENCY, "firefighter", agency_code="fire-central"))
    assert client.get("/console/kpis").status_code == 403
    assert client.get("/console/kpis.csv").status_code == 403
