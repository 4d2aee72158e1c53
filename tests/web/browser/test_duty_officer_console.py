"""A duty officer at the console, in a real browser: sign in, watch the board update live,
open an incident, take its decision with one click, revise it, and stand it down."""

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
    expect(page.locator("#incidents")).to_contain_text("fire-central: 1 queued")


def test_what_needs_the_officer_links_to_where_to_act_on_it(page, client, officer, make_user, make_agency):
    make_agency("fire-north", "fire", jurisdiction={"type": "Polygon", "coordinates": [
        [[77.0, 13.5], [77.2, 13.5], [77.2, 13.7], [77.0, 13.7], [77.0, 13.5]]]})
    sign_in(page, make_user())
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)  # outside fire-north's area
    page.locator("#officer-alerts a", has_text="fire-north").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("building fire")


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
    page.get_by_role("link", name="chemical accident", exact=True).click()
    expect(page.get_by_role("heading", name="Decisions")).to_be_visible()
    expect(page.locator("#step-verify")).to_have_class("step decision state-active")
    page.get_by_label("Note").fill("fire crew confirms a spill")
    page.get_by_role("button", name="spill", exact=True).click()
    expect(page.locator("#action-done")).to_have_text(
        "Decision taken at “verify”: spill. The SOP goes on from this answer. The incident stays open.")
    verify = page.locator(".decision", has_text="Is it a real spill?")
    expect(verify).to_contain_text("spill by duty_officer:asha")
    expect(page.locator('tr[data-step="close_false_alarm"]')).to_contain_text("skipped")
    expect(page.locator('tr[data-step="warn_public"]')).to_contain_text("active")

    revise = page.locator("form", has=page.get_by_role("button", name="Revise the incident"))
    revise.get_by_label("Severity").select_option("extreme")
    revise.get_by_label("Place name").fill("Peenya depot, gate 2")
    revise.get_by_role("button", name="Revise the incident").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("extreme")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peenya depot, gate 2")
    expect(page.locator(".timeline")).to_contain_text("revised: severity severe -> extreme; place (none) -> Peenya")

    page.get_by_label("Reason").fill("tanker was empty")
    page.get_by_role("button", name="Stand the SOP down").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("closed")
    expect(page.locator("#action-done")).to_contain_text("The incident is now closed.")
    assert client.get(f"/api/v1/incidents/{incident['id']}", headers=officer).json["status"] == "closed"


def test_the_board_filters_from_the_keyboard_and_keeps_the_filters_in_the_address(page, client, officer,
                                                                                  make_user, make_agency):
    make_agency("fire-central", "fire")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    client.post("/api/v1/incidents", headers=officer, json={
        **FIRE_REPORT, "type": "gas_leak", "severity": "moderate", "description": "Smell of gas near the school"})
    sign_in(page, make_user())
    board = page.locator("#incidents")
    expect(board).to_contain_text("gas leak")

    page.keyboard.press("Tab")  # the first stop is the skip link, which leads to the content
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("Search").focus()
    page.keyboard.type("school")
    expect(board.locator("tr")).to_have_count(1)
    expect(board).to_contain_text("Smell of gas near the school")
    assert "q=school" in page.url

    page.reload()
    expect(page.get_by_label("Search")).to_have_value("school")
    expect(board.locator("tr")).to_have_count(1)
    page.get_by_label("Search").fill("")
    page.get_by_label("Severity").select_option("severe")
    expect(board).to_contain_text("building fire")
    expect(board).not_to_contain_text("gas leak")
    page.get_by_label("Severity").select_option("extreme")
    expect(board).to_contain_text("No incidents match these filters.")


def test_the_board_fits_a_1366_by_768_screen_without_sideways_scrolling(page, client, officer, make_user,
                                                                         make_agency):
    make_agency("fire-central", "fire")
    for severity in ("minor", "moderate", "severe", "extreme"):
        client.post("/api/v1/incidents", headers=officer, json={
            **FIRE_REPORT, "severity": severity, "description": f"A {severity} fire with a long description " * 3,
            "place_name": f"<i>{severity}</i> corner of Sarjapur Main Road and Outer Ring Road, near the flyover",
            "location": {"type": "Point", "coordinates": [77.5946 + 0.05 * len(severity), 12.9716]}})
    sign_in(page, make_user())
    expect(page.locator("#incidents tr")).to_have_count(4)
    expect(page.locator("#incidents")).to_contain_text("<i>minor</i> corner of Sarjapur Main Road")  # as text
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.get_by_role("navigation", name="Console").is_visible()


def test_a_wrong_password_is_explained_beside_the_field_and_a_sixth_try_is_refused(page, make_user):
    username, password = make_user()
    page.goto("/")
    for _ in range(5):
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("not the password")
        page.get_by_label("Password").press("Enter")
        expect(page.locator("#password-error")).to_have_text("wrong username or password")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    expect(page.locator("#password-error")).to_contain_text("too many failed sign-ins")
    expect(page.get_by_role("heading", name="Incident board")).to_have_count(0)
