"""Delivery that agencies can trust: rotation, Retry-After, 410 Gone, dead letters and replay, an
outage survived with every task arriving exactly once (by webhook-id), concurrent senders."""

from __future__ import annotations

import json
import random
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from coordination import (
    SYSTEM,
    AgencyRegistration,
    Conflict,
    DeliveryStatus,
    HttpSender,
    declare_incident,
    deliver_due_messages,
    fire_due_timers,
    register_agency,
)
from coordination.agencies import agency_by_code, enable_webhook, rotate_webhook_secret
from coordination.store.tables import DeliveryAttempt, OfficerAlert, WebhookMessage
from coordination.webhooks import MAX_DELIVERY_ATTEMPTS, retry_after_s
from coordination.webhooks.dead_letters import replay_all_dead_letters, replay_dead_letter
from tests.conftest import LOOPBACK, incident_report

pytestmark = pytest.mark.database


def deliver(store, clock, **kwargs):
    return deliver_due_messages(store=store, clock=clock, sender=HttpSender(), rng=random.Random(1),
                                allowed_hosts=LOOPBACK, **kwargs)


def message(store):
    with store.transaction() as session:
        found = session.scalar(select(WebhookMessage))
        session.expunge(found)
        return found


def test_during_secret_rotation_a_delivery_verifies_with_the_old_and_the_new_secret(
    store, clock, make_agency, make_incident, receiver
):
    _id, _token, old_secret = make_agency("fire-central", "fire", receiver.url())
    with store.transaction() as session:
        new_secret = rotate_webhook_secret(session=session, clock=clock, actor=SYSTEM,
                                           agency=agency_by_code(session, "fire-central"))
    make_incident()
    deliver(store, clock)
    [received] = receiver.requests
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    for secret in (old_secret, new_secret):
        assert Webhook(secret).verify(received.body, received.headers)["type"] == "task.created"


def test_after_the_rotation_overlap_only_the_new_secret_signs(store, clock, make_agency, make_incident, receiver):
    make_agency("fire-central", "fire", receiver.url())
    with store.transaction() as session:
        rotate_webhook_secret(session=session, clock=clock, actor=SYSTEM, overlap_s=60,
                              agency=agency_by_code(session, "fire-central"))
    clock.advance(seconds=61)
    make_incident()
    deliver(store, clock)
    assert len(receiver.requests[0].headers["webhook-signature"].split(" ")) == 1


def test_retry_after_is_honoured(store, clock, make_agency, make_incident, receiver):
    make_agency("fire-central", "fire", receiver.url())
    make_incident()
    receiver.scripted = [(503, {"Retry-After": "600"})]
    assert deliver(store, clock).retrying == 1
    clock.advance(seconds=599)
    assert deliver(store, clock).attempted == 0  # the backoff alone would have retried within 15 s
    clock.advance(seconds=2)
    assert deliver(store, clock).delivered == 1


def test_retry_after_reads_seconds_and_http_dates(clock):
    now = clock.now()
    assert retry_after_s("120", now) == 120
    assert retry_after_s(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == pytest.approx(90, abs=1)
    assert retry_after_s("soon", now) is None
    assert retry_after_s("99999999", now) == 6 * 3600  # capped


def test_410_gone_disables_the_endpoint_alerts_the_duty_officer_and_holds_messages(
    store, clock, make_agency, make_incident, receiver
):
    make_agency("fire-central", "fire", receiver.url())
    make_incident()
    receiver.scripted = [(410, {})]
    deliver(store, clock)
    make_incident(location={"type": "Point", "coordinates": [77.6, 12.9]})
    clock.advance(minutes=90)
    assert deliver(store, clock).attempted == 0  # nothing more is sent to a retired endpoint
    assert len(receiver.requests) == 1
    with store.transaction() as session:
        [alert] = session.scalars(select(OfficerAlert).where(OfficerAlert.kind == "webhook.gone")).all()
        assert "fire-central" in alert.summary
        agency = agency_by_code(session, "fire-central")
        assert agency.webhook_disabled_at is not None
        enable_webhook(session=session, clock=clock, agency=agency, actor=SYSTEM, allowed_hosts=LOOPBACK,
                       webhook_url=receiver.url("/moved"))
    assert deliver(store, clock).delivered == 2
    assert [request.path for request in receiver.requests] == ["/hooks", "/moved", "/moved"]


def test_a_dead_letter_is_shown_to_the_duty_officer_and_replays_with_the_same_webhook_id(
    store, clock, make_agency, make_incident, receiver
):
    make_agency("fire-central", "fire", receiver.url())
    make_incident()
    receiver.fail_next = MAX_DELIVERY_ATTEMPTS
    for _ in range(MAX_DELIVERY_ATTEMPTS):
        deliver(store, clock)
        clock.advance(minutes=61)
    dead = message(store)
    assert dead.status is DeliveryStatus.DEAD
    with store.transaction() as session:
        assert session.scalar(select(OfficerAlert.kind)) == "webhook.dead_letter"
        replay_dead_letter(session=session, clock=clock, message_id=dead.id, actor=SYSTEM)
        with pytest.raises(Conflict):
            replay_dead_letter(session=session, clock=clock, message_id=dead.id, actor=SYSTEM)
    assert deliver(store, clock).delivered == 1
    assert {request.headers["webhook-id"] for request in receiver.requests} == {dead.id}
    with store.transaction() as session:
        attempts = session.scalars(select(DeliveryAttempt.attempt).order_by(DeliveryAttempt.attempt)).all()
        assert attempts == list(range(1, MAX_DELIVERY_ATTEMPTS + 2))  # the log keeps counting after a replay
        assert replay_all_dead_letters(session=session, clock=clock, actor=SYSTEM) == []


def test_a_receiver_down_for_a_while_gets_every_task_exactly_once_after_dedup(
    store, clock, make_agency, make_incident, receiver
):
    """Twelve incidents while the agency's gateway is down (and flaky as it returns): once it is
    back, every task arrives, each verifies, and de-duplicating by webhook-id leaves one of each."""
    _id, _token, secret = make_agency("fire-central", "fire", receiver.url())
    receiver.go_down()
    incident_ids = {str(make_incident(location={"type": "Point", "coordinates": [77.5 + i * 0.01, 12.9]}))
                    for i in range(12)}
    # Advances just past each backoff ceiling (15, 30, 60, 120 s), keeping every signed timestamp
    # within the verifier's five minutes of the real present.
    for wait_s in (20, 40, 60):
        assert deliver(store, clock).retrying == 12
        clock.advance(seconds=wait_s)
    receiver.come_back()
    receiver.fail_next = 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert deliver(store, clock, executor=pool).delivered == 8
        clock.advance(seconds=120)
        assert deliver(store, clock, executor=pool).delivered == 4
        assert deliver(store, clock, executor=pool).attempted == 0
    by_id = {}
    for request in receiver.requests:
        payload = Webhook(secret).verify(request.body, request.headers)
        by_id.setdefault(request.headers["webhook-id"], payload)
    assert {payload["data"]["incident"]["id"] for payload in by_id.values()} == incident_ids
    assert len(by_id) == 12
    with store.transaction() as session:
        assert set(session.scalars(select(WebhookMessage.status))) == {DeliveryStatus.DELIVERED}
        delivered = session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.outcome == "delivered")).all()
        assert len(delivered) == 12  # recorded once each


