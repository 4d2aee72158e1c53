"""`iccc drill live`: a scenario's incidents declared against a running server, as exercises."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from coordination.store.tables import DuplicateReport, Incident
from simulation import load_scenario
from tests.simulation.conftest import SCENARIOS
from processes.drill_live import declare_live, live_arrivals


def test_live_drill_declares_every_incident_as_an_exercise_at_accelerated_time(app, store, officer):
    """Two hours of the small city at 3,600x: each incident is posted at its simulated time
    divided by the speed, and the server records every one as an exercise."""
    scenario = load_scenario(SCENARIOS / "small-city.yaml").model_copy(update={"duration": 2 * 3600.0})
    arrivals = live_arrivals(scenario)
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://iccc.test", headers=officer) as client:
        accepted = declare_live(client=client, arrivals=arrivals, speed=3600.0, sleep=sleep,
                                monotonic=lambda: now[0])
    assert accepted == len(arrivals) > 3
    assert now[0] == pytest.approx(max(a.at_s for a in arrivals) / 3600.0)
    with store.transaction() as session:
        incidents = session.scalars(select(Incident).where(Incident.declared_by != "engine")).all()
        duplicates = session.scalars(select(DuplicateReport)).all()
        # Reports close in place and time to an open incident of their type are linked to it.
        assert len(incidents) + len(duplicates) == len(arrivals)
        assert all(incident.is_exercise for incident in incidents)
