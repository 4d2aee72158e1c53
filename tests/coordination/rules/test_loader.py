"""Rule files: validated like SOP files, every mistake reported as `file:line: message`."""

from __future__ import annotations

import pytest

from coordination.rules import (
    AlertOfficer,
    Correlation,
    DeclareIncident,
    Direction,
    RuleDefinitionError,
    RuleRef,
    Threshold,
    load_rule_file,
    load_rule_text,
    rule_json_schema,
    shipped_rule_texts,
    shipped_rules,
)
from sop_engine import Severity, SopDefinitionError

GOOD = """\
id: river
version: 3
title: River over its danger mark
sensors: {kind: water_level, unit: m}
threshold: {above: 2.0, clear_at: 1.6, for: 10m}
bands: {severe: 2.5, extreme: 3.0}
declare: {incident_type: flood, severity: moderate, description: "River over its mark"}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(RuleDefinitionError) as caught:
        load_rule_text(text, source="rule.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_rule_loads_into_a_frozen_versioned_definition():
    rule = load_rule_text(GOOD, source="rule.yaml")
    assert rule.ref == RuleRef("river", 3) and str(rule.ref) == "river@v3"
    assert rule.condition == Threshold(Direction.ABOVE, 2.0, 1.6, 600)
    assert rule.action == DeclareIncident("flood", Severity.MODERATE, "River over its mark")
    assert [(band.severity, band.level) for band in rule.bands] == [(Severity.SEVERE, 2.5), (Severity.EXTREME, 3.0)]
    with pytest.raises(AttributeError):
        rule.unit = "cm"  # type: ignore[misc]


def test_a_rule_error_is_an_sop_definition_error_so_every_reader_of_those_reads_it():
    assert issubclass(RuleDefinitionError, SopDefinitionError)


@pytest.mark.parametrize(("change", "expected"), [
    (("threshold: {above: 2.0, clear_at: 1.6, for: 10m}\n", ""), "rule.yaml:1: a rule has exactly one condition"),
    (("threshold: {above: 2.0, clear_at: 1.6, for: 10m}\n",
      "threshold: {above: 2.0, clear_at: 1.6}\nrate: {drop: 1, within: 5m}\n"),
     "found: threshold, rate"),
    (("clear_at: 1.6", "clear_at: 2.4"), "rule.yaml:5: threshold.clear_at: must be below `above` (2)"),
    (("severe: 2.5, extreme: 3.0", "severe: 3.5, extreme: 3.0"),
     "rule.yaml:6: bands.extreme: a more severe band needs a higher level than severe (3.5)"),
    (("severe: 2.5", "severe: 1.5"), "rule.yaml:6: bands.severe: 1.5 is on the good side of the level that raises"),
    (("incident_type: flood", "incident_type: tsunami"), "rule.yaml:7: declare.incident_type: unknown incident type 'tsunami'"),
    (("for: 10m", "for: ten minutes"), "rule.yaml:5: threshold.for:"),
    (("title: River over its danger mark\n", "title: River\ncolour: blue\n"), "rule.yaml:4: colour: unknown key 'colour'"),
    (("{above: 2.0, clear_at", "{above: 2.0, below: 1, clear_at"), "give exactly one of `above` and `below`"),
    (("kind: water_level", "kind: '*'"), "rule.yaml:4: sensors.kind: `*` (every kind) is for stale rules"),
    (("version: 3", "version: 0"), "rule.yaml:2: version:"),
    (("declare: {", "declare: [{"), "rule.yaml:8: YAML syntax error"),
])
def test_each_mistake_is_reported_at_its_line(change, expected):
    old, new = change
    assert old in GOOD
    found = problems(GOOD.replace(old, new))
    assert any(expected in problem for problem in found), found


def test_a_stale_rule_gives_maintenance_or_an_alert_never_an_incident_or_a_band():
    found = problems("""\
id: stale
version: 1
title: Silent
sensors: {kind: "*"}
stale: {missed_intervals: 3}
bands: {severe: 1}
declare: {incident_type: flood}
""")
    assert "rule.yaml:6: bands: a stale rule has no reading to take a severity from" in found
    assert "rule.yaml:7: declare: a silent sensor is not an incident: use `maintenance` or `alert`" in found


def test_a_correlation_rule_reads_its_marks_and_an_alert_rule_has_no_bands():
    rule = load_rule_text("""\
id: cluster
version: 1
title: Drains
sensors: {kind: water_level, unit: m}
correlation: {above: 0.6, at_least: 3, within_m: 800, within: 20m, marks: {d7: 0.4}}
alert: {message: "Several drains high"}
""")
    assert rule.condition == Correlation(Direction.ABOVE, 0.6, 3, 800.0, 1200, (("d7", 0.4),))
    assert rule.action == AlertOfficer("Several drains high") and not rule.is_per_sensor
    with_bands = problems("""\
id: cluster
version: 1
title: Drains
sensors: {kind: water_level, unit: m}
correlation: {above: 0.6, at_least: 1, within_m: 800, within: 20m}
bands: {severe: 1.0}
alert: {message: "Several drains high"}
""")
    assert any("rule.yaml:5: correlation.at_least:" in problem for problem in with_bands), with_bands


def test_an_unreadable_file_names_the_file(tmp_path):
    with pytest.raises(RuleDefinitionError) as caught:
        load_rule_file(tmp_path / "missing.yaml")
    assert "missing.yaml:0: cannot read the file" in str(caught.value)


def test_every_shipped_rule_loads_and_is_named_by_its_id():
    for name, text in shipped_rule_texts().items():
        rule = load_rule_text(text, source=name)
        assert name == f"{rule.ref.rule_id}.yaml"
    assert len(shipped_rules()) >= 7


def test_the_rule_schema_names_every_condition_and_action():
    properties = rule_json_schema()["properties"]
    assert {"threshold", "rate", "correlation", "stale", "declare", "alert", "maintenance", "bands"} <= set(properties)


def test_a_correlations_clear_level_must_be_on_the_good_side_of_its_mark():
    text = """id: drains
version: 1
title: Drains
sensors: {kind: water_level, unit: m}
correlation: {above: 0.6, clear_at: 0.7, at_least: 3, within_m: 1000, within: 30m}
declare: {incident_type: flood, severity: moderate}
"""
    with pytest.raises(RuleDefinitionError) as refused:
        load_rule_text(text, source="drains.yaml")
    assert "drains.yaml:5: correlation.clear_at: must be below `above` (0.6)" in str(refused.value)
