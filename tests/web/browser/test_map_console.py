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
    expect(page.locator("#city-map")).to_have_attribute("data-ready", "true", timeout=30_000)


def rendered(page, layer: str) -> int:
    """How many features of a MapLibre layer are drawn in the view now."""
    return page.evaluate("(layer) => icccMap.queryRenderedFeatures({layers: [layer]}).length", layer)


def screen_point(page, lon: float, lat: float) -> dict:
    """Where a longitude and latitude are on the map's canvas, in pixels from its corner."""
    return page.evaluate("([lon, lat]) => { const p = icccMap.project([lon, lat]); return {x: p.x, y: p.y}; }",
                         [lon, lat])


def empty_spot(page) -> dict:
    """A point near the centre of the map with no marker under it (a click there places an incident)."""
    return page.evaluate("""() => {
        const canvas = icccMap.getCanvas(), w = canvas.clientWidth, h = canvas.clientHeight;
        for (let dx = 0; dx < 200; dx += 7) {
          const point = {x: w / 2 + dx, y: h / 2 + dx / 3};
          const box = [[point.x - 12, point.y - 12], [point.x + 12, point.y + 12]];
          if (!icccMap.queryRenderedFeatures(box, {layers: ["units", "stations", "incidents"]}).length) return point;
        }
        throw new Error("no empty spot near the centre");
    }""")


def test_declare_on_the_map_then_decide_and_accept_the_dispatch(page, client, store, admin, city, make_user):
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
    assert client.post("/api/v1/sops", data=CHEMICAL_SOP, headers={**admin, **YAML}).status_code == 201
    sign_in(page, make_user())
    open_map(page)
    assert rendered(page, "road-primary") > 0 and rendered(page, "road-minor") > 0
    assert rendered(page, "stations") == sum(kind.stations for kind in DEMO_FLEET)
    assert rendered(page, "units") > 0

    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/map.png")
    page.locator("#city-map canvas").click(position=empty_spot(page))
    expect(page.get_by_label("Where")).to_have_value(re.compile(r"^12\.9\d{4}, 77\.5\d{4}$"))
    expect(page.get_by_role("img", name="The new incident's place")).to_have_count(1)
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
    expect(page.locator("#open-incidents")).to_contain_text("severe chemical accident")
    expect(page.locator("#unit-summary")).to_contain_text("3 dispatched")
    assert rendered(page, "incidents") == 2  # the spill and the outage it spawned

    # Click a dispatched unit: its details and a link to its current task.
    units = client.get("/api/v1/units?limit=500", headers=admin).json
    sent = next(u for u in (units["items"]) if u["status"] == "dispatched")
    lon, lat = sent["location"]["coordinates"]
    page.evaluate("([lon, lat]) => icccMap.jumpTo({center: [lon, lat], zoom: 17})", [lon, lat])
    page.wait_for_function("() => icccMap.loaded()")
    page.locator("#city-map canvas").click(position=screen_point(page, lon, lat))
    details = page.locator("#map-details")
    expect(details).to_contain_text(f"Unit {sent['code']}")
    expect(details).to_contain_text("dispatched")
    expect(details).to_contain_text("last seen no fix yet")
    details.get_by_role("link", name=re.compile("Its current task")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("chemical accident")


def test_the_map_is_worked_with_the_keyboard_and_a_typed_place(page, city, make_user):
    sign_in(page, make_user())
    open_map(page)
    zoom = page.evaluate("() => icccMap.getZoom()")
    page.locator("#city-map canvas").focus()
    page.keyboard.press("+")
    page.wait_for_function("(zoom) => icccMap.getZoom() > zoom && !icccMap.isMoving()", arg=zoom)
    centre = page.evaluate("() => icccMap.getCenter().lng")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(lng) => icccMap.getCenter().lng > lng && !icccMap.isMoving()", arg=centre)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Where")).not_to_have_value("")
    page.keyboard.press("0")
    page.wait_for_function("(zoom) => Math.abs(icccMap.getZoom() - zoom) < 0.01", arg=zoom)

    page.get_by_label("Where").fill("Atlantis")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#location-error")).to_contain_text("no place called 'Atlantis'")
    expect(page.get_by_label("Where")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Where").fill("Town Hall")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#location-error")).to_have_text("")
    expect(page.locator("#location-found")).to_have_text("Found: Town Hall (landmark)")

    page.get_by_label("Type").select_option("tree_fall")
    page.get_by_role("button", name="Declare").click()  # no severity chosen
    expect(page.locator("#severity-error")).to_contain_text("choose one of: minor, moderate, severe, extreme")
    expect(page.get_by_label("Where")).to_have_value("Town Hall")
    page.get_by_label("Severity").select_option("moderate")
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("where: Town Hall (12.96370, 77.58550)")


