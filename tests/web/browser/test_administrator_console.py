"""An administrator in a real browser: an SOP upload whose validator message appears at its
line, fixed and activated; a GeoJSON import whose bad feature is listed; an agency account
created here whose holder then signs in and sees only their agency's tasks."""

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
    expect(page.locator("body")).to_contain_text("Forbidden")
