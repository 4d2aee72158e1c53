"""The words SOPs and incidents share: severities, agency roles and incident types.

They live in the SOP engine because its validator must reject unknown roles and types; the
coordination service uses the same enums for its columns and its API.
"""

from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    """Incident severity, on the CAP 1.2 scale (Unknown is not accepted for incidents)."""

    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"
    EXTREME = "extreme"

    @property
    def rank(self) -> int:
        """Order of seriousness, 0 for minor; SOP triggers and conditions compare ranks."""
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = [Severity.MINOR, Severity.MODERATE, Severity.SEVERE, Severity.EXTREME]


class AgencyRole(str, Enum):
    """The kind of agency an SOP step addresses; routing resolves it to a concrete agency."""

    POLICE = "police"
    FIRE = "fire"
    HEALTH = "health"
    ELECTRICITY = "electricity"
    GAS = "gas"
    WATER = "water"
    MUNICIPAL = "municipal"
    TRAFFIC = "traffic"
    DISASTER_MANAGEMENT = "disaster_management"
    DISTRICT_ADMINISTRATION = "district_administration"
    HEALTH_SURVEILLANCE = "health_surveillance"
    POLLUTION_CONTROL = "pollution_control"
    FOREST = "forest"
    TELECOM = "telecom"


class EscalationTarget(str, Enum):
    """A rung of an escalation ladder: whom a missed deadline is raised to."""

    AGENCY_SUPERVISOR = "agency_supervisor"
    AGENCY_HEAD = "agency_head"
    DUTY_OFFICER = "duty_officer"
    DISTRICT_AUTHORITY = "district_authority"


INCIDENT_TYPES: frozenset[str] = frozenset(
    {
        "flood",
        "waterlogging",
        "building_fire",
        "building_collapse",
        "gas_leak",
        "power_outage",
        "water_main_burst",
        "water_contamination",
        "road_accident",
        "medical_emergency",
        "traffic_signal_failure",
        "gridlock",
        "crowd_surge",
        "heat_wave",
        "disease_outbreak",
        "chemical_accident",
        "tree_fall",
        "cyclone_warning",
        "heavy_rain_warning",
        "earthquake",
        "air_pollution",
        "panic_alarm",
    }
)


UNIT_TYPES: dict[str, AgencyRole] = {
    "fire_engine": AgencyRole.FIRE,
    "ladder": AgencyRole.FIRE,
    "rescue_tender": AgencyRole.FIRE,
    "hazmat_unit": AgencyRole.FIRE,
    "ambulance": AgencyRole.HEALTH,
    "als_ambulance": AgencyRole.HEALTH,
    "medical_team": AgencyRole.HEALTH,
    "police_patrol": AgencyRole.POLICE,
    "traffic_unit": AgencyRole.TRAFFIC,
    "tow_truck": AgencyRole.TRAFFIC,
    "rescue_boat": AgencyRole.DISASTER_MANAGEMENT,
    "rescue_team": AgencyRole.DISASTER_MANAGEMENT,
    "electricity_crew": AgencyRole.ELECTRICITY,
    "gas_crew": AgencyRole.GAS,
    "water_tanker": AgencyRole.WATER,
    "water_crew": AgencyRole.WATER,
    "pump": AgencyRole.MUNICIPAL,
    "earth_mover": AgencyRole.MUNICIPAL,
    "tree_cutting_crew": AgencyRole.MUNICIPAL,
    "surveillance_team": AgencyRole.HEALTH_SURVEILLANCE,
}
"""Unit types an SOP's dispatch step may ask for, each with the kind of agency that owns them.

The validator rejects other names; until units of a type are registered with the dispatch
service, a dispatch step becomes a task for the owning agency.
"""


class FieldKind(str, Enum):
    """How an incident field is compared in a `when:` condition."""

    CHOICE = "choice"
    """One of a fixed set of words; == and != and `in`."""
    SEVERITY = "severity"
    """A severity; ordered comparisons follow the CAP scale."""
    COUNT = "count"
    """A number of people or things; any comparison. Not reported counts as 0."""
    FLAG = "flag"
    """True or false; a bare field means `== true`. Not reported counts as false."""


INCIDENT_FIELDS: dict[str, FieldKind] = {
    "type": FieldKind.CHOICE,
    "severity": FieldKind.SEVERITY,
    "is_exercise": FieldKind.FLAG,
    "casualties": FieldKind.COUNT,
    "people_trapped": FieldKind.COUNT,
    "people_affected": FieldKind.COUNT,
    "hazardous_material": FieldKind.FLAG,
    "mass_gathering": FieldKind.FLAG,
}
"""The incident fields an SOP's conditions may read (as `incident.<name>`)."""

INCIDENT_DETAIL_FIELDS: tuple[str, ...] = (
    "casualties",
    "people_trapped",
    "people_affected",
    "hazardous_material",
    "mass_gathering",
)
"""The fields a report may carry beyond type and severity (its `details`)."""

FIELD_CHOICES: dict[str, frozenset[str]] = {"type": INCIDENT_TYPES}
"""The allowed words of each choice field."""


def units_by_owner(units: tuple[tuple[str, int], ...]) -> dict[AgencyRole, list[tuple[str, int]]]:
    """Group a dispatch step's (unit type, count) pairs by the agency role that owns each type,
    in the order written: what a dispatch step asks of each agency when it goes by task."""
    grouped: dict[AgencyRole, list[tuple[str, int]]] = {}
    for unit_type, count in units:
        grouped.setdefault(UNIT_TYPES[unit_type], []).append((unit_type, count))
    return grouped
