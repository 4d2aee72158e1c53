"""Event mapping as national feeds classify their alerts: the sender's event codes decide before
any keyword, and keywords are read in the info block's own language, so a Spanish cyclone warning
is a cyclone and a wind warning, in any language, is never heavy rain."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordination import InvalidInput
from coordination.cap import IncidentDraft, NotAnIncident, default_mapping, load_mapping, map_alert, parse_cap_alert
from tests.conftest import shared_file
from tests.coordination.cap.feeds import feed_alert


def mapped(data: bytes, mapping=None):
    return map_alert(parse_cap_alert(data), mapping or default_mapping())


def test_a_spanish_cyclone_warning_maps_to_a_cyclone_by_its_spanish_words():
    decision = mapped(feed_alert("ciclon_tropical.xml"))
    assert isinstance(decision, IncidentDraft)
    assert (decision.incident_type, decision.severity.value) == ("cyclone_warning", "extreme")
    assert decision.matched_by == "event 'Ciclón tropical'"


def test_a_wind_warning_is_not_heavy_rain_by_its_event_code():
    decision = mapped(feed_alert("aemet_vientos.xml"))
    assert isinstance(decision, NotAnIncident)
    assert "AEMET-Meteoalerta fenomeno VI;vientos is mapped to no incident type" in decision.reason


def test_a_wind_warning_without_a_code_is_not_heavy_rain_by_its_words_in_its_language():
    without_code = feed_alert("aemet_vientos.xml").replace(b"AEMET-Meteoalerta fenomeno", b"other-list")
    decision = mapped(without_code)
    assert isinstance(decision, NotAnIncident) and "event 'Aviso de vientos de nivel amarillo'" in decision.reason
    english = mapped(feed_alert("nws_high_wind.xml").replace(b"<valueName>SAME", b"<valueName>X-SAME")
                     .replace(b"<valueName>NationalWeatherService", b"<valueName>X-NWS"))
    assert isinstance(english, NotAnIncident) and "event 'High Wind Warning'" in english.reason


def test_the_event_code_decides_before_the_words():
    # The words say thunderstorm (heavy rain); the SAME code says high wind, and wins.
    stormy = feed_alert("nws_high_wind.xml").replace(b"<event>High Wind Warning", b"<event>Severe Thunderstorm Warning")
    decision = mapped(stormy)
    assert isinstance(decision, NotAnIncident) and decision.reason.startswith("SAME HWW is mapped")
    # A flash flood code places nothing here (zones only) but is read as a flood first.
    flood = feed_alert("nws_flash_flood.xml").replace(b"<polygon></polygon>",
                                                      b"<polygon>34.2,-118.6 34.2,-118.3 34.4,-118.3 34.2,-118.6</polygon>")
    assert (mapped(flood).incident_type, mapped(flood).matched_by) == ("flood", "SAME FFW")


def test_meteoalarm_awareness_types_are_codes_too():
    alert = feed_alert("aemet_vientos.xml").replace(b"AEMET-Meteoalerta fenomeno", b"other-list").replace(
        b"<valueName>AEMET-Meteoalerta nivel</valueName>\n      <value>amarillo</value>",
        b"<valueName>awareness_type</valueName>\n      <value>10; Rain</value>")
    decision = mapped(alert)
    assert (decision.incident_type, decision.matched_by) == ("heavy_rain_warning", "awareness_type 10; Rain")


def test_french_keywords_read_a_french_block():
    canada = parse_cap_alert(shared_file("cap/canada.cap").read_bytes())
    french = [info for info in canada.infos if info.language.startswith("fr")]
    assert french and french[0].event == "orages"
    assert default_mapping().by_keywords(french[0]) == ("heavy_rain_warning", "event 'orages'")


def test_a_pattern_given_for_one_language_does_not_match_another(tmp_path: Path):
    path = tmp_path / "mapping.yaml"
    path.write_text("event_codes: {SAME: {HWW: tree_fall}}\n"
                    "rules: [{event: {es: 'ciclón'}, incident_type: cyclone_warning}]\n"
                    "severity: {Extreme: extreme, Severe: severe, Moderate: moderate, Minor: minor, Unknown: minor}\n"
                    "urgency: {Immediate: 0}\ncertainty: {Observed: 0}\n", encoding="utf-8")
    mapping = load_mapping(path)
    assert mapped(feed_alert("ciclon_tropical.xml"), mapping).incident_type == "cyclone_warning"
    english = feed_alert("ciclon_tropical.xml").replace(b"<language>es-MX", b"<language>en-US")
    assert "no mapping rule matches event 'Ciclón tropical'" in mapped(english, mapping).reason
    assert mapping.by_event_code(parse_cap_alert(feed_alert("nws_high_wind.xml")).infos[0]) == (
        "tree_fall", "SAME HWW")


@pytest.mark.parametrize("text, field", [
    ("event_codes: {SAME: {HWW: gale_force}}\n", "event_codes"),
    ("rules: [{event: {es: '(unclosed'}, incident_type: flood}]\n", "rules.0.event"),
])
def test_a_bad_mapping_file_names_where(tmp_path: Path, text, field):
    base = ("severity: {Extreme: extreme, Severe: severe, Moderate: moderate, Minor: minor, Unknown: minor}\n"
            "urgency: {Immediate: 0}\ncertainty: {Observed: 0}\n")
    path = tmp_path / "mapping.yaml"
    path.write_text(text + ("" if "rules" in text else "rules: [{categories: [Met], incident_type: flood}]\n") + base)
    with pytest.raises(InvalidInput) as caught:
        load_mapping(path)
    assert caught.value.field.startswith(field)
