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
    expect(page.locator(".task-status").first).to_have_text("completed")
    fire_task = next(task for task in client.get(f"/api/v1/incidents/{incident['id']}", headers=officer).json["tasks"]
                     if task["agency"]["code"] == "fire-central")
    assert (fire_task["status"], fire_task["completion_note"]) == ("completed", "fire out")
