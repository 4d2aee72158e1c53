"""The duty officer sees dead letters and replays them through the API; the same webhook-id goes out."""

from __future__ import annotations

import random

import pytest

from coordination import MAX_DELIVERY_ATTEMPTS, HttpSender, deliver_due_messages
from tests.conftest import LOOPBACK
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.database


def deliver(store, clock):
    return deliver_due_messages(store=store, clock=clock, sender=HttpSender(), rng=random.Random(1),
                                allowed_hosts=LOOPBACK)


def test_a_dead_letter_is_listed_alerted_and_replayed(client, store, clock, officer, viewer, make_agency, receiver):
    make_agency("fire-central", "fire", receiver.url())
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    receiver.fail_next = MAX_DELIVERY_ATTEMPTS
    for _ in range(MAX_DELIVERY_ATTEMPTS):
        deliver(store, clock)
        clock.advance(minutes=61)
    [dead] = client.get("/api/v1/webhooks/dead-letters", headers=viewer).json["items"]
    assert (dead["agency"], dead["attempts"], dead["last_error"]) == ("fire-central", MAX_DELIVERY_ATTEMPTS, "HTTP 503")
    [alert] = client.get("/api/v1/officer-alerts", headers=officer).json["items"]
    assert alert["kind"] == "webhook.dead_letter" and dead["webhook_id"] in alert["summary"]
    assert client.post(f"/api/v1/webhooks/{dead['webhook_id']}/replay", headers=viewer).status_code == 403
    replayed = client.post(f"/api/v1/webhooks/{dead['webhook_id']}/replay", headers=officer)
    assert replayed.status_code == 200 and replayed.json["status"] == "pending"
    assert client.post(f"/api/v1/webhooks/{dead['webhook_id']}/replay", headers=officer).status_code == 409
    assert deliver(store, clock).delivered == 1
    assert receiver.requests[-1].headers["webhook-id"] == dead["webhook_id"]
    assert client.get("/api/v1/webhooks/dead-letters", headers=viewer).json["items"] == []
    acknowledged = client.post(f"/api/v1/officer-alerts/{alert['id']}/acknowledge", headers=officer).json
    assert acknowledged["acknowledged_by"] == "duty_officer:night-officer"
    assert client.get("/api/v1/officer-alerts", headers=officer).json["items"] == []
