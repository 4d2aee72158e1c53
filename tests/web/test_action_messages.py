"""Every action at the console says what it did, on the page it returns to: declaring, accepting
a dispatch, answering a decision or a notice, standing down (and whether the incident closes)."""

from __future__ import annotations

import html
import re

import pytest

from tests.coordination.test_duty import CHEMICAL_SOP, stand_in_for_the_shipped_sops
from tests.web.conftest import FIRE_REPORT
from tests.web.test_console import csrf_of, sign_in
from tests.web.test_incident_page_panels import ask_for, page_of
from tests.web.test_map_console import declare

pytestmark = pytest.mark.database


def said(page: str) -> str:
    found = re.search(r'<div class="action-done" role="status" id="action-done">(.*?)</div>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


def test_declaring_says_which_sop_started_and_which_agencies_were_tasked(client, city, make_token):
    sign_in(client, make_token())
    declared = declare(client, location="Town Hall", type="building_fire", severity="severe", description="smoke")
    page = client.get(declared.headers["Location"]).get_data(as_text=True)
    assert re.match(r"Declared: building fire, severe, Town Hall\. SOP “.+” started; tasks sent to [a-z0-9-]+",
                    said(page)), said(page)
    assert said(client.get(declared.headers["Location"]).get_data(as_text=True)) == ""  # said once


def test_accepting_a_dispatch_says_which_units_go(client, city, officer, make_token):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    sign_in(client, make_token())
    ask_for(client, incident["id"], unit_type="ambulance", count="1")
    page = page_of(client, incident["id"])
    action = re.search(r'action="(/console/recommendations/[^"]+/accept)"', page).group(1)
    accepted = client.post(action, data={"csrf": csrf_of(page), "incident_id": incident["id"], "action": "accept"})
    message = said(client.get(accepted.headers["Location"].split("#")[0]).get_data(as_text=True))
    assert re.fullmatch(r"Dispatched 1 unit: \S+ \(ambulance, ETA \d+ min\)\. Each unit's agency has its order\.",
                        message), message


def test_answering_and_standing_down_say_what_follows_and_whether_the_incident_closes(client, store, admin, officer,
                                                                                   make_agency, make_token):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
    client.post("/api/v1/sops", data=CHEMICAL_SOP, headers={**admin, "Content-Type": "application/yaml"})
    incident = client.post("/api/v1/incidents", json={**FIRE_REPORT, "type": "chemical_accident"},
                           headers=officer).json
    sign_in(client, make_token())
    page = page_of(client, incident["id"])
    decision = re.search(r'action="(/console/decisions/[^"]+)"', page).group(1)
    answered = client.post(decision, data={"csrf": csrf_of(page), "choice": "spill"})
    page = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert said(page) == "Decision taken at “verify”: spill. The SOP goes on from this answer. The incident stays open."
    notice = re.search(r'id="decision-[^"]+" class="decision status-open">.*?action="(/console/decisions/[^"]+)"',
                       page, re.S).group(1)
    approved = client.post(notice, data={"csrf": csrf_of(page), "choice": "approve"})
    assert said(client.get(approved.headers["Location"]).get_data(as_text=True)) == (
        "Public notice “warn public” approved: it is published as a CAP alert now. The incident stays open.")
    stood = client.post(f"/console/incidents/{incident['id']}/stand-down",
                        data={"csrf": csrf_of(page), "reason": "tanker was empty"})
    assert re.fullmatch(r"Stood down: the SOP stopped, \d+ open tasks? cancelled \(each agency told\), 0 units released\. "
                        r"The incident is now closed\.", said(client.get(stood.headers["Location"]).get_data(as_text=True)))
