"""The board's "For the duty officer": every decision and notice waiting for the officer, its due
time (red when overdue) and a link to answer it; a new item flashes and sounds, and the sound can
be muted (remembered in the browser)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.coordination.test_duty import CHEMICAL_SOP, stand_in_for_the_shipped_sops
from tests.web.browser.test_duty_officer_console import YAML, sign_in
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.browser

COUNT_TONES = """
window.__tones = 0;
class CountingAudioContext {
  constructor() { this.currentTime = 0; this.destination = {}; }
  resume() { return Promise.resolve(); }
  createGain() { return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (x) => x }; }
  createOscillator() {
    return { frequency: {}, connect: (x) => x, start: () => { window.__tones += 1; }, stop() {} };
  }
}
window.AudioContext = CountingAudioContext;
"""
"""Web Audio, counted: the test hears a tone as one more oscillator started."""


@pytest.fixture
def chemical_sop(client, store, admin, make_agency):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
    client.post("/api/v1/sops", data=CHEMICAL_SOP, headers={**admin, **YAML})


PLACES = {"Peenya depot": [77.5946, 12.9716], "Whitefield yard": [77.7500, 12.9700]}
"""Far apart, so the second spill is not taken for a duplicate of the first."""


def declare_spill(client, officer, place: str) -> dict:
    return client.post("/api/v1/incidents", json={
        **FIRE_REPORT, "type": "chemical_accident", "place_name": place,
        "location": {"type": "Point", "coordinates": PLACES[place]}}, headers=officer).json


def test_every_decision_and_notice_waiting_is_listed_with_its_due_time_and_a_link(page, client, officer, clock,
                                                                                 make_user, chemical_sop):
    declare_spill(client, officer, "Peenya depot")
    declare_spill(client, officer, "Whitefield yard")
    decision = client.get("/api/v1/decisions?status=open", headers=officer).json["items"][0]
    client.post(f"/api/v1/decisions/{decision['id']}/answer", json={"choice": "spill"}, headers=officer)
    sign_in(page, make_user())
    waiting = page.locator("#officer-alerts li.awaiting")
    expect(waiting).to_have_count(2)  # one decision still open, one public notice to approve
    expect(page.locator("#officer-alerts")).to_contain_text("Approve the public notice: warn public")
    expect(page.locator("#officer-alerts")).to_contain_text("Decide: verify — Is it a real spill?")
    expect(waiting.first).to_contain_text("(in ")
    expect(page.locator("#officer-alerts")).not_to_contain_text("Nothing needs you")

    clock.advance(minutes=11)  # past the decision's 10 minutes
    overdue = page.locator("#officer-alerts li.overdue", has_text="Decide: verify")
    expect(overdue).to_contain_text("(overdue 1m", timeout=5_000)
    assert overdue.get_by_role("link").evaluate("a => getComputedStyle(a).color") == "rgb(176, 0, 32)"  # red
    overdue.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("chemical accident")
    anchor = page.url.split("#", 1)[1]
    assert anchor.startswith("decision-")
    expect(page.locator(f"#{anchor}")).to_contain_text("Is it a real spill?")
    expect(page.locator(f"#{anchor}").get_by_role("button", name="spill", exact=True)).to_be_visible()


def test_a_new_item_flashes_and_sounds_and_the_officer_can_mute_the_sound(page, client, officer, make_user,
                                                                         chemical_sop):
    page.add_init_script(COUNT_TONES)
    sign_in(page, make_user())
    expect(page.locator("#officer-alerts")).to_contain_text("Nothing needs you")
    declare_spill(client, officer, "Peenya depot")
    expect(page.locator("#new-for-you")).to_contain_text("New for you: Decide: verify", timeout=5_000)
    expect(page.locator("#for-the-officer")).to_have_class("officer-alerts new-item")
    assert page.evaluate("window.__tones") == 1

    page.get_by_role("button", name="Sound on: mute new-item tone").click()
    page.reload()
    expect(page.get_by_role("button", name="Sound off: unmute new-item tone")).to_be_visible()  # remembered
    expect(page.locator("#officer-alerts li.awaiting")).to_have_count(1)
    declare_spill(client, officer, "Whitefield yard")
    expect(page.locator("#for-the-officer")).to_have_attribute("data-cues", "1", timeout=5_000)
    expect(page.locator("#new-for-you")).to_contain_text("New for you: Decide: verify")
    assert page.evaluate("window.__tones") == 0  # seen, not heard
