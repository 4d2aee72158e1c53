"""Which certificates sign each CAP sender's alerts, and checking an alert's XML Signature against them.

An `Actual` alert can start an SOP, so an alert forged in a sender's name and relayed by an
aggregator could send agencies out. CAP 1.2 (3.3.2.1) lets a sender sign its alerts with an
enveloped XML Signature. The centre pins, per sender, the certificates that sign for it (a trust
anchor is the sender's own signing certificate, not a certificate authority: a public CA vouches
for a name on the web, not for who may warn this city). A sender with anchors must sign, with one
of them, the whole alert; a sender without any is heard as before, unless the centre requires
every alert to be signed.

The signature is checked by signxml against the pinned certificate only (the certificate the
alert carries is ignored), at the engine clock's time, with the project's safe XML parser. What
the engine then reads is the content the signature covers, never the text around it, and that
content must be the whole alert: a signature over another element (a signed copy tucked inside
a forged alert, the "signature wrapping" attack) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import cryptography.exceptions
import yaml
from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidCertificate, InvalidDigest, SignXMLException

from coordination.cap.parsing import InvalidCapAlert, parse_xml_safely, safe_xml_parser
from coordination.errors import InvalidInput, RecordedRefusal

DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
_DSIG = {"ds": DSIG_NAMESPACE}
_PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


class SignatureOutcome(StrEnum):
    """What the engine knows of who wrote an alert it accepted (kept on the stored alert)."""

    VERIFIED = "verified"
    """Signed, over the whole alert, with a certificate the centre holds for its sender."""
    UNSIGNED = "unsigned"
    """No signature, from a sender the centre holds no certificate for."""
    UNCHECKED = "unchecked"
    """Signed, but the centre holds no certificate for its sender, so the signature proves nothing."""


class CapAlertRefused(InvalidCapAlert, RecordedRefusal):
    """An alert whose signature the centre cannot trust. The intake records the refusal on the
    timeline (an attempted forgery is news to the duty officer) before the error reaches the caller."""

    def __init__(self, reason: str, *, sender: str):
        super().__init__(reason, field="signature")
        self.reason = reason
        self.sender = sender


@dataclass(frozen=True)
class CapTrust:
    """The certificates that sign each sender's alerts, and whether an unanchored sender is heard."""

    anchors: Mapping[str, tuple[x509.Certificate, ...]] = field(default_factory=lambda: MappingProxyType({}))
    require_signature: bool = False
    """Refuse every alert whose sender has no anchor (a centre that acts only on verified alerts)."""

    def anchors_for(self, sender: str) -> tuple[x509.Certificate, ...]:
        return tuple(self.anchors.get(sender, ()))


@dataclass(frozen=True)
class SignatureCheck:
    outcome: SignatureOutcome
    content: bytes
    """The alert to act on: what the signature covers when verified, else the alert as received."""


def check_signature(data: bytes, *, sender: str, trust: CapTrust, at: datetime) -> SignatureCheck:
    """Check the alert's XML Signature against the certificates `trust` holds for `sender`.

    Args:
        data: the alert as received (already checked as CAP 1.2).
        sender: its `<sender>`, which chooses the anchors; the signature then vouches for it too.
        at: when the certificates must be valid (the engine's clock, not the wall's).

    Raises:
        CapAlertRefused: the sender has anchors and the alert is unsigned, signed by another key,
            changed after signing or signed only in part; or the sender has none and `trust`
            requires a signature.
    """
    root = parse_xml_safely(data)
    signatures = root.findall("ds:Signature", _DSIG)
    anchors = trust.anchors_for(sender)
    if not anchors:
        if trust.require_signature:
            raise CapAlertRefused(f"this centre acts only on signed alerts from senders whose certificates it holds, "
                                  f"and it holds none for {sender!r}", sender=sender)
        return SignatureCheck(SignatureOutcome.UNCHECKED if signatures else SignatureOutcome.UNSIGNED, data)
    if not signatures:
        where = " (the only <Signature> is not a child of <alert>)" if root.find(".//ds:Signature", _DSIG) is not None \
            else ""
        raise CapAlertRefused(f"alerts from {sender!r} must carry an XML Signature by one of the certificates this "
                              f"centre holds for it; this one carries none{where}", sender=sender)
    if len(signatures) > 1:
        raise CapAlertRefused("an alert carries one XML Signature; this one carries several", sender=sender)
    failures = []
    for anchor in anchors:
        try:
            return SignatureCheck(SignatureOutcome.VERIFIED, _verified_content(root, anchor=anchor, at=at,
                                                                               sender=sender))
        except _VERIFY_FAILURES as failure:
            failures.append(failure)
    raise CapAlertRefused(_reason(failures, sender=sender), sender=sender)


