"""Reading CAP 1.2 XML safely, checked against the OASIS schema and the rules it cannot express.

The parser is lxml's with every door closed: no DTD loaded, no entity resolved, no network, no
resolver that answers, and a document that declares a DOCTYPE at all is refused (CAP needs none;
a DOCTYPE in an alert is an entity-expansion or external-entity attack, or a mistake).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from lxml import etree

from coordination.cap.model import CAP_NAMESPACE, Area, CapAlert, Circle, Info, Reference
from coordination.errors import InvalidInput

NS = {"cap": CAP_NAMESPACE}
MAX_ALERT_BYTES = 512 * 1024  # real alerts are a few kilobytes; signed ones with certificates tens
_DATETIME = re.compile(r"^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
_NAME_FORBIDDEN = re.compile(r"[\s,<&]")


class InvalidCapAlert(InvalidInput):
    """A CAP alert that is unsafe, not CAP 1.2, fails the schema or breaks a CAP rule."""


class _RefuseEverything(etree.Resolver):
    """Answers no request for an external document: the parser must never fetch or open one."""

    def resolve(self, url, public_id, context):  # noqa: ANN001 - lxml's signature
        raise InvalidCapAlert(f"external resource {url!r} refused", field="alert")


def safe_xml_parser() -> etree.XMLParser:
    """A new parser with every door closed (lxml parsers are not shared between threads)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_pis=True, collect_ids=False,
    )
    parser.resolvers.add(_RefuseEverything())
    return parser


