"""An agency's desk in a real browser: only its own tasks, answered with the API's buttons."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coordination import Role
from tests.web.browser.test_duty_officer_console import sign_in
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.browser


def test_an_agency_user_sees_only_its_tasks_and_acknowledges_then_completes_one(page, client, officer, make_user,
                                                                                 make_agency):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    username, password = make_user(Role.AGENCY, "firedesk", agency_code="fire-central")
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks of Fire-Central")
    tasks = page.locator("article.task")
    expect(tasks).to_have_count(1)
    expect(tasks.first).not_to_contain_text("police")
    tasks.first.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".task-status").first).to_have_text("acknowledged")
    page.get_by_label("Progress note").fill("two tenders on scene")
    page.get_by_role("button", name="Report progress").click()
    expect(page.locator(".task-status").first).to_have_text("in progress")
    page.get_by_label("Completion note").fill("fire out")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#action-done")).to_have_text("Completed: the task is finished and the SOP moves on.")
    # Finished tasks stand apart from open ones, and a finished task shows no stale progress.
    expect(page.get_by_role("heading", name="Open tasks (0)")).to_be_visible()
    finished = page.locator("section", has=page.get_by_role("heading", name="Finished (1)")).locator("article.task")
    expect(finished.locator(".task-status")).to_have_text("completed")
    expect(finished).to_contain_text("Completed ")
    expect(finished).to_contain_text(": fire out")
    expect(finished).not_to_contain_text("two tenders on scene")
    expect(finished.get_by_role("button")).to_have_count(0)
    fire_task = next(task for task in client.get(f"/api/v1/incidents/{incident['id']}", headers=officer).json["tasks"]
                     if task["agency"]["code"] == "fire-central")
    assert (fire_task["status"], fire_task["completion_note"]) == ("completed", "fire out")


def test_a_dispatch_order_offers_the_units_status_reports_the_api_accepts(page, client, city, officer, make_user):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    asked = client.post("/api/v1/dispatch/recommendations", headers=officer,
                        json={"incident_id": incident["id"], "needs": {"ambulance": 1}}).json
    client.post(f"/api/v1/dispatch/recommendations/{asked['id']}/accept", headers=officer)
    username, password = make_user(Role.AGENCY, "emsdesk", agency_code="ems-108")
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    order = page.locator("article.task", has=page.locator("form.unit-status"))
    expect(order.locator("form.unit-status")).to_contain_text("(ambulance) is dispatched; report it")
    expect(order.locator("form.unit-status").get_by_role("button")).to_have_text(
        ["en route", "available", "out of service"])  # what the unit may report next, as the API allows
    order.get_by_role("button", name="en route").click()
    expect(page.locator("#action-done")).to_contain_text("reported en route")
    order = page.locator("article.task", has=page.locator("form.unit-status"))
    expect(order.locator("form.unit-status").get_by_role("button")).to_have_text(
        ["on scene", "available", "out of service"])
