"""Words for people on the incident page: steps by their titles, kinds and outcomes in words,
times in the reader's local time with how long ago, and an SOP graph that fits or says it scrolls."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.web.browser.test_duty_officer_console import sign_in
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.browser


def open_fire(page, client, officer, make_user, make_agency) -> None:
    make_agency("fire-central", "fire")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    sign_in(page, make_user())
    page.get_by_role("link", name="building fire", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("building fire")


def test_steps_read_as_titles_and_times_as_local_clock_times_with_their_age(browser, live_server, client, clock,
                                                                          officer, make_user, make_agency):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 768},
                                  timezone_id="Asia/Kolkata")  # UTC+05:30, so local time differs from UTC
    page = context.new_page()
    open_fire(page, client, officer, make_user, make_agency)
    steps = page.locator("tr.step-row")
    expect(steps.first.locator("td").first).to_have_text("Send the first-response crew")  # the shipped title
    expect(steps.first.locator("td").nth(1)).to_have_text("task for an agency")
    declared = page.locator("h1 time[data-local]")
    local = (clock.now() + timedelta(hours=5, minutes=30)).strftime("%H:%M:%S")
    expect(declared).to_have_text(re.compile(rf"^{local} \((\d+ s|\d+ min) ago\)$"))
    expect(steps.first.locator("time[data-local]").first).to_have_text(re.compile(r"\(in \d+ (s|min)\)$"))
    text = page.locator("main").inner_text()
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d|\d\d:\d\d:\d\d\.\d{3,6}", text)  # never ISO, never microseconds
    context.close()


@pytest.mark.parametrize("width", [1366, 420])
def test_the_sop_graph_fits_the_page_or_says_that_it_scrolls(page, client, officer, make_user, make_agency, width):
    page.set_viewport_size({"width": width, "height": 768})
    open_fire(page, client, officer, make_user, make_agency)
    graph = page.locator(".graph").first
    overflows = graph.evaluate("g => g.scrollWidth > g.clientWidth + 1")
    hint = page.locator(".graph-scrolls").first
    if overflows:
        expect(hint).to_be_visible()
        expect(hint).to_contain_text("scroll it sideways")
    else:
        expect(hint).to_be_hidden()
    assert overflows == (width < 540)  # the shipped fire SOP's graph is 540 px wide: it fits a desk's screen
