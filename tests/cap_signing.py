"""Signing CAP alerts for tests: throwaway keys and self-signed certificates made with
`cryptography`, enveloped XML Signatures made with signxml, as a real sender would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureConstructionMethod, XMLSigner

from coordination.cap import CapTrust


@dataclass(frozen=True)
class SigningKey:
    """A sender's private key and the self-signed certificate the centre would pin for it."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def make_signing_key(name: str, *, valid_from: datetime, valid_for: timedelta = timedelta(days=365)) -> SigningKey:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(valid_from)
        .not_valid_after(valid_from + valid_for).sign(key, hashes.SHA256())
    )
    return SigningKey(key, certificate)


def sign(alert: bytes, signer: SigningKey, *, reference_uri: str | None = None) -> bytes:
    """`alert` with an enveloped signature over the whole of it (or over the element `reference_uri` names)."""
    root = etree.fromstring(alert)
    signed = XMLSigner(method=SignatureConstructionMethod.enveloped, signature_algorithm="ecdsa-sha256").sign(
        root, key=signer.key, cert=[signer.certificate], reference_uri=reference_uri)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def trusting(sender: str, *signers: SigningKey, require_signature: bool = False) -> CapTrust:
    return CapTrust(anchors=MappingProxyType({sender: tuple(signer.certificate for signer in signers)}),
                    require_signature=require_signature)
