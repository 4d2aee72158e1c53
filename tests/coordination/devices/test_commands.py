"""Commanding devices in the store: the devices a command goes to (named, or of a kind near the
incident, nearest first), commands queued in the outbox with one timeline entry, an answer
recorded once, and a command unanswered at its deadline reported overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import CITY_CENTRE, NotFound
from coordination.devices import (
    devices_for_command,
    issue_commands,
    mark_overdue,
    overdue_commands,
    record_answer,
)
from coordination.integrity import integrity_report
from coordination.lifecycles import DeviceCommandStatus
from coordination.store.tables import DeviceCommand, TimelineEntry
from tests.coordination.devices.fleet import register

pytestmark = pytest.mark.database


@pytest.fixture
def signs(store, clock, shipped_rules):
    """Three message signs 900 m, 100 m and 2 km east of the centre, and a siren beside the centre."""
    for device_id, east_m in (("vms-far", 900), ("vms-near", 100), ("vms-outside", 2000)):
        register(store, clock, device_id, east_m=east_m)
    register(store, clock, "siren-1", kind="siren", east_m=10)


def ids(devices) -> list[str]:
    return [device.id for device in devices]


def test_devices_of_a_kind_within_a_distance_are_chosen_nearest_first(store, signs):
    with store.transaction() as session:
        assert ids(devices_for_command(session, kind="message_sign", device_ids=(), near=CITY_CENTRE,
                                       within_m=1000)) == ["vms-near", "vms-far"]
        assert ids(devices_for_command(session, kind="message_sign", device_ids=(), near=CITY_CENTRE,
                                       within_m=None)) == ["vms-near", "vms-far", "vms-outside"]
        assert devices_for_command(session, kind="barrier", device_ids=(), near=CITY_CENTRE, within_m=5000) == []


def test_devices_named_are_chosen_whatever_their_distance_and_unknown_names_are_left_out(store, signs):
    with store.transaction() as session:
        assert ids(devices_for_command(session, kind=None, device_ids=("vms-outside", "siren-1", "vms-gone"),
                                       near=CITY_CENTRE, within_m=100)) == ["siren-1", "vms-outside"]
        assert devices_for_command(session, kind=None, device_ids=(), near=CITY_CENTRE, within_m=None) == []


def test_commands_are_queued_with_one_timeline_entry_and_an_answer_is_recorded_once(store, clock, signs):
    due_at = clock.now() + timedelta(minutes=2)
    with store.transaction() as session:
        devices = devices_for_command(session, kind="message_sign", device_ids=(), near=CITY_CENTRE, within_m=1000)
        commands = issue_commands(session, at=clock.now(), devices=devices, action="display",
                                  payload={"text": "ROAD FLOODED - USE HOSUR RD"}, due_at=due_at, incident_id=None,
                                  run_id=None, step_id=None, issued_by="duty_officer:asha")
        command_ids = [command.command_id for command in commands]
    with store.transaction() as session:
        rows = session.scalars(select(DeviceCommand).order_by(DeviceCommand.device_id)).all()
        assert [(row.device_id, row.status, row.action, row.payload["text"]) for row in rows] == [
            ("vms-far", DeviceCommandStatus.QUEUED, "display", "ROAD FLOODED - USE HOSUR RD"),
            ("vms-near", DeviceCommandStatus.QUEUED, "display", "ROAD FLOODED - USE HOSUR RD")]
        entry = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "device.commanded")).one()
        assert entry.data["command_ids"] == command_ids and entry.actor == "duty_officer:asha"

    clock.advance(seconds=20)
    with store.transaction() as session:
        answered = record_answer(session, at=clock.now(), command_id=command_ids[0], confirmed=True, reason="")
        assert answered is not None and answered.status is DeviceCommandStatus.CONFIRMED
        failed = record_answer(session, at=clock.now(), command_id=command_ids[1], confirmed=False,
                               reason="display panel fault")
        assert failed.status is DeviceCommandStatus.FAILED
    with store.transaction() as session:  # a repeat, or a second answer, changes nothing
        assert record_answer(session, at=clock.now(), command_id=command_ids[0], confirmed=False, reason="x") is None
        assert record_answer(session, at=clock.now(), command_id=command_ids[1], confirmed=False,
                             reason="display panel fault") is None
        with pytest.raises(NotFound):
            record_answer(session, at=clock.now(), command_id="8c1ec2a6-0000-4000-8000-000000000000",
                          confirmed=True, reason="")
    with store.transaction() as session:
        kinds = session.scalars(select(TimelineEntry.kind).where(TimelineEntry.kind.like("device.%"))
                                .order_by(TimelineEntry.seq)).all()
        assert kinds[-3:] == ["device.commanded", "device.confirmed", "device.failed"]
        assert session.get(DeviceCommand, command_ids[1]).reason == "display panel fault"


def test_an_unanswered_command_is_overdue_after_its_deadline_and_a_late_answer_is_still_recorded(store, clock,
                                                                                                   signs):
    with store.transaction() as session:
        [device] = devices_for_command(session, kind="siren", device_ids=(), near=CITY_CENTRE, within_m=100)
        [command] = issue_commands(session, at=clock.now(), devices=[device], action="sound", payload={},
                                   due_at=clock.now() + timedelta(seconds=60), incident_id=None, run_id=None,
                                   step_id=None, issued_by="engine")
        command_id = command.command_id
    with store.transaction() as session:
        assert mark_overdue(session, now=clock.now() + timedelta(seconds=60)) == []
        assert overdue_commands(session, clock.now() + timedelta(seconds=60)) == []
    clock.advance(seconds=61)
    with store.transaction() as session:
        assert [command.command_id for command in overdue_commands(session, clock.now())] == [command_id]
        [overdue] = mark_overdue(session, now=clock.now())
        assert overdue.status is DeviceCommandStatus.OVERDUE and overdue.reason.startswith("never published")
    with store.transaction() as session:
        assert mark_overdue(session, now=clock.now()) == []  # once
        assert [command.command_id for command in overdue_commands(session, clock.now())] == [command_id]
        board = integrity_report(session=session, now=clock.now())
        assert [command.command_id for command in board.unconfirmed_commands] == [command_id] and not board.is_clear
        record_answer(session, at=clock.now(), command_id=command_id, confirmed=True, reason="")
    with store.transaction() as session:
        assert overdue_commands(session, clock.now()) == []
        assert session.get(DeviceCommand, command_id).status is DeviceCommandStatus.CONFIRMED
        late = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "device.confirmed")).one()
        assert "after its deadline" in late.summary
