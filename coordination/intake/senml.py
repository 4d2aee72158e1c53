"""SenML (RFC 8428) JSON packs into resolved records: pure, no registry, no I/O.

No SenML library on PyPI is kept up (the two there were last released in 2016 and 2018), so the
pack is decoded by a msgspec schema of RFC 8428's JSON labels, and the base fields are resolved
here as §4.6 says: each base field applies to the records after it until another replaces it;
the name is base name + name, the time base time + time, the value base value + value, the unit
the record's or else the base unit. A time under 2**28 is relative to now (§4.5.3).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import msgspec

from coordination.intake.records import Refusal, ResolvedRecord

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
RELATIVE_TIME_LIMIT = 2 ** 28
"""SenML times below this are seconds relative to now (RFC 8428 §4.5.3)."""
MAX_RECORDS = 10_000  # a pack is one device's report or a gateway's batch; more is a mistake or abuse
KEPT_PAYLOAD_CHARS = 4096


class SenmlRecord(msgspec.Struct, frozen=True, omit_defaults=True):
    """One record of a SenML pack, with RFC 8428's JSON labels."""

    bn: str | None = None
    bt: float | None = None
    bu: str | None = None
    bv: float | None = None
    bs: float | None = None
    bver: int | None = None
    n: str | None = None
    u: str | None = None
    v: float | None = None
    vs: str | None = None
    vb: bool | None = None
    vd: str | None = None
    s: float | None = None
    t: float | None = None
    ut: float | None = None


_PACK = msgspec.json.Decoder(list[SenmlRecord])
_RECORD_ENCODER = msgspec.json.Encoder()


class MalformedPack(ValueError):
    """The message is not a SenML JSON pack; `refusal` says why."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.reason)
        self.refusal = refusal


def kept_payload(payload: bytes | str) -> str:
    """The message as kept with a refusal: text, cut at `KEPT_PAYLOAD_CHARS` characters."""
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    return text if len(text) <= KEPT_PAYLOAD_CHARS else text[:KEPT_PAYLOAD_CHARS] + "…(cut)"


def decode_pack(payload: bytes, *, now: datetime) -> list[ResolvedRecord]:
    """The pack's records, base fields resolved.

    Raises:
        MalformedPack: not JSON, not an array of SenML records, a must-understand field (a label
            ending in `_`) this engine does not know, a record with no name, or too many records.
    """
    try:
        records = _PACK.decode(payload)
    except msgspec.DecodeError as error:
        raise MalformedPack(malformed(f"not a SenML JSON pack: {error}", payload)) from None
    if not records:
        raise MalformedPack(malformed("an empty SenML pack", payload))
    if len(records) > MAX_RECORDS:
        raise MalformedPack(malformed(f"{len(records)} records in one pack; at most {MAX_RECORDS}", payload))
    if b'_"' in payload:
        _refuse_must_understand(payload)
    return _resolve(records, now, payload)


def _refuse_must_understand(payload: bytes) -> None:
    """RFC 8428 §4.4: a label ending in `_` must be understood, or the pack rejected."""
    for index, item in enumerate(msgspec.json.decode(payload)):
        unknown = sorted(key for key in item if isinstance(key, str) and key.endswith("_"))
        if unknown:
            raise MalformedPack(malformed(f"record {index}: must-understand field {unknown[0]!r} is not "
                                           "one this engine understands", payload))


def _resolve(records: list[SenmlRecord], now: datetime, payload: bytes) -> list[ResolvedRecord]:
    base_name, base_time, base_unit, base_value = "", 0.0, None, 0.0
    resolved: list[ResolvedRecord] = []
    for index, record in enumerate(records):
        if record.bver is not None and record.bver > 10:
            raise MalformedPack(malformed(f"record {index}: SenML version {record.bver} is newer than 10", payload))
        base_name = record.bn if record.bn is not None else base_name
        base_time = record.bt if record.bt is not None else base_time
        base_unit = record.bu if record.bu is not None else base_unit
        base_value = record.bv if record.bv is not None else base_value
        name = base_name + (record.n or "")
        if not name:
            raise MalformedPack(malformed(f"record {index}: no name (neither bn nor n)", payload))
        seconds = base_time + (record.t or 0.0)
        if not math.isfinite(seconds):
            raise MalformedPack(malformed(f"record {index}: time is not a number", payload))
        try:
            # Added to the epoch rather than datetime.fromtimestamp, which costs tens of times more.
            observed_at = (now + timedelta(seconds=seconds) if abs(seconds) < RELATIVE_TIME_LIMIT
                           else EPOCH + timedelta(seconds=seconds))
        except (OverflowError, OSError, ValueError):
            raise MalformedPack(malformed(f"record {index}: time {seconds!r} is out of range", payload)) from None
        value, value_problem = _value(record, base_value)
        resolved.append(ResolvedRecord(index=index, name=name, unit=record.u if record.u is not None else base_unit,
                                       value=value, observed_at=observed_at,
                                       original=_RECORD_ENCODER.encode(record).decode(), value_problem=value_problem))
    return resolved


def _value(record: SenmlRecord, base_value: float) -> tuple[float | None, str]:
    if record.v is not None:
        return base_value + record.v, ""
    if record.vb is not None:
        return (1.0 if record.vb else 0.0), ""
    if record.vs is not None or record.vd is not None:
        return None, "a string or data value; this engine takes numbers (v) or true/false (vb)"
    if record.s is not None:
        return None, "a sum (s) without a value (v); send the reading as v"
    return None, "no value (v or vb)"


def malformed(reason: str, payload: bytes) -> Refusal:
    return Refusal(problem="malformed", reason=reason, payload=kept_payload(payload))
