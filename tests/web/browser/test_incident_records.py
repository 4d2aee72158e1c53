"""The rest of a duty officer's incident page, in a real browser: an SOP started by hand, a
dispatch recommendation changed before it is accepted, each task's webhook delivery log, a
duplicate report, and the integrity board naming the deadline an agency missed."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from coordination import HttpSender, deliver_due_messages
from tests.web.browser.test_duty_officer_console import sign_in
from tests.web.conftest import FIRE_REPORT, LOOPBACK

pytestmark = pytest.mark.browser

MINOR_ACCIDENT = {**FIRE_REPORT, "type": "road_accident", "severity": "minor",
                  "description": "Scooter skid at the junction"}


def test_an_officer_starts_an_sop_by_hand_changes_a_dispatch_and_reads_the_delivery_log(
        page, client, store, clock, city, officer, make_user):
    client.post("/api/v1/incidents", json=MINOR_ACCIDENT, headers=officer)
    sign_in(page, make_user())
    page.get_by_role("link", name="road accident").click()
    expect(page.get_by_role("heading", name="Start an SOP by hand")).to_be_visible()
    page.get_by_label("Active SOP for a road accident").select_option("road-accident")
    page.get_by_role("button", name="Start the SOP").click()
    expect(page.get_by_role("heading", name="(road-accident v", exact=False)).to_contain_text("running")
    expect(page.locator("#tasks tbody tr").first).to_contain_text("queued")

    page.get_by_label("Unit type").select_option("police_patrol")
    page.get_by_label("How many").fill("1")
    page.get_by_role("button", name="Ask for a recommendation").click()
    row = page.locator("tr.plan-row").first
    recommended = row.get_attribute("data-unit")
    swap = page.get_by_label(f"Unit for police patrol instead of {recommended}")
    alternative = swap.locator("option").nth(1).get_attribute("value")
    swap.select_option(alternative)
    page.get_by_label("Dispatch note").fill("the nearer patrol is on a VIP route")
    page.get_by_role("button", name="Accept with my changes").click()
    sent = page.locator("h3", has_text="Units sent").locator("xpath=following-sibling::*[1]")
    expect(sent).to_contain_text("police patrol")
    expect(sent).not_to_contain_text(recommended)

    deliver_due_messages(store=store, clock=clock, sender=HttpSender(), rng=random.Random(1), allowed_hosts=LOOPBACK)
    page.reload()
    log = page.locator("#tasks details.delivery").first
    log.locator("summary").click()
    expect(log).to_contain_text("task.created")
    expect(log.locator("summary")).to_contain_text("1 attempt")  # nothing listens on port 9
    expect(log.locator("ol.attempts li").first).not_to_contain_text("Not attempted yet")

    client.post("/api/v1/incidents", headers=officer, json={**MINOR_ACCIDENT, "description": "Same skid, 2nd caller"})
    page.reload()
    expect(page.locator("#linked-incidents")).to_contain_text("Same skid, 2nd caller")

    clock.advance(minutes=120)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Integrity").click()
    expect(page.locator("#overdue-tasks")).to_contain_text("road accident")
    expect(page.locator("#overdue-tasks li.late").first).to_contain_text("was due")
