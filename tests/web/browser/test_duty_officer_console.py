"""A duty officer at the console, in a real browser: sign in, watch the board update live,
open an incident, take its decision with one click, and stand it down."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.coordination.test_duty import CHEMICAL_SOP, stand_in_for_the_shipped_sops
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.browser

YAML = {"Content-Type": "application/yaml"}


def sign_in(page, credentials: tuple[str, str]) -> None:
    username, password = credentials
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Incident board")).to_be_visible()


def test_the_board_shows_a_new_incident_without_reloading(page, client, officer, make_user, make_agency):
    make_agency("fire-central", "fire")
    sign_in(page, make_user())
    expect(page.locator("#incidents")).to_contain_text("No incidents.")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    expect(page.locator("#incidents")).to_contain_text("building fire", timeout=5_000)
    expect(page.locator("#incidents")).to_contain_text("fire-central: fire_response (queued)")


def test_an_officer_takes_a_decision_in_one_click_and_the_sop_follows(page, client, store, officer, admin,
                                                                      make_user, make_agency):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
    client.post("/api/v1/sops", data=CHEMICAL_SOP, headers={**admin, **YAML})
    incident = client.post("/api/v1/incidents", json={**FIRE_REPORT, "type": "chemical_accident"},
                           headers=officer).json
    sign_in(page, make_user())
    page.get_by_role("link", name="chemical accident").click()
    expect(page.get_by_role("heading", name="Decisions")).to_be_visible()
    expect(page.locator("#step-verify")).to_have_class("step decision state-active")
    page.get_by_label("Note").fill("fire crew confirms a spill")
    page.get_by_role("button", name="spill", exact=True).click()
    verify = page.locator(".decision", has_text="Is it a real spill?")
    expect(verify).to_contain_text("spill by duty_officer:asha")
    expect(page.locator('tr[data-step="close_false_alarm"]')).to_contain_text("skipped")
    expect(page.locator('tr[data-step="warn_public"]')).to_contain_text("active")

    page.get_by_label("Reason").fill("tanker was empty")
    page.get_by_role("button", name="Stand the SOP down").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("closed")
    assert client.get(f"/api/v1/incidents/{incident['id']}", headers=officer).json["status"] == "closed"
