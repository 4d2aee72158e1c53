"""From a CAP alert to an incident: pure, with a configurable mapping.

The sender's event codes (`<eventCode>`: SAME, AEMET's phenomena, MeteoAlarm's awareness types)
choose the incident type first; failing those, keyword rules on the event, per language, and the
category. Severity sets the severity, urgency and certainty move it up or down (or say "not an
incident": a past event, an unlikely one). The areas' polygons, circles and the geocodes the centre
knows give the location, inside the centre's territory (an alert wholly outside it is
`OutsideTerritory`), and the first area's description (`<areaDesc>`) its name in words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from shapely import affinity
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from coordination.cap.geocodes import GeocodeTable
from coordination.cap.model import CapAlert, Circle, Info
from coordination.errors import InvalidInput
from coordination.incidents import PLACE_NAME_MAX_LENGTH
from sop_engine import INCIDENT_TYPES, Severity

Step = int | Literal["ignore"]
_ORDER = [Severity.MINOR, Severity.MODERATE, Severity.SEVERE, Severity.EXTREME]
CAP_CATEGORIES = {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
                  "CBRNE", "Other"}


RECORD_ONLY = "record"
"""In place of an incident type: the event has no SOP here (a wind warning); the alert is recorded
and a person decides."""


def _checked_target(value: str) -> str:
    if value != RECORD_ONLY and value not in INCIDENT_TYPES:
        raise ValueError(f"unknown incident type {value!r} (or `{RECORD_ONLY}` for no incident)")
    return value


def _checked_pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"not a regular expression: {error}") from None
    return value


def language_keys(language: str) -> tuple[str, ...]:
    """The keys a `<language>` (RFC 3066, `es-ES`) is looked up by: itself, its primary
    language (`es`), then `any`."""
    tag = language.strip().lower() or "en-us"
    return tuple(dict.fromkeys((tag, tag.split("-")[0], "any")))


class MappingRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: str | dict[str, str] | None = None
    """A pattern (case-insensitive regular expression) for `<event>` in any language, or one per
    language: `{en: "wind|gale", es: "viento"}`, chosen by the info block's `<language>` (`es-ES`
    takes `es-ES`, else `es`, else `any`); a language with no pattern does not match."""
    categories: list[str] = Field(default_factory=list)
    incident_type: str

    @field_validator("event")
    @classmethod
    def _pattern(cls, value: str | dict[str, str] | None) -> str | dict[str, str] | None:
        if isinstance(value, dict):
            return {language.strip().lower(): _checked_pattern(pattern) for language, pattern in value.items()}
        return _checked_pattern(value) if value is not None else None

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        unknown = set(value) - CAP_CATEGORIES
        if unknown:
            raise ValueError(f"not CAP categories: {', '.join(sorted(unknown))}")
        return value

    @field_validator("incident_type")
    @classmethod
    def _type(cls, value: str) -> str:
        return _checked_target(value)

    @model_validator(mode="after")
    def _something_to_match(self) -> MappingRule:
        if self.event is None and not self.categories:
            raise ValueError("a rule needs an event pattern or categories")
        return self

    def pattern_for(self, language: str) -> str | None:
        if not isinstance(self.event, dict):
            return self.event
        return next((self.event[key] for key in language_keys(language) if key in self.event), None)

    def matches(self, info: Info) -> bool:
        if self.event is not None:
            pattern = self.pattern_for(info.language)
            if pattern is None or not re.search(pattern, info.event, flags=re.IGNORECASE):
                return False
        return not self.categories or bool(set(self.categories) & set(info.categories))


class CapMapping(BaseModel):
    """The configurable mapping (see `mapping.yaml` beside this module for the default)."""

    model_config = ConfigDict(extra="forbid")

    event_codes: dict[str, dict[str, str]] = Field(default_factory=dict)
    """valueName -> code -> incident type (or `record`), tried before the keyword rules. A code
    matches an `<eventCode>` (or `<parameter>`) value whole or as the part before its first `;`
    (AEMET's `VI;vientos`, MeteoAlarm's `1; Wind`); valueNames are compared without case, codes
    with it (a code list may use case to tell codes apart)."""
    rules: list[MappingRule]
    severity: dict[Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"], Severity]
    urgency: dict[Literal["Immediate", "Expected", "Future", "Past", "Unknown"], Step]
    certainty: dict[Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"], Step]

    @field_validator("event_codes")
    @classmethod
    def _event_codes(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        table: dict[str, dict[str, str]] = {}
        for value_name, codes in value.items():
            for code, target in codes.items():
                _checked_target(target)
            table.setdefault(value_name.strip().casefold(), {}).update(
                {str(code).strip(): target for code, target in codes.items()})
        return table

    def by_event_code(self, info: Info) -> tuple[str, str] | None:
        """(incident type or `record`, which code said so) from the first listed code the info
        block carries: its `<eventCode>`s first, then its `<parameter>`s."""
        for value_name, value in (*info.event_codes, *info.parameters):
            codes = self.event_codes.get(value_name.strip().casefold())
            if not codes:
                continue
            for candidate in dict.fromkeys((value.strip(), value.split(";", 1)[0].strip())):
                if candidate in codes:
                    return codes[candidate], f"{value_name} {value.strip()}"
        return None

    def by_keywords(self, info: Info) -> tuple[str, str] | None:
        """(incident type or `record`, what matched) from the first keyword rule that matches."""
        rule = next((rule for rule in self.rules if rule.matches(info)), None)
        if rule is None:
            return None
        said = f"event {info.event!r}" if rule.event is not None else f"category {', '.join(info.categories)}"
        return rule.incident_type, said


def load_mapping(path: Path | None = None) -> CapMapping:
    """Read a mapping file (YAML), or the shipped default.

    Raises:
        InvalidInput: the file is not a valid mapping; `field` names where.
    """
    text = path.read_text(encoding="utf-8") if path else \
        resources.files("coordination.cap").joinpath("mapping.yaml").read_text(encoding="utf-8")
    try:
        return CapMapping.model_validate(yaml.safe_load(text))
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(f"{path or 'mapping.yaml'}: {where}: {first['msg']}", field=where) from None


@lru_cache(maxsize=1)
def default_mapping() -> CapMapping:
    return load_mapping()


@dataclass(frozen=True)
class IncidentDraft:
    """What the alert says happened, where, and how badly."""

    incident_type: str
    severity: Severity
    longitude: float
    latitude: float
    place_name: str | None
    """The first `<areaDesc>` of the info block, as the sender wrote it ("Ward 5, Koramangala")."""
    description: str
    sender_name: str
    info_index: int
    matched_by: str = ""
    """What chose the type: an event code (`SAME HUW`), the event's words or its category."""
    placed_by: str = ""
    """What placed it: `polygon`, `circle`, or the geocodes the centre knows (`geocode UGC CAZ376`)."""


