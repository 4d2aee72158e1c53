"""Every page of the console, for every role that may open it, in a real browser at 1366x768:
it has a heading, fits the screen without sideways scrolling, and every control can be reached
with the keyboard (nothing focusable is hidden off-screen)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coordination import Role
from tests.cap_signing import make_signing_key, sign
from tests.web.cap_alerts import cap_alert
from tests.web.conftest import FIRE_REPORT
from web.console.nav import NAV

pytestmark = pytest.mark.browser

WIDTH = 1366

FOCUSABLE_OFF_SCREEN = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
  .filter((element) => !element.disabled && element.type !== 'hidden' && element.getClientRects().length)
  .filter((element) => { const box = element.getBoundingClientRect(); return box.right > innerWidth + 1; })
  .map((element) => element.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("role", [Role.DUTY_OFFICER, Role.VIEWER, Role.ADMINISTRATOR, Role.PLANNER, Role.AGENCY])
def test_every_page_a_role_may_open_fits_the_screen_and_the_keyboard(page, client, officer, clock, make_user,
                                                                     make_agency, role):
    make_agency("fire-central", "fire")
    client.post("/api/v1/incidents", json={**FIRE_REPORT, "description": "Smoke " * 40}, headers=officer)
    post_signed_cap_alert(client, officer, clock)
    username, password = make_user(role, f"person-{role.value}", agency_code="fire-central" if role is Role.AGENCY
                                   else None)
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    links = [link for link in NAV if role in link.roles]
    assert links, "every role has at least one page"
    for link in links:
        page.get_by_role("navigation", name="Console").get_by_role("link", name=link.label, exact=True).click()
        expect(page.get_by_role("navigation", name="Console").get_by_role("link", name=link.label, exact=True)
               ).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, f"{link.label} scrolls sideways"
        assert page.evaluate(FOCUSABLE_OFF_SCREEN) == [], f"{link.label} has controls off the screen"


def post_signed_cap_alert(client, officer, clock) -> dict:
    """A CAP alert whose signature and certificate are long unbroken lines, for the CAP alerts pages."""
    signer = make_signing_key("IMD Bengaluru", valid_from=clock.now() - timedelta(days=1))
    response = client.post("/api/v1/alerts/cap", data=sign(cap_alert("flood-1"), signer),
                           content_type="application/cap+xml", headers=officer)
    assert response.status_code == 201, response.json
    return response.json


def test_a_cap_alert_with_its_xml_fits_the_screen(page, client, officer, clock, make_user):
    """An alert's own page is reached from the list; the long lines of its signature wrap."""
    post_signed_cap_alert(client, officer, clock)
    username, password = make_user(Role.VIEWER, "person-viewer")
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("navigation", name="Console").get_by_role("link", name="CAP alerts", exact=True).click()
    page.get_by_role("link", name="Alert flood-1", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Flash flood")
    expect(page.locator("pre.cap-xml")).to_contain_text("<alert xmlns=")
    page.wait_for_load_state("load")  # the stylesheet wraps the XML's long lines
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, "the alert scrolls sideways"
    assert page.evaluate(FOCUSABLE_OFF_SCREEN) == [], "the alert has controls off the screen"


def test_the_error_pages_fit_the_screen_and_lead_back_home(page, make_user):
    """A duty officer who opens an administrators' page, an address that does not exist, or a
    form's address gets a page with a heading and their navigation, and a way back to the board."""
    username, password = make_user(Role.DUTY_OFFICER, "person-duty-officer")
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    for path, heading in (("/console/admin/users", "Not allowed"), ("/console/no-such-page", "Not found"),
                          ("/console/sign-out", "Not available this way")):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("navigation", name="Console").get_by_role("link", name="Board", exact=True)
               ).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, f"{path} scrolls sideways"
        assert page.evaluate(FOCUSABLE_OFF_SCREEN) == [], f"{path} has controls off the screen"
        page.get_by_role("link", name="Back to your home page (Board)").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Incident board")
