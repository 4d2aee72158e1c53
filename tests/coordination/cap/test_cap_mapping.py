"""The CAP mapping: event and category choose the type, severity/urgency/certainty the severity,
the areas the location. Pure: alerts in, decisions out."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordination import InvalidInput
from coordination.cap import IncidentDraft, NotAnIncident, default_mapping, load_mapping, map_alert
from coordination.cap.model import Area, CapAlert, Circle, Info
from sop_engine import Severity


def alert(*, event="Flash flood", categories=("Met",), severity="Severe", urgency="Immediate",
          certainty="Observed", areas=None) -> CapAlert:
    ring = ((12.9, 77.5), (12.9, 77.6), (13.0, 77.6), (13.0, 77.5), (12.9, 77.5))
    areas = areas if areas is not None else (Area("Ward 5", (ring,), ()),)
    info = Info("en-IN", categories, event, urgency, severity, certainty, "Flooding", "", "", "IMD", areas)
    return CapAlert("id-1", "imd@example", "2026-07-01T09:00:00+05:30", "Actual", "Alert", "Public", (), (info,))


def test_event_and_category_choose_the_incident_type_and_the_polygon_the_place():
    decision = map_alert(alert(), default_mapping())
    assert isinstance(decision, IncidentDraft)
    assert (decision.incident_type, decision.severity) == ("flood", Severity.SEVERE)
    assert decision.longitude == pytest.approx(77.55) and decision.latitude == pytest.approx(12.95)


def test_a_circle_places_the_incident_at_its_centre():
    decision = map_alert(alert(event="Earthquake", categories=("Geo",),
                               areas=(Area("Epicentre", (), (Circle(12.97, 77.59, 10.0),)),)), default_mapping())
    assert (decision.incident_type, decision.longitude, decision.latitude) == ("earthquake", 77.59, 12.97)


def test_possible_certainty_lowers_the_severity_and_a_past_event_is_not_an_incident():
    assert map_alert(alert(certainty="Possible"), default_mapping()).severity is Severity.MODERATE
    assert isinstance(map_alert(alert(urgency="Past"), default_mapping()), NotAnIncident)


def test_an_alert_without_geometry_or_rule_is_not_an_incident_and_says_why():
    assert "polygon or circle" in map_alert(alert(areas=(Area("Somewhere", (), ()),)), default_mapping()).reason
    assert "no mapping rule" in map_alert(alert(event="Terror level", categories=("Security",)),
                                          default_mapping()).reason


def test_a_custom_mapping_file_is_checked(tmp_path: Path):
    good = tmp_path / "mapping.yaml"
    good.write_text("rules: [{categories: [Met], incident_type: waterlogging}]\n"
                    "severity: {Extreme: extreme, Severe: severe, Moderate: moderate, Minor: minor, Unknown: minor}\n"
                    "urgency: {Immediate: 1}\ncertainty: {Observed: 0}\n")
    decision = map_alert(alert(), load_mapping(good))
    assert (decision.incident_type, decision.severity) == ("waterlogging", Severity.EXTREME)
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("waterlogging", "alien_landing"))
    with pytest.raises(InvalidInput) as caught:
        load_mapping(bad)
    assert caught.value.field == "rules.0.incident_type"


def test_the_first_area_description_that_says_something_names_the_place():
    ring = ((12.9, 77.5), (12.9, 77.6), (13.0, 77.6), (13.0, 77.5), (12.9, 77.5))
    two = (Area("  ", (ring,), ()), Area(" Ward 5, Koramangala ", (), ()), Area("Ward 6", (), ()))
    assert map_alert(alert(areas=two), default_mapping()).place_name == "Ward 5, Koramangala"
    long = (Area("Low-lying wards " * 20, (ring,), ()),)
    assert len(map_alert(alert(areas=long), default_mapping()).place_name) == 200  # an incident's place name
