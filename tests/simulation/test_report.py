"""The drill report a planner presents: a summary first, KPIs in words, a legend for every colour."""

from __future__ import annotations

import csv

import pytest

from simulation import load_scenario, replication_kpis, run_drill, summarise, write_report
from simulation.report import MAX_LINES, plot_busy, plot_incidents, plot_map, plot_responses
from simulation.runner import InlineExecutor
from simulation.scenario_devices import DeviceBehaviour, DeviceBehaviours
from tests.simulation.conftest import SCENARIOS


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    from simulation import load_scenario
    from tests.simulation.conftest import SMALL_CITY

    path = tmp_path_factory.mktemp("city") / "city.yaml"
    path.write_text(SMALL_CITY.replace("engine: services", "engine: runtime").replace("replications: 2", "replications: 5")
                    + "targets: {response_mean: 8m}\n", encoding="utf-8")
    scenario = load_scenario(path)
    records = run_drill(scenario, executor=InlineExecutor())
    return scenario, records, summarise([replication_kpis(r) for r in records])


def test_the_report_opens_with_the_headline_kpis_their_units_and_targets_then_what_breaks_first(drill, tmp_path):
    scenario, records, summaries = drill
    page = write_report(folder=tmp_path, scenario=scenario, records=records, summaries=summaries,
                        stations=[]).read_text(encoding="utf-8")
    summary, detail = page.index('id="summary"'), page.index("<h2>Detail</h2>")
    assert summary < page.index('id="breaks-first"') < detail < page.index("<img")
    head = page[summary:detail]
    assert "Mean response time (declared to first unit on scene)</td><td>" in head
    assert " min (95%: " in head and "<td>at most 8.0 min</td>" in head  # unit, interval, the scenario's target
    assert "Tasks acknowledged within the SOP&#x27;s deadline</td>" in head and "<td>100%</td>" in head
    assert "none set (targets: in the scenario)" in head  # the 90th percentile has no target here
    assert "Hour: " in head and "of the drill" in head
    assert "ack_in_time.share |" not in head  # words, not names, on the first screen


def test_every_colour_of_every_plot_is_in_a_legend(drill):
    _scenario, records, _summaries = drill
    many = [r.__class__(**{**{f: getattr(r, f) for f in r.__struct_fields__}, "replication": k})
            for k in range(MAX_LINES + 2) for r in records[:1]]
    for figure in (plot_responses(records), plot_incidents(records), plot_busy(records), plot_incidents(many),
                   plot_busy(many), plot_map(records, [("north", 77.592, 12.974)])):
        (axes,) = figure.axes
        drawn = [a for a in (*axes.lines, *axes.patches, *axes.collections) if not a.get_label().startswith("_")]
        legend = axes.get_legend()
        assert legend is not None, axes.get_title()
        assert {t.get_text() for t in legend.get_texts()} == {a.get_label() for a in drawn}, axes.get_title()
        assert len(legend.get_texts()) <= MAX_LINES + 2


def test_the_map_is_drawn_over_the_drill_citys_streets(drill, tmp_path):
    from matplotlib.collections import LineCollection

    from coordination.dispatch_service import RoadMap
    from simulation.city import build_city

    scenario, records, summaries = drill
    city = build_city(scenario)
    streets = RoadMap.of(city.network)
    figure = plot_map(records, [(s.station_id, s.lon, s.lat) for s in city.stations], streets)
    (axes,) = figure.axes
    drawn = [c for c in axes.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in drawn) == len(streets.ends)  # every street, none left out
    west, south, east, north = streets.bounds
    assert axes.get_xlim() == (west, east) and axes.get_ylim() == (south, north)
    assert "streets (dispatch network)" in {t.get_text() for t in axes.get_legend().get_texts()}
    write_report(folder=tmp_path, scenario=scenario, records=records, summaries=summaries, stations=[],
                 streets=streets)
    assert (tmp_path / "map.png").stat().st_size > 20_000  # a picture of streets, not empty axes


def test_a_drill_with_gauges_and_devices_reports_the_rules_and_the_commands_first(tmp_path):
    """The cloudburst drill: the report's first screen says how many incidents the rules declared and
    how the devices answered; the commands and rule firings have their own CSV files."""
    scenario = load_scenario(SCENARIOS / "cloudburst.yaml").model_copy(update={"duration": 3600.0, "replications": 2})
    scenario = scenario.model_copy(update={"behaviour": scenario.behaviour.model_copy(update={
        "devices": DeviceBehaviours(default=DeviceBehaviour(failure=0.5))})})
    records = run_drill(scenario, executor=InlineExecutor())
    page = write_report(folder=tmp_path, scenario=scenario, records=records,
                        summaries=summarise([replication_kpis(r) for r in records]), stations=[]).read_text("utf-8")
    head = page[page.index('id="summary"'):page.index("<h2>Detail</h2>")]
    assert "<td>Incidents declared by trigger rules</td><td>1.0 " in head
    assert "<td>Device commands confirmed within the step&#x27;s deadline</td>" in head
    assert "<li>Devices: " in head and " commands are confirmed within the step&#x27;s deadline least often: " in head
    with (tmp_path / "commands.csv").open(encoding="utf-8") as handle:
        assert {row["status"] for row in csv.DictReader(handle)} == {"confirmed", "failed"}
    with (tmp_path / "rule_firings.csv").open(encoding="utf-8") as handle:
        assert [row["result"] for row in csv.DictReader(handle)] == ["declared", "declared"]