def test_each_layer_has_a_toggle_that_shows_and_hides_it(page, client, city, officer, admin, make_user, make_agency):
    make_agency("water-north", "water", jurisdiction={"type": "Polygon", "coordinates": [
        [[77.58, 12.98], [77.60, 12.98], [77.60, 13.0], [77.58, 13.0], [77.58, 12.98]]]})
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    assert client.post("/api/v1/sensors", headers=admin, json={
        "id": "drain-1", "kind": "water_level", "unit": "m", "agency": "municipal-corp", "interval_s": 60,
        "location": {"type": "Point", "coordinates": [77.59, 12.97]}, "name": "Silk Board drain"}).status_code == 201
    assert client.post("/api/v1/devices", headers=admin, json={
        "id": "pump-1", "kind": "drainage_pump", "agency": "municipal-corp", "name": "Silk Board pump",
        "location": {"type": "Point", "coordinates": [77.583, 12.976]}}).status_code == 201
    sign_in(page, make_user())
    open_map(page)
    label = page.locator(".map-label", has_text="water-north")
    expect(label).to_be_visible()
    for name, layer in [("Streets", "road-minor"), ("Jurisdictions", "jurisdictions-fill"), ("Stations", "stations"),
                        ("Units", "units"), ("Open incidents", "incidents"), ("Sensors", "sensors"),
                        ("Devices (signs, sirens, pumps, barriers)", "devices")]:
        assert rendered(page, layer) > 0, layer
        page.get_by_role("checkbox", name=name, exact=True).uncheck()
        page.wait_for_function("(layer) => icccMap.getLayoutProperty(layer, 'visibility') === 'none'"
                               " && icccMap.queryRenderedFeatures({layers: [layer]}).length === 0", arg=layer)
        page.get_by_role("checkbox", name=name, exact=True).check()
        page.wait_for_function("(layer) => icccMap.queryRenderedFeatures({layers: [layer]}).length > 0", arg=layer)
    page.get_by_role("checkbox", name="Jurisdictions").uncheck()
    expect(label).to_be_hidden()
    point = screen_point(page, 77.59, 12.97)
    page.locator("#city-map canvas").click(position=point)
    expect(page.locator("#map-details")).to_contain_text("Sensor drain-1: Silk Board drain")
    expect(page.locator("#map-details")).to_contain_text("no reading yet")
    page.locator("#city-map canvas").click(position=screen_point(page, 77.583, 12.976))
    expect(page.locator("#map-details")).to_contain_text("Device pump-1: Silk Board pump")
    expect(page.locator("#map-details")).to_contain_text("drainage pump of municipal-corp: never commanded")

    assert rendered(page, "heat") == 0
    page.get_by_role("checkbox", name="Heat map of incidents").check()
    expect(page.locator("#city-map")).to_have_attribute("data-heat-points", "1")
    page.wait_for_function("() => icccMap.queryRenderedFeatures({layers: ['heat']}).length > 0")
    page.get_by_label("Heat map period").select_option("24")
    expect(page.locator("#city-map")).to_have_attribute("data-heat-points", "1")