@dataclass(frozen=True)
class NotAnIncident:
    reason: str


@dataclass(frozen=True)
class OutsideTerritory(NotAnIncident):
    """Every area of the alert lies outside the centre's territory: recorded, never acted on."""


KM_PER_DEGREE = 111.32
"""Along a meridian; a circle's east-west extent shrinks with the cosine of its latitude."""


def _disc(circle: Circle) -> BaseGeometry:
    if circle.radius_km <= 0:
        return Point(circle.longitude, circle.latitude)
    # Close enough for a few hundred kilometres, which is what "does it touch the territory" needs.
    degrees_east = circle.radius_km / (KM_PER_DEGREE * max(0.01, math.cos(math.radians(circle.latitude))))
    return affinity.scale(Point(circle.longitude, circle.latitude).buffer(1.0, 32),
                          xfact=degrees_east, yfact=circle.radius_km / KM_PER_DEGREE)


def _polygons(info: Info) -> BaseGeometry | None:
    polygons = [Polygon([(longitude, latitude) for latitude, longitude in ring])
                for area in info.areas for ring in area.polygons]
    polygons = [polygon if polygon.is_valid else polygon.buffer(0) for polygon in polygons]
    polygons = [polygon for polygon in polygons if not polygon.is_empty]
    return unary_union(polygons) if polygons else None


def _known_geocodes(info: Info, geocodes: GeocodeTable) -> tuple[BaseGeometry | None, tuple[str, ...]]:
    """The union of the areas whose codes the centre's table knows, and those codes."""
    known = [(f"{name} {value}", geocodes.area_of(name, value)) for area in info.areas for name, value in area.geocodes]
    known = [(code, geometry) for code, geometry in known if geometry is not None]
    if not known:
        return None, ()
    return unary_union([geometry for _code, geometry in known]), tuple(code for code, _geometry in known)


def footprint(info: Info, geocodes: GeocodeTable = GeocodeTable()) -> BaseGeometry | None:
    """Everything the info block's areas cover, as far as the engine can tell: polygons, circles
    and the areas of geocodes the centre knows; None when it cannot tell at all."""
    parts = [part for part in (_polygons(info), _known_geocodes(info, geocodes)[0]) if part is not None]
    parts += [_disc(circle) for area in info.areas for circle in area.circles]
    return unary_union(parts) if parts else None


def _point_in(area: BaseGeometry) -> tuple[float, float]:
    centre = area.centroid
    point = centre if area.contains(centre) else area.representative_point()
    return point.x, point.y


