"""CAP alerts from senders the centre trusts must carry their XML Signature: a sender with trust
anchors (pinned certificates) signs the whole alert with one of them, or its alert is refused and
the refusal is put on the timeline for the duty officer; the engine acts only on what was signed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree
from signxml import SignatureConstructionMethod, XMLSigner
from sqlalchemy import select

from coordination import SYSTEM, InvalidInput
from coordination.cap import (
    CapAlertRefused,
    CapTrust,
    SignatureOutcome,
    check_signature,
    default_mapping,
    load_cap_trust,
    receive_cap_alert,
)
from coordination.store.tables import CapAlertRecord, Incident, OfficerAlert, TimelineEntry
from tests.cap_signing import make_signing_key, sign, trusting

pytestmark = pytest.mark.database

SENDER = "imd-bengaluru@example"
DSIG = "{http://www.w3.org/2000/09/xmldsig#}"


def flood_alert(identifier: str = "flood-1", *, severity: str = "Severe", area: str = "Ward 5",
                sender: str = SENDER) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>{sender}</sender><sent>2026-07-01T09:00:00+05:30</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info>
    <category>Met</category><event>Flash flood</event><urgency>Immediate</urgency>
    <severity>{severity}</severity><certainty>Observed</certainty><senderName>IMD Bengaluru</senderName>
    <headline>Flash flooding in Ward 5</headline>
    <area><areaDesc>{area}</areaDesc>
      <polygon>12.9,77.5 12.9,77.6 13.0,77.6 13.0,77.5 12.9,77.5</polygon></area>
  </info>
</alert>""".encode("utf-8")


@pytest.fixture
def imd(clock):
    """The sender's signing key, its certificate valid from a day before the engine's now."""
    return make_signing_key("IMD Bengaluru", valid_from=clock.now() - timedelta(days=1))


@pytest.fixture
def receive(store, clock, shipped_sops):
    """Receive an alert in its own transaction, which commits even when the alert is refused (as the
    API does), and return the receipt or the refusal."""

    def receive_alert(data: bytes, trust: CapTrust):
        with store.transaction() as session:
            try:
                receipt = receive_cap_alert(session=session, clock=clock, data=data, mapping=default_mapping(),
                                            actor=SYSTEM, trust=trust)
            except CapAlertRefused as refused:
                return refused
            return receipt.record.id

    return receive_alert


def stored(store, record_id) -> tuple[CapAlertRecord, Incident | None]:
    with store.transaction() as session:
        record = session.get(CapAlertRecord, record_id)
        incident = session.get(Incident, record.incident_id) if record.incident_id else None
        session.expunge_all()
        return record, incident


def refusals(store) -> list[TimelineEntry]:
    with store.transaction() as session:
        entries = list(session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "cap.refused")))
        session.expunge_all()
        return entries


def test_a_signed_alert_from_a_trusted_sender_is_verified_and_acted_on(store, receive, imd):
    record_id = receive(sign(flood_alert(), imd), trusting(SENDER, imd))
    record, incident = stored(store, record_id)
    assert (record.signature, record.outcome) == ("verified", "declared")
    assert incident.incident_type == "flood" and incident.place_name == "Ward 5"
    assert "<ds:Signature" in record.xml, "the alert is kept as received, so it can be verified again"


def test_any_of_a_senders_certificates_verifies_its_alerts(store, receive, imd, clock):
    """A sender rolling its key over is trusted under the old and the new certificate at once."""
    retired = make_signing_key("IMD Bengaluru 2025", valid_from=clock.now() - timedelta(days=400))
    record_id = receive(sign(flood_alert(), imd), trusting(SENDER, retired, imd))
    assert stored(store, record_id)[0].signature == "verified"


def test_an_unsigned_alert_from_a_sender_with_anchors_is_refused(store, receive, imd):
    refused = receive(flood_alert(), trusting(SENDER, imd))
    assert isinstance(refused, CapAlertRefused) and refused.field == "signature"
    assert "carries none" in str(refused)
    with store.transaction() as session:
        assert session.scalars(select(CapAlertRecord)).all() == [], "a refused alert is not a received alert"
        assert session.scalars(select(Incident)).all() == []


