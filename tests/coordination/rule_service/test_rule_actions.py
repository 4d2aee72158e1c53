"""A firing rule acts through the same use cases as a person: it declares an incident with the
readings as evidence (its SOP starts as for any incident), a second firing near an open incident
is linked to it, a higher band revises its severity, and alert and maintenance rules reach the
duty officer and the sensor's agency. Every decision is on the timeline; nothing is done twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import SYSTEM
from coordination.rule_service import act_on_outcomes, evaluate_and_act, evaluate_readings, store_rule_version
from coordination.store.tables import (
    DuplicateReport,
    Incident,
    OfficerAlert,
    RuleOutcome,
    SopRunRecord,
    TimelineEntry,
    WebhookMessage,
)
from sop_engine import Severity

from tests.coordination.rule_service.sensing import observed

pytestmark = pytest.mark.database


def three_drains(clock, value=0.8, east=0.0):
    return [observed(clock, "drain-1", value, east_m=east - 200), observed(clock, "drain-2", value, east_m=east),
            observed(clock, "drain-3", value, east_m=east + 200)]


def test_three_drains_over_their_mark_declare_a_flood_whose_sop_starts_with_the_readings_as_evidence(
        store, clock, shipped_rules):
    readings = three_drains(clock)
    assert evaluate_and_act(store=store, clock=clock, readings=readings) == 1
    with store.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        assert (incident.incident_type, incident.severity) == ("flood", Severity.MODERATE)
        assert abs(incident.longitude - readings[1].longitude) < 1e-9
        assert incident.declared_by == "alert_source:rule drains-flood@v2"
        assert "3 water_level sensors over their mark" in incident.description
        runs = session.scalars(select(SopRunRecord.sop_id).where(SopRunRecord.incident_id == incident.id)).all()
        assert runs == ["urban-flood"]
        outcome = session.scalars(select(RuleOutcome)).one()
        assert (outcome.result, outcome.incident_id) == ("declared", incident.id)
        assert [item["reading_id"] for item in outcome.body["evidence"]] == [item.reading_id for item in readings]
        fired = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "rule.raised")).one()
        assert fired.incident_id == incident.id and len(fired.data["readings"]) == 3


def test_the_same_readings_again_decide_and_do_nothing(store, clock, shipped_rules):
    readings = three_drains(clock)
    evaluate_and_act(store=store, clock=clock, readings=readings)
    assert evaluate_and_act(store=store, clock=clock, readings=readings) == 0
    with store.transaction() as session:
        assert len(session.scalars(select(Incident)).all()) == 1


def test_a_second_cluster_near_the_open_flood_is_linked_to_it(store, clock, shipped_rules):
    evaluate_and_act(store=store, clock=clock, readings=three_drains(clock))
    clock.advance(minutes=40)  # the first cluster's window has passed: a new episode
    evaluate_and_act(store=store, clock=clock, readings=three_drains(clock, east=100))
    with store.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        duplicate = session.scalars(select(DuplicateReport)).one()
        assert duplicate.incident_id == incident.id
        results = session.scalars(select(RuleOutcome.result).where(
            RuleOutcome.kind == "raised", RuleOutcome.rule_id == "drains-flood").order_by(RuleOutcome.seq)).all()
        assert results == ["declared", "linked"]


def test_a_higher_band_revises_the_incidents_severity_through_the_revision_use_case(store, clock, shipped_rules):
    evaluate_and_act(store=store, clock=clock, readings=three_drains(clock))
    clock.advance(minutes=2)
    evaluate_and_act(store=store, clock=clock, readings=[observed(clock, "drain-2", 1.7)])
    with store.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.severity is Severity.EXTREME
        kinds = session.scalars(select(TimelineEntry.kind).where(TimelineEntry.incident_id == incident.id)
                                .order_by(TimelineEntry.seq)).all()
        assert "incident.revised" in kinds and kinds[-1] == "rule.severity_raised"


def test_an_outcome_decided_but_not_acted_on_waits_for_the_next_process(store, clock, shipped_rules):
    assert evaluate_readings(store=store, clock=clock, readings=three_drains(clock)) == 1
    with store.transaction() as session:
        assert session.scalars(select(Incident)).all() == []  # the consumer stopped here
    assert act_on_outcomes(store=store, clock=clock) == 1
    assert act_on_outcomes(store=store, clock=clock) == 0
    with store.transaction() as session:
        assert len(session.scalars(select(Incident)).all()) == 1


def test_an_alert_rule_raises_an_officer_alert_with_the_readings(store, clock, shipped_rules):
    with store.transaction() as session:
        store_rule_version(session=session, clock=clock, source="surge.yaml", actor=SYSTEM, text="""\
id: surge
version: 1
title: River rising fast
sensors: {kind: water_level, unit: m}
rate: {rise: 0.5, within: 10m}
alert: {message: "River rising fast"}
""")
    evaluate_and_act(store=store, clock=clock, readings=[observed(clock, "river-1", 1.0, ago_s=300),
                                                          observed(clock, "river-1", 1.6)])
    with store.transaction() as session:
        alert = session.scalars(select(OfficerAlert)).one()
        assert alert.kind == "rule.alert" and alert.summary.startswith("River rising fast: river-1: rose 0.6 m")
        assert [item["value"] for item in alert.data["readings"]] == [1.0, 1.6]


def test_one_drain_over_its_mark_for_a_quarter_hour_sends_its_agency_a_maintenance_request(store, clock, shipped_rules):
    readings = [observed(clock, "drain-7", 0.7, ago_s=16 * 60), observed(clock, "drain-7", 0.75)]
    evaluate_and_act(store=store, clock=clock, readings=readings)
    with store.transaction() as session:
        assert session.scalars(select(Incident)).all() == []
        message = session.scalars(select(WebhookMessage)).one()
        assert message.event_type == "sensor.maintenance" and '"drain-7"' in message.body
        assert session.scalars(select(TimelineEntry.kind).where(TimelineEntry.kind == "rule.maintenance")).one()
    clock.advance(minutes=5)
    evaluate_and_act(store=store, clock=clock, readings=[observed(clock, "drain-7", 0.2)])
    with store.transaction() as session:
        events = session.scalars(select(WebhookMessage.event_type).order_by(WebhookMessage.created_at)).all()
        assert events == ["sensor.maintenance", "sensor.restored"]


def test_a_higher_band_for_an_incident_no_longer_open_changes_nothing_and_says_why(store, clock, shipped_rules):
    evaluate_and_act(store=store, clock=clock, readings=three_drains(clock))
    with store.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        incident.status = incident.status.__class__("closed")
    clock.advance(minutes=2)
    evaluate_and_act(store=store, clock=clock, readings=[observed(clock, "drain-2", 1.7)])
    with store.transaction() as session:
        revised = session.scalars(select(RuleOutcome).where(RuleOutcome.kind == "severity_raised")).one()
        assert (revised.result, revised.note) == ("unchanged", "no open incident of this episode to revise")
