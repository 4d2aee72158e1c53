"""The duty officer's map in a real browser: declare an incident by clicking the map, see its
tasks appear, take the SOP's decision, and accept the dispatch recommendation it leads to; the
map's layers, keyboard and look-up (a typed place is the incident's name); a viewer watches
without a declare form."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from coordination import Role
from coordination.dispatch_service import DEMO_FLEET
from tests.coordination.test_duty import CHEMICAL_SOP, stand_in_for_the_shipped_sops
from tests.web.browser.test_duty_officer_console import sign_in
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.browser

YAML = {"Content-Type": "application/yaml"}
SCREENSHOTS = os.environ.get("ICCC_SCREENSHOTS")
"""A folder to save the map and incident page as PNGs in (for the README); unset: none."""


def open_map(page):
    page.get_by_role("link", name="Map", exact=True).click()
    expect(page.get_by_role("heading", name="City map")).to_be_visible()
    expect(page.locator("#city-map")).to_have_attribute("data-ready", "true")


def test_declare_on_the_map_then_decide_and_accept_the_dispatch(page, client, store, admin, city, make_user):
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
    assert client.post("/api/v1/sops", data=CHEMICAL_SOP, headers={**admin, **YAML}).status_code == 201
    sign_in(page, make_user())
    open_map(page)
    expect(page.locator("#layer-roads path.road-primary")).to_have_count(1)
    expect(page.locator('#layer-stations [aria-label="Station FS-01: Fire and Emergency Services, Central, '
                        'station 1 (fire-central)"]')).to_have_count(1)
    expect(page.locator("#layer-units [role=img]")).to_have_count(sum(k.stations * len(k.units) for k in DEMO_FLEET))

    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/map.png")
    box = page.locator("#city-map").bounding_box()
    page.locator("#city-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(page.get_by_label("Where")).to_have_value(re.compile(r"^12\.9\d{4}, 77\.5\d{4}$"))
    expect(page.locator("#layer-placed [role=img]")).to_have_count(1)
    page.get_by_label("Type").select_option("chemical_accident")
    page.get_by_label("Severity").select_option("severe")
    page.get_by_label("Description").fill("Tanker leaking near the depot")
    page.get_by_role("button", name="Declare").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("chemical accident")
    tasks = page.locator("#tasks")
    expect(tasks).to_contain_text("fire-central")
    expect(tasks.locator("tr", has_text="fire-central")).to_contain_text("queued")
    expect(tasks.locator("tr", has_text="fire-central")).to_contain_text("task.created: pending")

    page.get_by_label("Note").fill("fire crew confirms a spill")
    page.get_by_role("button", name="spill", exact=True).click()
    expect(page.locator(".decision", has_text="Is it a real spill?")).to_contain_text("spill by duty_officer:asha")

    plan = page.locator("#recommendation")
    expect(plan.locator("tr.plan-row")).to_have_count(3)  # a rescue team and two ambulances
    expect(plan).to_contain_text("min")
    expect(plan.locator("tr.plan-row").first).to_contain_text("closest")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/incident.png", full_page=True)
    page.get_by_role("button", name="Accept the recommendation").click()
    expect(page.locator(".sent-units li")).to_have_count(3)
    expect(page.locator('tr[data-step="send_help"]')).to_contain_text("done")
    expect(page.locator("#linked-incidents")).to_contain_text("power outage")  # spawned by the SOP

    open_map(page)
    expect(page.locator("#layer-incidents a")).to_have_count(2)  # the spill and the outage it spawned
    expect(page.locator("#open-incidents")).to_contain_text("severe chemical accident")
    expect(page.locator("#unit-summary")).to_contain_text("3 dispatched")


def test_the_map_is_worked_with_the_keyboard_and_a_typed_place(page, city, make_user):
    sign_in(page, make_user())
    open_map(page)
    view = page.locator("#city-map").get_attribute("viewBox")
    page.locator("#city-map").focus()
    page.keyboard.press("+")
    zoomed = page.locator("#city-map").get_attribute("viewBox")
    assert float(zoomed.split()[2]) < float(view.split()[2])
    page.keyboard.press("ArrowRight")
    assert page.locator("#city-map").get_attribute("viewBox").split()[0] != zoomed.split()[0]
    page.keyboard.press("Enter")
    expect(page.get_by_label("Where")).not_to_have_value("")

    page.get_by_label("Where").fill("Atlantis")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#location-error")).to_contain_text("no place called 'Atlantis'")
    expect(page.get_by_label("Where")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Where").fill("Town Hall")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#location-error")).to_have_text("")
    expect(page.locator("#location-found")).to_have_text("Found: Town Hall (landmark)")

    page.get_by_role("checkbox", name="Units").uncheck()
    expect(page.locator("#layer-units")).to_be_hidden()
    page.get_by_label("Type").select_option("tree_fall")
    page.get_by_role("button", name="Declare").click()  # no severity chosen
    expect(page.locator("#severity-error")).to_contain_text("choose one of: minor, moderate, severe, extreme")
    expect(page.get_by_label("Where")).to_have_value("Town Hall")
    page.get_by_label("Severity").select_option("moderate")
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("where: Town Hall (12.96370, 77.58550)")


def test_a_viewer_watches_incidents_appear_on_the_map(page, client, city, officer, make_user):
    sign_in(page, make_user(Role.VIEWER, "wall"))
    open_map(page)
    expect(page.locator("#declare-form")).to_have_count(0)
    expect(page.locator("#open-incidents")).to_contain_text("No open incidents.")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    expect(page.locator("#layer-incidents a")).to_have_count(1, timeout=5_000)
    expect(page.locator("#layer-incidents a")).to_have_attribute("aria-label",
                                                                 re.compile("^severe building fire"))
    link = page.locator("#open-incidents a").first
    link.focus()
    page.wait_for_timeout(2_500)  # at least one refresh redraws the list
    expect(page.locator("#open-incidents a").first).to_be_focused()
    page.locator("#layer-incidents a").first.focus()
    page.wait_for_timeout(2_500)
    expect(page.locator("#layer-incidents a").first).to_be_focused()