def test_an_alert_signed_by_another_key_is_refused(receive, imd, clock):
    impostor = make_signing_key("IMD Bengaluru", valid_from=clock.now() - timedelta(days=1))
    refused = receive(sign(flood_alert(), impostor), trusting(SENDER, imd))
    assert isinstance(refused, CapAlertRefused)
    assert "does not verify with any certificate this centre holds" in refused.reason


def test_an_alert_changed_after_signing_is_refused(receive, imd):
    signed = sign(flood_alert(severity="Minor"), imd)
    altered = signed.replace(b"<severity>Minor</severity>", b"<severity>Extreme</severity>")
    refused = receive(altered, trusting(SENDER, imd))
    assert isinstance(refused, CapAlertRefused) and "changed after" in refused.reason


def test_a_signed_copy_tucked_inside_an_altered_alert_is_refused(receive, imd):
    """Signature wrapping: the genuine alert and its signature ride inside a forged one."""
    genuine = sign(flood_alert(severity="Minor"), imd)
    forged = etree.fromstring(flood_alert(severity="Extreme", area="Ward 9"))
    signature = etree.fromstring(genuine).find(f"{DSIG}Signature")
    etree.SubElement(signature, f"{DSIG}Object").append(etree.fromstring(genuine))  # the whole signed alert
    forged.append(signature)
    refused = receive(etree.tostring(forged), trusting(SENDER, imd))
    assert isinstance(refused, CapAlertRefused) and "changed after" in refused.reason


def test_a_signature_over_something_other_than_the_whole_alert_is_refused(receive, imd):
    """Signature wrapping that the cryptography alone would let through: the sender's genuine
    signature over a copy of an alert (an enveloping one, `Reference URI="#object"`) appended to a
    forged alert. The signature verifies; it just does not cover the alert it is attached to."""
    genuine = etree.fromstring(flood_alert(severity="Minor"))
    enveloping = XMLSigner(method=SignatureConstructionMethod.enveloping, signature_algorithm="ecdsa-sha256",
                           c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
        genuine, key=imd.key, cert=[imd.certificate])
    forged = etree.fromstring(flood_alert(severity="Extreme"))
    forged.append(enveloping)
    refused = receive(etree.tostring(forged), trusting(SENDER, imd))
    assert isinstance(refused, CapAlertRefused) and "signature-wrapping" in refused.reason


def test_the_engine_reads_what_was_signed_not_comments_slipped_into_it(store, receive, imd):
    """A comment is not signed content, so adding one keeps the signature valid; read naively it
    would cut `Ward 5` to `Ward`. The engine reads the signed content, in which it is not there."""
    signed = sign(flood_alert(), imd)
    slipped = signed.replace(b"<areaDesc>Ward 5</areaDesc>", b"<areaDesc>Ward<!-- 9 --> 5</areaDesc>")
    record_id = receive(slipped, trusting(SENDER, imd))
    record, incident = stored(store, record_id)
    assert record.signature == "verified" and incident.place_name == "Ward 5"


def test_a_certificate_that_has_expired_by_the_engines_clock_verifies_nothing(receive, clock):
    lapsed = make_signing_key("IMD Bengaluru", valid_from=clock.now() - timedelta(days=30), valid_for=timedelta(days=29))
    refused = receive(sign(flood_alert(), lapsed), trusting(SENDER, lapsed))
    assert isinstance(refused, CapAlertRefused) and "expired" in refused.reason


def test_senders_without_anchors_are_heard_as_before(store, receive, imd):
    other = trusting("someone-else@example", imd)
    unsigned = stored(store, receive(flood_alert("flood-1"), other))[0]
    signed = stored(store, receive(sign(flood_alert("flood-2"), imd), other))[0]
    assert (unsigned.signature, signed.signature) == ("unsigned", "unchecked")
    assert unsigned.outcome == "declared"