def test_taking_every_ambulance_of_a_district_out_of_service_shades_that_district(page, client, city, admin,
                                                                                   make_user):
    sign_in(page, make_user())
    open_map(page)
    page.get_by_role("checkbox", name=re.compile("Shade areas no free unit")).check()
    expect(page.locator("#coverage-summary")).to_contain_text("5 free als ambulance units")
    units = client.get("/api/v1/units?limit=500", headers=admin).json
    units = units["items"]
    stations = client.get("/api/v1/stations", headers=admin).json
    stations = stations["items"]
    # The district: the demo's EMS-05, eight minutes by road from the other EMS stations, and its ambulances.
    far = next(s for s in stations if s["code"] == "EMS-05")
    page.get_by_label("Minutes").fill("5")
    page.get_by_label("Minutes").press("Enter")
    expect(page.locator("#coverage-summary")).to_contain_text("within 5 min")
    lon, lat = far["location"]["coordinates"]
    page.evaluate("([lon, lat]) => icccMap.jumpTo({center: [lon, lat], zoom: 14})", [lon, lat])
    page.wait_for_function("() => icccMap.loaded() && !icccMap.isMoving()")
    at_station = "([x, y]) => icccMap.queryRenderedFeatures([x, y], {layers: ['coverage']}).length"
    point = screen_point(page, lon, lat)
    assert page.evaluate(at_station, [point["x"], point["y"]]) == 0  # covered by its own ambulances

    for unit in units:
        if unit["station"] and unit["station"]["code"] == far["code"] and "ambulance" in unit["unit_type"]:
            response = client.post(f"/api/v1/units/{unit['id']}/status", json={"status": "out_of_service"},
                                   headers=admin)
            assert response.status_code == 200
    expect(page.locator("#coverage-summary")).to_contain_text("4 free als ambulance units", timeout=15_000)
    page.wait_for_function(f"() => ({at_station})([{point['x']}, {point['y']}]) > 0")


def test_the_recommendation_shows_coverage_before_and_after_accepting(page, client, city, officer, make_user):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    response = client.post("/api/v1/dispatch/recommendations", headers=officer,
                           json={"incident_id": incident["id"], "needs": {"als_ambulance": 3}})
    assert response.status_code == 201, response.json
    sign_in(page, make_user())
    page.goto(f"/console/incidents/{incident['id']}")
    change = page.locator("#coverage-change li[data-need=als_ambulance]")
    expect(change).to_contain_text(re.compile(r"als ambulance:\s+[\d.]+% now \(5 free\)\s+→\s+[\d.]+% after accepting\s+\(2 free\)"))
    before, after = (float(v) for v in re.findall(r"([\d.]+)%", change.inner_text()))
    assert after < before
    expect(change.locator(".late")).to_have_count(1)
    if SCREENSHOTS:
        page.locator("#coverage-change").screenshot(path=f"{SCREENSHOTS}/recommendation-coverage.png")


def test_a_viewer_watches_incidents_appear_on_the_map(page, client, city, officer, make_user):
    sign_in(page, make_user(Role.VIEWER, "wall"))
    open_map(page)
    expect(page.locator("#declare-form")).to_have_count(0)
    expect(page.locator("#open-incidents")).to_contain_text("No open incidents.")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    expect(page.locator("#open-incidents a")).to_have_count(1, timeout=5_000)
    expect(page.locator("#open-incidents a")).to_have_text("severe building fire")
    page.wait_for_function("() => icccMap.queryRenderedFeatures({layers: ['incidents']}).length === 1")
    link = page.locator("#open-incidents a").first
    link.focus()
    page.wait_for_timeout(2_500)  # at least one refresh redraws the list
    expect(page.locator("#open-incidents a").first).to_be_focused()

    # Click the incident on the map: its details, a link to open it, and no way to declare.
    point = screen_point(page, *FIRE_REPORT["location"]["coordinates"])
    page.locator("#city-map canvas").click(position=point)
    details = page.locator("#map-details")
    expect(details).to_contain_text("severe building fire")
    expect(details.get_by_role("button", name="Declare an incident here")).to_have_count(0)
    details.get_by_role("link", name="Open the incident").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("building fire")