@lru_cache(maxsize=1)
def cap_schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 schema, shipped with the package."""
    source = resources.files("coordination.cap").joinpath("cap12.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(source, safe_xml_parser()))


def parse_xml_safely(data: bytes) -> etree._Element:
    """Parse `data`, refusing DTDs, entities and anything external.

    Raises:
        InvalidCapAlert: not well-formed, too large, or carrying a DOCTYPE.
    """
    if len(data) > MAX_ALERT_BYTES:
        raise InvalidCapAlert(f"the alert is larger than {MAX_ALERT_BYTES} bytes", field="alert")
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, flags=re.IGNORECASE):
        raise InvalidCapAlert("a DOCTYPE or entity declaration is not accepted in a CAP alert "
                              "(entity expansion and external entities are refused)", field="alert")
    try:
        root = etree.fromstring(data, safe_xml_parser())
    except etree.XMLSyntaxError as error:
        raise InvalidCapAlert(f"not well-formed XML: {error}", field="alert") from None
    if root.getroottree().docinfo.doctype:
        raise InvalidCapAlert("a DOCTYPE is not accepted in a CAP alert", field="alert")
    return root


def validate_against_schema(root: etree._Element) -> None:
    """Raise `InvalidCapAlert` naming the first schema violation (line and element)."""
    if root.tag != f"{{{CAP_NAMESPACE}}}alert":
        raise InvalidCapAlert(f"the root element must be <alert> in namespace {CAP_NAMESPACE} (CAP 1.2); "
                              f"got {root.tag}", field="alert")
    schema = cap_schema()
    if not schema.validate(root):
        error = schema.error_log[0]
        message = error.message.replace(f"{{{CAP_NAMESPACE}}}", "")
        raise InvalidCapAlert(f"line {error.line}: {message}", field=_field_of(root, error))


def _field_of(root: etree._Element, error) -> str:  # noqa: ANN001 - lxml's _LogEntry
    """Name the offending element as a dotted path (alert.info.urgency): the one the schema
    expected when it names a required one that is missing, else the one it complained about."""
    required = [name for name in re.findall(r"\{[^}]*\}(\w+)", error.message.split("Expected is", 1)[-1])
                if "Expected is" in error.message]
    try:
        element = root.getroottree().xpath(error.path)[0] if error.path else None
    except (etree.XPathError, IndexError):
        element = None
    names = []
    while element is not None and isinstance(element.tag, str):
        names.append(etree.QName(element).localname)
        element = element.getparent()
    path = list(reversed(names)) or ["alert"]
    # The schema lists what it expected, optional elements first: the last is the required one.
    if "not expected" in error.message and required:
        path = path[:-1] + [required[-1]]
    elif "Missing child element" in error.message and required:
        path = path + [required[-1]]
    return ".".join(path)


def _text(element: etree._Element, name: str) -> str:
    found = element.find(f"cap:{name}", NS)
    return (found.text or "").strip() if found is not None else ""


def _texts(element: etree._Element, name: str) -> tuple[str, ...]:
    """The non-empty texts of the named children: the schema lets feeds send optional string
    elements empty (an NWS zone alert's `<polygon></polygon>`), and empty says nothing."""
    texts = ((found.text or "").strip() for found in element.findall(f"cap:{name}", NS))
    return tuple(text for text in texts if text)


def _pairs(element: etree._Element, name: str) -> tuple[tuple[str, str], ...]:
    """(valueName, value) of each named child (`eventCode`, `parameter`, `geocode`) with a value."""
    pairs = []
    for found in element.findall(f"cap:{name}", NS):
        value_name, value = _text(found, "valueName"), _text(found, "value")
        if value_name and value:
            pairs.append((value_name, value))
    return tuple(pairs)


def _polygon(text: str, where: str) -> tuple[tuple[float, float], ...]:
    try:
        pairs = tuple(tuple(float(value) for value in pair.split(",")) for pair in text.split())
    except ValueError:
        raise InvalidCapAlert("a polygon is whitespace-separated `latitude,longitude` pairs", field=where) from None
    if any(len(pair) != 2 for pair in pairs):
        raise InvalidCapAlert("a polygon is whitespace-separated `latitude,longitude` pairs", field=where)
    if len(pairs) < 4:
        raise InvalidCapAlert("a polygon needs at least four points", field=where)
    if pairs[0] != pairs[-1]:
        raise InvalidCapAlert("a polygon must end at its first point", field=where)
    for latitude, longitude in pairs:
        _check_coordinates(latitude, longitude, where)
    return pairs  # type: ignore[return-value]


def _circle(text: str, where: str) -> Circle:
    match = re.fullmatch(r"\s*([-+\d.eE]+)\s*,\s*([-+\d.eE]+)\s+([-+\d.eE]+)\s*", text)
    try:
        latitude, longitude, radius = (float(group) for group in match.groups()) if match else (None,) * 3
    except ValueError:
        latitude = None
    if latitude is None:
        raise InvalidCapAlert("a circle is `latitude,longitude radius_km`", field=where)
    _check_coordinates(latitude, longitude, where)
    if radius < 0:
        raise InvalidCapAlert("a circle's radius cannot be negative", field=where)
    return Circle(latitude, longitude, radius)


def _check_coordinates(latitude: float, longitude: float, where: str) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidCapAlert(f"({latitude}, {longitude}) is not a WGS 84 latitude, longitude", field=where)


def _references(text: str | None) -> tuple[Reference, ...]:
    """The alerts an alert refers to; an empty `<references/>` (which the schema allows) names none."""
    references = []
    for entry in (text or "").split():
        parts = entry.split(",")
        if len(parts) != 3 or not all(parts) or not _DATETIME.match(parts[2]):
            raise InvalidCapAlert(f"reference {entry!r} is not `sender,identifier,sent`", field="alert.references")
        references.append(Reference(*parts))
    return tuple(references)


def _check_rules(root: etree._Element) -> None:
    """CAP 1.2 rules the schema does not express."""
    for name in ("identifier", "sender"):
        if _NAME_FORBIDDEN.search(_text(root, name)) or not _text(root, name):
            raise InvalidCapAlert(f"<{name}> must be non-empty, without spaces, commas, < or &", field=f"alert.{name}")
    scope = _text(root, "scope")
    if scope == "Restricted" and not _text(root, "restriction"):
        raise InvalidCapAlert("a Restricted alert needs <restriction>", field="alert.restriction")
    if scope == "Private" and not _text(root, "addresses"):
        raise InvalidCapAlert("a Private alert needs <addresses>", field="alert.addresses")
    if _text(root, "msgType") in ("Update", "Cancel", "Ack", "Error") and not _text(root, "references"):
        raise InvalidCapAlert(f"a CAP {_text(root, 'msgType')} must name at least one earlier alert in "
                              "<references> (sender,identifier,sent)",
                              field="alert.references")


def parse_cap_alert(data: bytes) -> CapAlert:
    """Parse and check a CAP 1.2 alert.

    Raises:
        InvalidCapAlert: with the reason and, as `field`, the offending element.
    """
    root = parse_xml_safely(data)
    validate_against_schema(root)
    _check_rules(root)
    references_element = root.find("cap:references", NS)
    infos = []
    for info_index, info in enumerate(root.findall("cap:info", NS)):
        areas = []
        for area_index, area in enumerate(info.findall("cap:area", NS)):
            where = f"alert.info.{info_index}.area.{area_index}"
            areas.append(Area(
                description=_text(area, "areaDesc"),
                polygons=tuple(_polygon(text, f"{where}.polygon") for text in _texts(area, "polygon")),
                circles=tuple(_circle(text, f"{where}.circle") for text in _texts(area, "circle")),
                geocodes=_pairs(area, "geocode"),
            ))
        infos.append(Info(
            language=_text(info, "language") or "en-US", categories=_texts(info, "category"),
            event=_text(info, "event"), urgency=_text(info, "urgency"), severity=_text(info, "severity"),
            certainty=_text(info, "certainty"), headline=_text(info, "headline"),
            description=_text(info, "description"), instruction=_text(info, "instruction"),
            sender_name=_text(info, "senderName"), areas=tuple(areas),
            event_codes=_pairs(info, "eventCode"), parameters=_pairs(info, "parameter"),
        ))
    return CapAlert(
        identifier=_text(root, "identifier"), sender=_text(root, "sender"), sent=_text(root, "sent"),
        status=_text(root, "status"), msg_type=_text(root, "msgType"), scope=_text(root, "scope"),
        references=_references(references_element.text or "" if references_element is not None else None),
        infos=tuple(infos),
    )