def test_strict_mode_refuses_senders_without_anchors(store, receive, imd):
    strict = trusting("someone-else@example", imd, require_signature=True)
    refused = receive(sign(flood_alert(), imd), strict)
    assert isinstance(refused, CapAlertRefused) and "holds none for 'imd-bengaluru@example'" in refused.reason
    assert stored(store, receive(sign(flood_alert(sender="someone-else@example"), imd), strict))[0].signature \
        == "verified"


def test_a_refusal_is_recorded_on_the_timeline_and_raised_to_the_duty_officer(store, receive, imd):
    receive(flood_alert("forged-1", area="Secret bunker"), trusting(SENDER, imd))
    [entry] = refusals(store)
    assert entry.actor == SYSTEM.label
    assert entry.data["sender"] == SENDER and entry.data["identifier"] == "forged-1"
    assert "carries none" in entry.data["reason"] and "forged-1" in entry.summary
    assert "Secret bunker" not in str(entry.data) + entry.summary, "the alert's text is never recorded"
    with store.transaction() as session:
        [alert] = session.scalars(select(OfficerAlert).where(OfficerAlert.kind == "cap.refused")).all()
        assert alert.data["identifier"] == "forged-1"


def test_an_invalid_alert_is_refused_for_what_it_is_before_its_signature(receive, imd):
    broken = flood_alert().replace(b"<scope>Public</scope>", b"<scope>Everyone</scope>")
    with pytest.raises(InvalidInput) as error:
        receive(broken, trusting(SENDER, imd))
    assert error.value.field == "alert.scope" and not isinstance(error.value, CapAlertRefused)


def test_check_signature_alone_says_what_vouches_for_an_alert(imd, clock):
    signed = sign(flood_alert(), imd)
    check = check_signature(signed, sender=SENDER, trust=trusting(SENDER, imd), at=clock.now())
    assert check.outcome is SignatureOutcome.VERIFIED and b"Signature" not in check.content
    assert check_signature(signed, sender=SENDER, trust=CapTrust(), at=clock.now()).outcome \
        is SignatureOutcome.UNCHECKED


class TestTrustFile:
    """The trust file maps each sender to certificates: PEM files beside it, or PEM inline."""

    def test_files_bundles_and_inline_certificates_are_read(self, tmp_path, imd, clock):
        spare = make_signing_key("IMD spare", valid_from=clock.now())
        (tmp_path / "certs").mkdir()
        (tmp_path / "certs" / "imd.pem").write_text(imd.certificate_pem + spare.certificate_pem)
        inline = "\n".join("      " + line for line in spare.certificate_pem.splitlines())
        (tmp_path / "trust.yaml").write_text(f"senders:\n  {SENDER}:\n    - certs/imd.pem\n"
                                             f"  other@example:\n    - |\n{inline}\n")
        trust = load_cap_trust(tmp_path / "trust.yaml", require_signature=True)
        assert trust.anchors_for(SENDER) == (imd.certificate, spare.certificate)
        assert trust.anchors_for("other@example") == (spare.certificate,)
        assert trust.require_signature and trust.anchors_for("nobody@example") == ()

    def test_without_a_file_no_sender_has_anchors(self):
        trust = load_cap_trust(None)
        assert trust.anchors_for(SENDER) == () and not trust.require_signature

    @pytest.mark.parametrize("text, field", [
        ("senders: []", "senders"),
        ("not yaml: [", "senders"),
        (f"senders:\n  {SENDER}: []", f"senders.{SENDER}"),
        (f"senders:\n  {SENDER}:\n    - missing.pem", f"senders.{SENDER}.0"),
        (f"senders:\n  {SENDER}:\n    - |\n      -----BEGIN CERTIFICATE-----\n      bm90IGEgY2VydA==\n"
         "      -----END CERTIFICATE-----", f"senders.{SENDER}.0"),
    ])
    def test_a_bad_trust_file_stops_the_start_naming_where(self, tmp_path, text, field):
        (tmp_path / "trust.yaml").write_text(text)
        with pytest.raises(InvalidInput) as error:
            load_cap_trust(tmp_path / "trust.yaml")
        assert error.value.field == field and "trust.yaml" in str(error.value)
