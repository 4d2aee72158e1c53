"""SenML packs (RFC 8428) resolve their base fields as §4.6 says, and anything that is not a pack
is refused with a reason, never an exception that stops the intake."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coordination.intake.senml import MalformedPack, decode_pack

NOW = datetime(2026, 7, 1, 6, 0, tzinfo=timezone.utc)


def test_base_name_time_unit_and_value_apply_to_the_records_after_them():
    pack = (b'[{"bn":"urn:dev:ow:","bt":1.7820e9,"bu":"m","bv":0.5,"n":"drain-1","v":0.25},'
            b'{"n":"drain-2","t":60,"v":0.1},{"bn":"","n":"button-1","u":"","vb":true}]')
    records = decode_pack(pack, now=NOW)
    assert [(record.name, record.unit, record.value) for record in records] == [
        ("urn:dev:ow:drain-1", "m", 0.75), ("urn:dev:ow:drain-2", "m", 0.6), ("button-1", "", 1.0)]
    assert records[0].observed_at == datetime.fromtimestamp(1.782e9, tz=timezone.utc)
    assert records[1].observed_at - records[0].observed_at == timedelta(seconds=60)


def test_a_small_time_is_relative_to_now():
    records = decode_pack(b'[{"n":"drain-1","u":"m","v":1,"t":-30}]', now=NOW)
    assert records[0].observed_at == NOW - timedelta(seconds=30)


def test_a_string_value_is_kept_as_a_record_without_a_value_and_why():
    record = decode_pack(b'[{"n":"cam-1","vs":"person"}]', now=NOW)[0]
    assert record.value is None and "string" in record.value_problem


@pytest.mark.parametrize(("payload", "reason"), [
    (b"not json", "not a SenML JSON pack"),
    (b'{"n":"drain-1"}', "not a SenML JSON pack"),
    (b"[]", "an empty SenML pack"),
    (b'[{"n":"drain-1","v":"high"}]', "not a SenML JSON pack"),
    (b'[{"v":1}]', "record 0: no name"),
    (b'[{"n":"drain-1","v":1,"lat_":12.9}]', "must-understand field 'lat_'"),
    (b'[{"n":"drain-1","v":1,"t":1e300}]', "record 0: time 1e+300 is out of range"),
])
def test_what_is_not_a_pack_is_refused_with_a_reason(payload, reason):
    with pytest.raises(MalformedPack) as refused:
        decode_pack(payload, now=NOW)
    assert refused.value.refusal.problem == "malformed"
    assert reason in refused.value.refusal.reason
    assert refused.value.refusal.payload == payload.decode()