def test_concurrent_senders_record_each_attempt_once(store, clock, make_agency, make_incident, receiver):
    make_agency("fire-central", "fire", receiver.url())
    for i in range(20):
        make_incident(location={"type": "Point", "coordinates": [77.5 + i * 0.01, 12.9]})
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert deliver(store, clock, executor=pool).delivered == 20
    assert len(receiver.requests) == 20
    assert len({json.loads(r.body)["data"]["task"]["id"] for r in receiver.requests}) == 20


def test_an_escalation_reaches_the_rung_of_the_agencys_chain_of_command(store, clock, receiver, shipped_sops):
    with store.transaction() as session:
        registered = register_agency(session=session, clock=clock, allowed_hosts=LOOPBACK, actor=SYSTEM,
                                     registration=AgencyRegistration.model_validate({
                                         "code": "fire-central", "name": "Fire", "kind": "fire",
                                         "webhook_url": receiver.url(),
                                         "chain_of_command": {"desk": {"name": "Control room", "phone": "101"},
                                                              "supervisor": {"name": "DFO Central", "phone": "+91 1"},
                                                              "head": {"name": "Chief Fire Officer"}}}))
    with store.transaction() as session:
        declare_incident(session=session, clock=clock, report=incident_report(), actor=SYSTEM)
    clock.advance(minutes=2)  # past the one-minute acknowledgement deadline
    fire_due_timers(store=store, clock=clock)
    deliver(store, clock)
    escalated = [json.loads(r.body) for r in receiver.requests if json.loads(r.body)["type"] == "task.escalated"]
    assert escalated[0]["data"]["escalation"]["target"] == "agency_supervisor"
    assert escalated[0]["data"]["escalation"]["contact"] == {"name": "DFO Central", "phone": "+91 1", "email": ""}
    assert registered.agency.chain_of_command["head"]["name"] == "Chief Fire Officer"


def test_redirects_are_not_followed(store, clock, make_agency, make_incident, receiver):
    """A 3xx could lead anywhere, off the allowlist: it is a failed attempt, and nothing else is asked."""
    make_agency("fire-central", "fire", receiver.url())
    make_incident()
    with type(receiver)() as elsewhere:
        receiver.scripted = [(307, {"Location": elsewhere.url("/stolen")})]
        assert deliver(store, clock).retrying == 1
        assert elsewhere.requests == []
    with store.transaction() as session:
        [attempt] = session.scalars(select(DeliveryAttempt)).all()
        assert attempt.status_code == 307 and "redirects are not followed" in attempt.error


def test_a_receiver_that_never_answers_times_out_and_is_retried(store, clock, make_agency, make_incident):
    """The read timeout bounds how long a silent gateway holds a worker (shortened here)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never reads or answers
    try:
        make_agency("fire-central", "fire", f"http://127.0.0.1:{silent.getsockname()[1]}/hooks")
        make_incident()
        sender = HttpSender(connect_timeout_s=0.5, read_timeout_s=0.3)
        done = deliver_due_messages(store=store, clock=clock, sender=sender, rng=random.Random(1),
                                    allowed_hosts=LOOPBACK)
        assert done.retrying == 1
        with store.transaction() as session:
            [attempt] = session.scalars(select(DeliveryAttempt)).all()
            assert attempt.status_code is None and "ReadTimeout" in attempt.error
    finally:
        silent.close()