def location_of(info: Info, geocodes: GeocodeTable = GeocodeTable(),
                territory: BaseGeometry | None = None) -> tuple[float, float, str] | None:
    """(longitude, latitude, what placed it) for the info block's areas, inside the territory if
    one is given: inside the union of its polygons, else the first circle's centre, else inside the
    areas of the geocodes the centre knows. None when nothing places it (or, with a territory,
    nothing of it lies inside)."""
    def within(area: BaseGeometry) -> BaseGeometry | None:
        if territory is None:
            return area
        part = area.intersection(territory)
        return None if part.is_empty else part

    polygons = _polygons(info)
    if polygons is not None:
        part = within(polygons)
        if part is not None:
            return (*_point_in(part), "polygon")
    for area in info.areas:
        for circle in area.circles:
            if territory is None or territory.intersects(Point(circle.longitude, circle.latitude)):
                return circle.longitude, circle.latitude, "circle"
            part = within(_disc(circle))
            if part is not None:
                return (*_point_in(part), "circle")
    coded, codes = _known_geocodes(info, geocodes)
    if coded is not None:
        part = within(coded)
        if part is not None:
            return (*_point_in(part), f"geocode {', '.join(codes)}")
    return None


def place_name_of(info: Info) -> str | None:
    """The first area's description that says something, cut to an incident's place-name length."""
    return next((area.description.strip()[:PLACE_NAME_MAX_LENGTH] for area in info.areas if area.description.strip()),
                None)


def _shift(severity: Severity, steps: int) -> Severity:
    index = min(len(_ORDER) - 1, max(0, _ORDER.index(severity) + steps))
    return _ORDER[index]


def map_alert(alert: CapAlert, mapping: CapMapping, *, geocodes: GeocodeTable = GeocodeTable(),
              territory: BaseGeometry | None = None) -> IncidentDraft | NotAnIncident:
    """Decide which incident, if any, the alert describes (its first <info> block that maps).
    Event codes decide before keywords: a code is the sender's own classification, a keyword a guess
    from words in one language. With a `territory`, an alert whose areas all lie outside it is
    `OutsideTerritory`, and an incident is placed inside it."""
    if territory is not None:
        footprints = [area for area in (footprint(info, geocodes) for info in alert.infos) if area is not None]
        if footprints and not any(area.intersects(territory) for area in footprints):
            return OutsideTerritory("its areas lie wholly outside the centre's territory"
                                    f" ({_describe_areas(alert)}): recorded only")
    reasons = []
    for index, info in enumerate(alert.infos):
        chosen = mapping.by_event_code(info) or mapping.by_keywords(info)
        if chosen is None:
            codes = ", ".join(f"{name} {value}" for name, value in info.event_codes)
            reasons.append(f"no mapping rule matches event {info.event!r} ({', '.join(info.categories)})"
                           + (f" or event code {codes}" if codes else ""))
            continue
        incident_type, matched_by = chosen
        if incident_type == RECORD_ONLY:
            reasons.append(f"{matched_by} is mapped to no incident type (recorded for a person to judge)")
            continue
        urgency, certainty = mapping.urgency.get(info.urgency, 0), mapping.certainty.get(info.certainty, 0)
        if urgency == "ignore" or certainty == "ignore":
            reasons.append(f"urgency {info.urgency} / certainty {info.certainty}: not an incident to act on")
            continue
        location = location_of(info, geocodes, territory)
        if location is None:
            unknown = ", ".join(f"{name} {value}" for area in info.areas for name, value in area.geocodes)
            reasons.append("its areas carry no polygon or circle" + (
                f", and the centre's geocode table knows none of {unknown}," if unknown else "")
                + " to place an incident")
            continue
        severity = _shift(mapping.severity.get(info.severity, Severity.MODERATE), int(urgency) + int(certainty))
        text = "\n\n".join(part for part in (info.headline, info.description, info.instruction) if part)
        return IncidentDraft(incident_type=incident_type, severity=severity, longitude=location[0],
                             latitude=location[1], place_name=place_name_of(info),
                             description=f"CAP {alert.msg_type} from {alert.sender}: {text}"[:4000],
                             sender_name=(info.sender_name or alert.sender)[:200], info_index=index,
                             matched_by=matched_by, placed_by=location[2])
    if not alert.infos:
        reasons.append("it has no <info> block")
    return NotAnIncident("; ".join(dict.fromkeys(reasons)))


def _describe_areas(alert: CapAlert) -> str:
    names = list(dict.fromkeys(area.description.strip() for info in alert.infos for area in info.areas
                               if area.description.strip()))
    text = "; ".join(names[:3]) + ("; ..." if len(names) > 3 else "")
    return text[:200] or "no area named"
