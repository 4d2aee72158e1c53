"""An administrator in a real browser: an SOP upload whose validator message appears at its
line, fixed and activated; a GeoJSON import whose bad feature is listed; an agency account
created here whose holder then signs in and sees only their agency's tasks; a station and a unit
added from the keyboard, the unit taken out of service; a webhook endpoint refused beside its
field, a secret rotated and shown once; signing out."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from coordination import Role
from tests.web.browser.test_duty_officer_console import sign_in
from tests.web.conftest import FIRE_REPORT
from tests.web.test_console_agencies import collection, feature
from tests.web.test_console_sops import MISSPELT, STORM

pytestmark = pytest.mark.browser


def test_an_sop_error_is_shown_at_its_line_then_fixed_and_activated(page, make_user, client, admin):
    sign_in(page, make_user(Role.ADMINISTRATOR, "root-admin"))
    page.get_by_role("navigation", name="Console").get_by_role("link", name="SOPs").click()
    expect(page.get_by_role("heading", name="Standard operating procedures")).to_be_visible()
    page.get_by_label("or edit it here").fill(MISSPELT)
    page.get_by_role("button", name="Validate and upload").click()
    expect(page.get_by_role("alert").first).to_contain_text("1 problem found; nothing was stored")
    expect(page.locator("#line-10 .problem")).to_have_text("line 10: step 'close' waits for unknown step 'asess'")
    expect(page.locator("#line-10")).to_contain_text("after: [asess]")
    expect(page.locator(".source .problem")).to_have_count(1)

    editor = page.get_by_label("or edit it here")
    editor.fill(editor.input_value().replace("[asess]", "[assess]"))
    page.get_by_role("button", name="Validate and upload").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Storm drill")
    expect(page.locator("#sop-status")).to_have_text("inactive")
    expect(page.locator(".graph svg")).to_be_visible()
    page.get_by_role("button", name="Activate for new incidents").click()
    expect(page.locator("#sop-status")).to_have_text("active")
    versions = client.get("/api/v1/sops", headers=admin).json["items"]
    assert {"id": "storm-drill", "status": "active"}.items() <= next(
        item for item in versions if item["id"] == "storm-drill").items()
    assert STORM.replace("\n", "") == client.get("/api/v1/sops/storm-drill/versions/1", headers=admin
                                                 ).json["source"].replace("\n", "")


def test_a_geojson_import_lists_its_bad_feature_beside_the_upload(page, make_user, tmp_path, client, admin):
    path = tmp_path / "stations.geojson"
    path.write_text(collection(feature("police-north"), feature("police-south", kind="wizards"),
                               feature("police-east", priority=5)))
    sign_in(page, make_user(Role.ADMINISTRATOR, "root-admin"))
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Agencies").click()
    page.get_by_label("GeoJSON file").set_input_files(str(path))
    page.get_by_role("button", name="Import", exact=True).click()
    problems = page.locator("#import-problems li")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("feature 1: properties.kind")
    expect(page.locator("#import-error")).to_contain_text("nothing was imported")
    assert client.get("/api/v1/agencies", headers=admin).json["items"] == []

    fixed = json.loads(path.read_text())
    fixed["features"][1]["properties"]["kind"] = "police"
    path.write_text(json.dumps(fixed))
    page.get_by_label("GeoJSON file").set_input_files(str(path))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#agencies tbody tr")).to_have_count(3)
    expect(page.get_by_role("heading", name="Credentials, shown once")).to_be_visible()


def test_an_agency_account_created_here_sees_only_its_agencys_tasks(page, make_user, make_agency, client, officer):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    sign_in(page, make_user(Role.ADMINISTRATOR, "root-admin"))
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Users").click()
    form = page.get_by_role("form", name="Create an account")
    form.get_by_label("Username").fill("firedesk")
    form.get_by_label("Name", exact=True).fill("Fire desk")
    form.get_by_label("Role").select_option("agency")
    form.get_by_label("Agency (agency users only)").select_option("fire-central")
    form.get_by_label("Initial password").fill("a long initial password")
    form.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("status")).to_have_text("firedesk can sign in now (agency).")
    expect(page.locator("#user-firedesk")).to_contain_text("agency of fire-central")
    page.get_by_role("button", name="Sign out").click()

    page.get_by_label("Username").fill("firedesk")
    page.get_by_label("Password").fill("a long initial password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks of Fire-Central")
    expect(page.locator("article.task")).to_have_count(1)
    expect(page.locator("article.task")).not_to_contain_text("police")
    expect(page.get_by_role("navigation", name="Console").get_by_role("link")).to_have_text(["Tasks"])
    page.goto("/console/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.locator("main")).to_contain_text("This page is for administrators; you are signed in as firedesk")


def test_an_administrator_adds_a_station_and_a_unit_by_keyboard_and_takes_the_unit_out_of_service(
        page, make_user, make_agency, client, admin):
    make_agency("fire-central", "fire")
    sign_in(page, make_user(Role.ADMINISTRATOR, "root-admin"))
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Units").click()
    station = page.locator("form", has=page.get_by_role("heading", name="Add a station"))
    station.get_by_label("Agency").select_option("fire-central")
    station.get_by_label("Code").fill("FS-09")
    station.get_by_label("Name").fill("Fire station 9")
    station.get_by_label("Longitude").fill("77.59")
    station.get_by_label("Latitude").fill("777")
    station.get_by_label("Latitude").press("Enter")  # submitted from the keyboard
    expect(page.locator("#station-latitude-error")).to_be_visible()
    expect(page.get_by_label("Latitude")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Latitude").fill("12.97")
    page.get_by_label("Latitude").press("Enter")
    expect(page.locator("#stations-title ~ table, #stations-title + *").first).to_contain_text("FS-09")

    unit = page.locator("form", has=page.get_by_role("heading", name="Add a unit"))
    unit.get_by_label("Call sign").fill("ENGINE-9")
    unit.get_by_label("Type").select_option("fire_engine")
    unit.get_by_label("Call sign").press("Enter")
    page.get_by_role("link", name="ENGINE-9").click()
    page.get_by_role("button", name="Take out of service").click()
    expect(page.get_by_role("button", name="Return to service")).to_be_visible()
    [listed] = [u for u in client.get("/api/v1/units", headers=admin).json["items"] if u["code"] == "ENGINE-9"]
    assert listed["status"] == "out_of_service"


def test_a_rotated_webhook_secret_is_shown_once_and_signing_out_ends_the_session(page, make_user, make_agency):
    make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/fire")
    sign_in(page, make_user(Role.ADMINISTRATOR, "root-admin"))
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="fire-central").click()
    page.get_by_label("Webhook URL").fill("https://example.org/hook")
    page.get_by_role("button", name="Save the endpoint").click()
    expect(page.get_by_label("Webhook URL")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").first).to_contain_text("allow")

    page.get_by_role("button", name="Rotate the secret").click()
    secret = page.locator("#new-secret").inner_text()
    assert secret.startswith("whsec_")
    page.get_by_role("link", name="All agencies").click()
    page.get_by_role("link", name="fire-central").click()
    expect(page.get_by_role("heading", name="Webhook secret")).to_be_visible()
    expect(page.locator("#new-secret")).to_have_count(0)
    assert secret not in page.content(), "the new secret is shown once only"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    page.go_back()
    page.reload()
    expect(page.get_by_label("Username")).to_be_visible()  # the old page is gone with the session
