"""A planner at the console, in a real browser: run a small drill, watch its progress bar reach
the end and its report appear, run it again with the other dispatch policy, compare the two."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coordination import Role
from tests.web.drill_helpers import DRILL_TIMEOUT_S, TINY_CITY, reports  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser


def run_tiny_drill(page, policy: str) -> None:
    page.get_by_role("link", name="Drills", exact=True).click()
    page.get_by_label("Or paste one").fill(TINY_CITY)
    page.get_by_label("Replications").fill("2")
    page.get_by_label("Dispatch policy").select_option(policy)
    page.get_by_role("button", name="Run the drill").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Drill tiny-city")
    # Nothing but the page's own polling moves the bar and, at the end, shows the report.
    expect(page.locator("#drill-status")).to_have_text("done", timeout=DRILL_TIMEOUT_S * 1000)
    expect(page.locator("#drill-progress")).to_have_attribute("value", "100.0")
    expect(page.locator("#drill-percent")).to_have_text("100%")
    expect(page.locator("#headline-kpis")).to_contain_text("Mean response time (declared to first unit on scene)")
    # Two replications: a mean, and in words why no interval is given (never a t-interval below zero).
    expect(page.locator("#headline-kpis")).to_contain_text("too few replications for an interval: 2 of at least 5")
    expect(page.get_by_role("img", name="response times")).to_be_visible()


def test_a_planner_runs_two_drills_and_compares_them(page, make_user, reports):
    username, password = make_user(Role.PLANNER, "priya")
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Drills")
    expect(page.get_by_role("navigation", name="Console")).not_to_contain_text("Board")

    run_tiny_drill(page, "greedy")
    with page.context.expect_page() as report_tab:
        page.get_by_role("link", name="The full report (index.html)").click(modifiers=["Control"])
    expect(report_tab.value.get_by_text("EXERCISE")).to_be_visible()
    report_tab.value.close()
    run_tiny_drill(page, "optimised")

    page.get_by_role("link", name="All drills").click()
    expect(page.locator("table.drill-runs tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare two drill runs")
    expect(page.locator("#comparison")).to_contain_text("Mean response time (declared to first unit on scene)")
    expect(page.get_by_text("the same seed gives both the same random numbers")).to_be_visible()
    difference = page.locator("#comparison tr", has_text="Mean response time").locator("td").nth(3)
    expect(difference).to_contain_text(" min (too few replications")
