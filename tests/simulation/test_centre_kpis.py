"""A drill's prediction measured by the rules of the centre's KPI page."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import InlineExecutor, centre_kpis, run_drill


def test_a_drill_predicts_the_centres_kpis_from_its_records(small_city):
    scenario = small_city.model_copy(update={"engine": "runtime"})
    records = run_drill(scenario, executor=InlineExecutor())
    kpis = {row.key: row for row in centre_kpis(records, start=scenario.start)}
    tasks = [t for r in records for t in r.tasks]
    acknowledged = [t.acknowledged_s - t.created_s for t in tasks if t.acknowledged_s is not None]
    assert kpis["centre", "all", "tasks"].value == len(tasks) / 2  # per replication
    assert kpis["centre", "all", "ack_s.mean"].value == pytest.approx(np.mean(acknowledged))
    assert kpis["centre", "all", "escalations"].value == sum(len(r.escalations) for r in records) / 2
    responses = [i.response_s for r in records for i in r.incidents if i.response_s is not None]
    assert kpis["centre", "all", "on_scene_s.p50"].value == pytest.approx(np.percentile(responses, 50))
    assert ("incident type", "road_accident", "dispatched_s.p90") in kpis
    assert {row.group for row in kpis.values() if row.section == "agency"} == {t.agency for t in tasks}
