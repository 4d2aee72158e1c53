"""A duty officer reads the city's sensors in a real browser: the list with latest values and
bands, a gauge's page with the chart of its readings and the flood its readings declared, and the
integrity board's silent sensors and refused readings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coordination import Role
from coordination.intake import IncomingMessage
from tests.coordination.intake.gauges import register_drains, senml
from tests.coordination.rule_service.conftest import shipped_rules  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser


def test_a_duty_officer_follows_the_gauges_to_the_flood_they_declared(page, app, make_user, store, clock,
                                                                       shipped_rules):  # noqa: F811
    register_drains(store, clock, 4)
    intake = app.extensions["iccc"].intake
    intake.take([IncomingMessage(source="mqtt", origin="iccc/readings/drain-4", payload=senml("drain-4", 0.1,
                                                                                              at=clock.now()))])
    clock.advance(minutes=5)  # drain-4 falls silent
    for minutes in (20, 10, 0):
        intake.take([IncomingMessage(source="mqtt", origin=f"iccc/readings/{sensor}",
                                     payload=senml(sensor, 0.8 + minutes / 100, at=clock.now() - timedelta(
                                         minutes=minutes))) for sensor in ("drain-1", "drain-2", "drain-3")])
    intake.take([IncomingMessage(source="mqtt", origin="iccc/readings/drain-9", payload=senml("drain-9", 0.5))])
    username, password = make_user(Role.DUTY_OFFICER, "asha")
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.get_by_role("link", name="Sensors", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sensors")
    expect(page.locator("#sensor-drain-1 .value")).to_have_text("0.8 m")
    expect(page.locator("#sensor-drain-1 .band")).to_have_text("moderate")
    expect(page.locator("#sensor-drain-4")).to_contain_text("stale")

    page.get_by_role("link", name="drain-1", exact=True).click()
    expect(page.get_by_role("img", name="drain-1: the last 24 hours")).to_be_visible()
    page.locator("#firings").get_by_role("link", name="incident").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("flood")

    page.get_by_role("link", name="Integrity", exact=True).click()
    expect(page.locator("#stale-sensors")).to_contain_text("drain-4")
    expect(page.locator("#intake-dead-letters")).to_contain_text("drain-9")