# What signxml and the libraries under it raise for a signature that does not hold, or is not one.
_VERIFY_FAILURES = (SignXMLException, cryptography.exceptions.InvalidSignature, ValueError, TypeError,
                    etree.LxmlError)


def _verified_content(root: etree._Element, *, anchor: x509.Certificate, at: datetime, sender: str) -> bytes:
    """The signed alert, verified with `anchor`; refused unless it is the whole alert received."""
    config = SignatureConfiguration(location="./", expect_references=1, verification_time=at)
    result = XMLVerifier().verify(root, x509_cert=anchor, parser=safe_xml_parser(), expect_config=config)
    reference = result.signature_xml.find("ds:SignedInfo/ds:Reference", _DSIG)
    if reference is None or reference.get("URI") != "" or result.signed_xml is None \
            or _comparable(result.signed_xml) != _comparable(_without_signature(root)):
        raise CapAlertRefused("the signature covers only part of the alert, not the whole of it "
                              "(Reference URI=\"\"): refused as a possible signature-wrapping attempt", sender=sender)
    return result.signed_data


def _without_signature(root: etree._Element) -> etree._Element:
    """A copy of the alert without its enveloped signature, keeping the text that followed it."""
    copy = etree.fromstring(etree.tostring(root), safe_xml_parser())
    signature = copy.find("ds:Signature", _DSIG)
    previous = signature.getprevious()
    if signature.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + signature.tail
        else:
            copy.text = (copy.text or "") + signature.tail
    copy.remove(signature)
    return copy


def _comparable(element: etree._Element) -> bytes:
    # Exclusive, comment-free canonical form: namespace declarations nobody uses and comments are
    # not content, and the signature's own transform may have dropped them.
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def _reason(failures: list[Exception], *, sender: str) -> str:
    """Why no anchor verified the signature, the most telling failure first."""
    if any(isinstance(failure, InvalidDigest) for failure in failures):
        return (f"the alert was changed after {sender!r} signed it (the signed content does not match): "
                "refused as a possible forgery")
    expired = next((failure for failure in failures if isinstance(failure, InvalidCertificate)), None)
    if expired is not None:
        # signxml's advice to its caller (use verification_time) is no news to the sender.
        validity = str(expired).split(". Use SignatureConfiguration")[0]
        return f"the certificate this centre holds for {sender!r} cannot verify the signature now: {validity}"
    details = "; ".join(dict.fromkeys(str(failure) or type(failure).__name__ for failure in failures))
    return (f"the signature does not verify with any certificate this centre holds for {sender!r}, so the alert "
            f"may be forged ({details})")


def load_cap_trust(path: Path | None, *, require_signature: bool = False) -> CapTrust:
    """Read the trust file: YAML (or JSON) `senders:` mapping each CAP sender to its certificates,
    each a PEM file (relative to the trust file; it may hold several) or a PEM certificate inline.

    Raises:
        InvalidInput: the file cannot be read, is not such a mapping, or a certificate is not PEM;
            `field` names where (senders.<sender>.<index>).
    """
    if path is None:
        return CapTrust(require_signature=require_signature)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"CAP trust file {path}: cannot be read: {error}", field="senders") from None
    senders = document.get("senders") if isinstance(document, dict) else None
    if not isinstance(senders, dict):
        raise InvalidInput(f"CAP trust file {path}: needs `senders:`, mapping each CAP sender to a list of "
                           "certificates", field="senders")
    anchors = {}
    for sender, entries in senders.items():
        where = f"senders.{sender}"
        if not isinstance(entries, list) or not entries:
            raise InvalidInput(f"CAP trust file {path}: {where}: list at least one certificate", field=where)
        anchors[str(sender)] = tuple(certificate for index, entry in enumerate(entries)
                                     for certificate in _certificates(entry, base=path.parent, path=path,
                                                                      where=f"{where}.{index}"))
    return CapTrust(anchors=MappingProxyType(anchors), require_signature=require_signature)


def _certificates(entry: object, *, base: Path, path: Path, where: str) -> list[x509.Certificate]:
    if not isinstance(entry, str) or not entry.strip():
        raise InvalidInput(f"CAP trust file {path}: {where}: a PEM file name or an inline PEM certificate",
                           field=where)
    if _PEM_CERTIFICATE in entry:
        pem, source = entry.encode("ascii", errors="replace"), "the inline certificate"
    else:
        file = base / entry
        try:
            pem, source = file.read_bytes(), str(file)
        except OSError as error:
            raise InvalidInput(f"CAP trust file {path}: {where}: cannot read {file}: {error}", field=where) from None
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError as error:
        raise InvalidInput(f"CAP trust file {path}: {where}: {source} is not a PEM certificate: {error}",
                           field=where) from None
