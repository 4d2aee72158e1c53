"""Webhooks: signed per Standard Webhooks, delivered durably, every attempt recorded."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from coordination import (
    MAX_DELIVERY_ATTEMPTS,
    DeliveryStatus,
    HttpSender,
    TaskStatus,
    UnsafeWebhookUrl,
    deliver_due_messages,
)
from coordination.store.tables import DeliveryAttempt, Task, TimelineEntry, WebhookMessage
from coordination.webhooks import check_webhook_url, retry_delay_s, signed_headers
from tests.conftest import LOOPBACK, shared_file


def test_signatures_match_the_standard_webhooks_test_vector():
    vector = json.loads(shared_file("webhooks/standardwebhooks_test_vector.json").read_text())
    headers = signed_headers(
        secrets=[vector["secret"]], message_id=vector["msg_id"],
        timestamp=datetime.fromtimestamp(vector["timestamp"], timezone.utc), body=vector["payload"],
    )
    assert headers["webhook-signature"] == vector["expected_signature_header"]
    assert headers["webhook-timestamp"] == str(vector["timestamp"])


def test_during_rotation_both_secrets_sign_and_either_verifies(clock):
    old, new = "whsec_" + "A" * 43 + "=", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = signed_headers(secrets=[new, old], message_id="msg_1", timestamp=clock.now(), body='{"a":1}')
    for secret in (old, new):
        assert Webhook(secret).verify('{"a":1}', headers) == {"a": 1}


def test_backoff_doubles_with_jitter_and_is_bounded():
    rng = random.Random(3)
    delays = [retry_delay_s(attempt, rng) for attempt in range(1, MAX_DELIVERY_ATTEMPTS + 1)]
    assert 7.5 <= delays[0] <= 15
    assert 60 <= delays[3] <= 120
    assert all(delay <= 3600 for delay in delays)
    assert retry_delay_s(4, random.Random(1)) != retry_delay_s(4, random.Random(2))


@pytest.mark.parametrize("url", [
    "http://10.0.0.5/hook", "file:///etc/passwd", "http://user:pw@127.0.0.1/hook", "http://127.0.0.1:99999/",
    "http://localhost.evil.example/hook",
])
def test_webhook_urls_off_the_allowlist_are_refused(url):
    with pytest.raises(UnsafeWebhookUrl) as caught:
        check_webhook_url(url, LOOPBACK)
    assert caught.value.field == "webhook_url"


def deliver(store, clock, rng=None):
    return deliver_due_messages(store=store, clock=clock, sender=HttpSender(), rng=rng or random.Random(1),
                                allowed_hosts=LOOPBACK)


@pytest.mark.database
def test_a_task_webhook_verifies_with_the_reference_library(store, clock, make_agency, make_incident, receiver):
    _id, _token, secret = make_agency("fire-central", "fire", receiver.url("/fire"))
    incident_id = make_incident()
    assert deliver(store, clock).delivered == 1
    [received] = receiver.requests
    payload = Webhook(secret).verify(received.body, received.headers)
    assert payload["type"] == "task.created"
    assert payload["data"]["task"]["step_id"] == "fire_response"
    assert payload["data"]["incident"]["id"] == str(incident_id)
    assert "reporter" not in payload["data"]["incident"]  # agencies are not told who called
    with store.transaction() as session:
        task = session.scalar(select(Task).where(Task.step_id == "fire_response"))
        assert (task.status, task.delivered_at) == (TaskStatus.DELIVERED, clock.now())


@pytest.mark.database
def test_a_task_webhook_tells_the_agency_where_in_words_beside_the_point(store, clock, make_agency, make_incident,
                                                                        receiver):
    _id, _token, secret = make_agency("fire-central", "fire", receiver.url("/fire"))
    make_incident(place_name="Commercial Street & Dispensary Road")
    deliver(store, clock)
    incident = Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)["data"]["incident"]
    assert incident["place_name"] == "Commercial Street & Dispensary Road"
    assert incident["location"] == {"type": "Point", "coordinates": [77.5946, 12.9716]}


@pytest.mark.database
def test_a_receiver_that_fails_three_times_still_gets_the_task_with_one_webhook_id(
    store, clock, make_agency, make_incident, receiver
):
    make_agency("fire-central", "fire", receiver.url())
    make_incident()
    receiver.fail_next = 3
    rounds = []
    for _ in range(4):
        rounds.append(deliver(store, clock))
        clock.advance(minutes=5)  # past any backoff for the first attempts
    assert [(r.delivered, r.retrying) for r in rounds] == [(0, 1), (0, 1), (0, 1), (1, 0)]
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    assert len(receiver.requests) == 4
    with store.transaction() as session:
        attempts = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.attempt)).all()
        assert [(a.attempt, a.status_code, a.outcome) for a in attempts] == [
            (1, 503, "failed"), (2, 503, "failed"), (3, 503, "failed"), (4, 204, "delivered"),
        ]


@pytest.mark.database
def test_a_retry_waits_for_its_backoff(store, clock, make_agency, make_incident, receiver):
    make_agency("fire-central", "fire", receiver.url())
    make_incident()
    receiver.fail_next = 1
    deliver(store, clock)
    clock.advance(seconds=7)  # the first retry comes 7.5 to 15 s later
    assert deliver(store, clock).attempted == 0
    clock.advance(seconds=10)
    assert deliver(store, clock).delivered == 1


@pytest.mark.database
def test_after_the_last_attempt_the_message_is_dead_lettered_for_the_duty_officer(
    store, clock, make_agency, make_incident, receiver
):
    make_agency("fire-central", "fire", receiver.url())
    make_incident()
    receiver.fail_next = MAX_DELIVERY_ATTEMPTS + 5
    for _ in range(MAX_DELIVERY_ATTEMPTS + 2):
        deliver(store, clock)
        clock.advance(minutes=61)
    assert len(receiver.requests) == MAX_DELIVERY_ATTEMPTS
    with store.transaction() as session:
        message = session.scalar(select(WebhookMessage))
        assert (message.status, message.attempts) == (DeliveryStatus.DEAD, MAX_DELIVERY_ATTEMPTS)
        [entry] = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "webhook.dead_lettered")).all()
        assert entry.incident_id is not None


@pytest.mark.database
def test_an_unreachable_receiver_is_recorded_as_a_failed_attempt(store, clock, make_agency, make_incident):
    make_agency("fire-central", "fire", "http://127.0.0.1:9/closed")
    make_incident()
    assert deliver(store, clock).retrying == 1
    with store.transaction() as session:
        [attempt] = session.scalars(select(DeliveryAttempt)).all()
        assert attempt.status_code is None and "ConnectError" in attempt.error
