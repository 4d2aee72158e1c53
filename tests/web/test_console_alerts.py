"""The console's CAP alerts page: the alerts the centre received, newest first with what the engine
did with each and what vouches for its sender, filtered and paged; one alert with its XML (escaped,
never rendered) and its timeline; and the alerts refused for their signature beside them. The
alerts are posted through the API, as a feed would."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import Role
from coordination.store.tables import CapAlertRecord
from tests.cap_signing import make_signing_key, sign, trusting
from tests.conftest import shared_file
from tests.web.cap_alerts import SENDER, cap_alert
from tests.web.conftest import bearer
from tests.web.console_session import heading_of
from tests.web.test_console import sign_in
from web.console import alerts as console_alerts

pytestmark = pytest.mark.database


@pytest.fixture
def source(make_token):
    return bearer(make_token(Role.ALERT_SOURCE, "cap-aggregator"))


@pytest.fixture
def post_cap(client, source, clock):
    """Post an alert through the API, a minute after the one before (the list is newest first)."""

    def post(data: bytes, *, expect: int = 201) -> dict:
        clock.advance(seconds=60)
        response = client.post("/api/v1/alerts/cap", data=data, content_type="application/cap+xml", headers=source)
        assert response.status_code == expect, response.json
        return response.json

    return post


@pytest.fixture
def duty_officer(client, make_token):
    sign_in(client, make_token(Role.DUTY_OFFICER, "night-officer"))
    return client


def trust_in_app(app, trust) -> None:
    services = app.extensions["iccc"]
    services.settings = replace(services.settings, cap_trust=trust)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def received_rows(page: str) -> list[str]:
    """The text of each row of received alerts, in the page's order."""
    table = page.split('id="alerts"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr id="alert-[^"]+"[^>]*>(.*?)</tr>', table, re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def refused_rows(page: str) -> list[str]:
    table = page.split('id="refused"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="refused">(.*?)</tr>', table, re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


class TestTheList:
    def test_alerts_are_listed_newest_first_with_what_the_engine_did_and_a_link_to_the_incident(
            self, duty_officer, post_cap, make_agency):
        make_agency("disaster-mgmt", "disaster_management")
        declared = post_cap(cap_alert("flood-1"))
        post_cap(cap_alert("flood-1-update", msg_type="Update", references="flood-1", severity="Extreme"))
        post_cap(cap_alert("weekly-test", status="Test"))
        page = page_of(duty_officer, "/console/alerts")
        assert heading_of(page).startswith("CAP alerts")
        test, update, alert = received_rows(page)
        assert "Test Alert" in test and "recorded only" in test and "unsigned" in test
        assert "Actual Update" in update and "updated its incident" in update
        assert SENDER in alert and "Flash flood" in alert and "declared an incident" in alert
        assert page.count(f'href="/console/incidents/{declared["incident_id"]}"') == 2  # the alert and its update

    def test_each_row_leads_to_the_alert(self, duty_officer, post_cap):
        alert = post_cap(cap_alert("weekly-test", status="Test"))
        assert f'href="/console/alerts/{alert["id"]}"' in page_of(duty_officer, "/console/alerts")

    def test_exercise_and_test_alerts_are_marked_as_not_live(self, duty_officer, post_cap):
        post_cap(cap_alert("drill-1", status="Exercise"))
        post_cap(cap_alert("live-1"))
        page = page_of(duty_officer, "/console/alerts")
        assert '<span class="exercise not-live">Exercise</span> Alert' in page
        assert page.count('class="exercise not-live"') == 1, "the Actual alert is not marked"
        assert "opened an exercise incident" in received_rows(page)[1]

    def test_a_verified_signature_is_marked(self, app, clock, duty_officer, post_cap):
        imd = make_signing_key("IMD Bengaluru", valid_from=clock.now() - timedelta(days=1))
        trust_in_app(app, trusting(SENDER, imd))
        post_cap(sign(cap_alert("signed-1"), imd))
        page = page_of(duty_officer, "/console/alerts")
        assert '<span class="signature-verified"><span aria-hidden="true">✔</span> verified</span>' in page

    def test_a_signed_alert_from_a_sender_without_certificates_is_not_shown_as_verified(self, duty_officer, post_cap):
        alert = post_cap(shared_file("cap/canada_signed.cap").read_bytes())
        [row] = received_rows(page_of(duty_officer, "/console/alerts"))
        assert "signed, not checked" in row and "✔" not in row
        assert "so the signature proves nothing" in page_of(duty_officer, f"/console/alerts/{alert['id']}")

    def test_the_list_says_when_nothing_has_come_in(self, duty_officer):
        page = page_of(duty_officer, "/console/alerts")
        assert "No CAP alerts received yet." in page and "No alert has been refused." in page


class TestFilters:
    @pytest.fixture
    def three_alerts(self, post_cap, make_agency):
        make_agency("disaster-mgmt", "disaster_management")
        post_cap(cap_alert("flood-1"))
        post_cap(cap_alert("drill-1", status="Exercise"))
        post_cap(shared_file("cap/thunderstorm.cap").read_bytes())

    def identifiers(self, client, query: str) -> set[str]:
        with client.application.extensions["iccc"].store.transaction() as db:
            by_id = {str(record.id): record.identifier for record in db.scalars(select(CapAlertRecord))}
        page = page_of(client, f"/console/alerts?{query}")
        return {by_id[found] for found in re.findall(r'<tr id="alert-([^"]+)"', page)}

    def test_by_outcome(self, duty_officer, three_alerts):
        assert self.identifiers(duty_officer, "outcome=declared") == {"flood-1", "KSTO1055887203"}
        assert self.identifiers(duty_officer, "outcome=exercise") == {"drill-1"}

    def test_by_status(self, duty_officer, three_alerts):
        assert self.identifiers(duty_officer, "status=Exercise") == {"drill-1"}
        assert len(self.identifiers(duty_officer, "status=Actual")) == 2

    def test_by_signature(self, duty_officer, three_alerts):
        assert len(self.identifiers(duty_officer, "signature=unsigned")) == 3
        assert self.identifiers(duty_officer, "signature=verified") == set()

    def test_searching_sender_event_and_identifier(self, duty_officer, three_alerts):
        assert self.identifiers(duty_officer, "q=DRILL-1") == {"drill-1"}
        assert len(self.identifiers(duty_officer, "q=imd-bengaluru")) == 2
        assert self.identifiers(duty_officer, "q=flash+flood") == {"flood-1", "drill-1"}
        assert self.identifiers(duty_officer, "q=%25") == set(), "a % is searched for literally"

    def test_filters_combine_and_stay_in_the_form(self, duty_officer, three_alerts):
        assert self.identifiers(duty_officer, "q=flood&status=Actual") == {"flood-1"}
        page = page_of(duty_officer, "/console/alerts?q=flood&status=Actual")
        assert 'value="flood"' in page and '<option value="Actual" selected>' in page
        assert "No CAP alerts match." in page_of(duty_officer, "/console/alerts?q=nothing-like-this")

    def test_unknown_filter_values_are_ignored_so_an_old_bookmark_still_opens(self, duty_officer, three_alerts):
        assert len(self.identifiers(duty_officer, "outcome=vanished&status=Real&signature=maybe&page=x")) == 3


def test_the_list_is_paged_with_older_and_newer_links_that_keep_the_filters(duty_officer, post_cap, monkeypatch):
    monkeypatch.setattr(console_alerts, "PAGE_ROWS", 2)
    for number in range(5):
        post_cap(cap_alert(f"test-{number}", status="Test"))
    first = page_of(duty_officer, "/console/alerts?status=Test")
    assert len(received_rows(first)) == 2
    assert 'href="/console/alerts?page=2&amp;status=Test" rel="next">Older alerts' in first
    assert "Newer alerts" not in first
    last = page_of(duty_officer, "/console/alerts?status=Test&page=3")
    assert len(received_rows(last)) == 1 and "Older alerts" not in last
    assert 'href="/console/alerts?page=2&amp;status=Test" rel="prev">Newer alerts' in last
    seen = [re.findall(r'<tr id="alert-([^"]+)"', page_of(duty_officer, f"/console/alerts?status=Test&page={n}"))
            for n in (1, 2, 3)]
    assert len({alert for page in seen for alert in page}) == 5, "every alert on exactly one page"


class TestRefusedAlerts:
    def test_a_forgery_and_a_strict_mode_refusal_are_shown_beside_the_received_alerts(
            self, app, clock, duty_officer, post_cap):
        imd = make_signing_key("IMD Bengaluru", valid_from=clock.now() - timedelta(days=1))
        trust_in_app(app, trusting(SENDER, imd))
        post_cap(cap_alert("forged-1"), expect=422)
        trust_in_app(app, trusting("someone-else@example", imd, require_signature=True))
        post_cap(sign(cap_alert("strict-1"), imd), expect=422)
        page = page_of(duty_officer, "/console/alerts")
        strict, forged = refused_rows(page)
        assert "strict-1" in strict and "holds none" in strict
        assert "forged-1" in forged and SENDER in forged and "alert_source:cap-aggregator" in forged
        assert "XML Signature" in forged
        assert received_rows(page) == [], "a refused alert is not kept"
        board = duty_officer.get("/console/board.json").json["officer_alerts"]
        assert {alert["href"] for alert in board if alert["kind"] == "cap.refused"} == {"/console/alerts#refused"}


class TestOneAlert:
    def test_shows_what_the_list_shows_and_the_timeline_about_it(self, duty_officer, post_cap, make_agency):
        make_agency("disaster-mgmt", "disaster_management")
        alert = post_cap(cap_alert("flood-1"))
        cancel = post_cap(cap_alert("flood-1-cancel", msg_type="Cancel", references="flood-1"))
        page = page_of(duty_officer, f"/console/alerts/{cancel['id']}")
        assert heading_of(page).startswith("Flash flood")
        for fact in ("flood-1-cancel", SENDER, "2026-07-01T09:00:00+05:30", "cancelled its incident", "unsigned",
                     "alert_source:cap-aggregator"):
            assert fact in page, fact
        assert f'href="/console/incidents/{alert["incident_id"]}"' in page
        timeline = page.split('id="timeline-heading"', 1)[1].split("</ol>", 1)[0]
        for kind in ("cap.received", "incident.cancelled", "officer_alert.cap.cancelled"):
            assert f"<code>{kind}</code>" in timeline, kind
        first = page_of(duty_officer, f"/console/alerts/{alert['id']}").split('id="timeline-heading"', 1)[1]
        assert "<code>cap.received</code>" in first and "incident.cancelled" not in first.split("</ol>", 1)[0]

    def test_the_incident_page_lists_the_alerts_that_acted_on_it_each_linked(self, duty_officer, post_cap,
                                                                              make_agency):
        make_agency("disaster-mgmt", "disaster_management")
        alert = post_cap(cap_alert("flood-1"))
        update = post_cap(cap_alert("flood-1-update", msg_type="Update", references="flood-1", severity="Extreme"))
        page = page_of(duty_officer, f"/console/incidents/{alert['incident_id']}")
        listed = re.findall(r'<li class="cap-alert">(.*?)</li>', page)
        assert [f'href="/console/alerts/{item["id"]}"' in line for item, line in zip((alert, update), listed)] == [
            True, True]
        assert "declared an incident" in listed[0] and "updated its incident" in listed[1]

    def test_an_exercise_alert_says_it_is_not_live(self, duty_officer, post_cap):
        alert = post_cap(cap_alert("drill-1", status="Exercise"))
        page = page_of(duty_officer, f"/console/alerts/{alert['id']}")
        assert '<p class="exercise">Exercise: not a live alert' in page

    def test_the_xml_is_shown_as_text_never_as_markup(self, duty_officer, post_cap):
        hostile = cap_alert("flood-1", status="Test").replace(
            b"<event>Flash flood</event>", b"<event>&lt;script&gt;alert(1)&lt;/script&gt; flood</event>")
        alert = post_cap(hostile)
        for url in ("/console/alerts", f"/console/alerts/{alert['id']}"):
            page = page_of(duty_officer, url)
            assert "<script>" not in page, url
            assert "&lt;script&gt;alert(1)&lt;/script&gt; flood" in page, url
        page = page_of(duty_officer, f"/console/alerts/{alert['id']}")
        xml = page.split('<pre class="cap-xml"><code>', 1)[1].split("</code></pre>", 1)[0]
        assert "<alert" not in xml and "&lt;alert xmlns=&#34;urn:oasis:names:tc:emergency:cap:1.2&#34;&gt;" in xml
        assert "&amp;lt;script&amp;gt;" in xml, "the XML's own escapes are kept, escaped again"
        assert html.unescape(xml) == hostile.decode("utf-8")

    def test_an_alert_that_does_not_exist_is_not_found(self, duty_officer):
        response = duty_officer.get("/console/alerts/00000000-0000-0000-0000-000000000001")
        assert response.status_code == 404 and heading_of(response.get_data(as_text=True)) == "Not found"


class TestWhoMayLook:
    @pytest.mark.parametrize("role", [Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER])
    def test_the_officers_who_see_the_board_read_the_alerts(self, client, make_token, post_cap, role):
        alert = post_cap(cap_alert("weekly-test", status="Test"))
        sign_in(client, make_token(role, "someone"))
        assert client.get("/console/alerts").status_code == 200
        assert client.get(f"/console/alerts/{alert['id']}").status_code == 200
        assert 'href="/console/alerts" aria-current="page">CAP alerts' in page_of(client, "/console/alerts")

    def test_an_agency_user_is_refused_and_nobody_signed_in_is_sent_to_sign_in(self, client, make_agency, post_cap):
        alert = post_cap(cap_alert("weekly-test", status="Test"))
        assert client.get("/console/alerts").headers["Location"].endswith("/console/sign-in")
        _id, agency_token, _ = make_agency("fire-central", "fire")
        sign_in(client, agency_token)
        for url in ("/console/alerts", f"/console/alerts/{alert['id']}"):
            response = client.get(url)
            assert response.status_code == 403 and "This page is for administrators, duty officers and viewers" in \
                response.get_data(as_text=True)
        assert "CAP alerts" not in page_of(client, "/console/tasks")
