"""The head of the centre reads the KPI page in a real browser, with the keyboard: this week
beside last week, the plots, and the table downloaded as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coordination import Role
from tests.web.test_console_kpis import two_weeks  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser


def test_the_head_of_the_centre_compares_this_week_with_the_last(page, make_user, two_weeks):  # noqa: F811
    username, password = make_user(Role.VIEWER, "head")
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="KPIs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Performance of the centre")

    page.get_by_label("To (included)").fill(two_weeks.isoformat())
    page.get_by_label("To (included)").press("Enter")  # the form submits from the keyboard
    fire = page.locator('table[data-group="fire-central"]')
    expect(fire.locator('tr[data-measure="ack_s.mean"]')).to_contain_text("30s")
    expect(fire.locator('tr[data-measure="ack_s.mean"] td.better')).to_have_text("−1m 30s")
    expect(page.get_by_role("img", name="Acknowledgement, p90, by agency")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the table (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    mean = next(r for r in rows if r["group"] == "fire-central" and r["measure"] == "ack_s.mean")
    assert (mean["period"], mean["baseline"]) == ("30.0", "120.0")
