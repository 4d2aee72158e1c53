"""The drill's city: its road network, travel times, stations and the units based at them.

Built once per replication from the scenario, with the production road network and travel-time
code of `coordination.planner`, so units in a drill drive the same times dispatch plans with.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from coordination.planner import RoadNetwork, TravelTimes, Unit, generate_grid_city, load_graphml_network
from simulation.scenario import Scenario
from sop_engine import UNIT_TYPES


class ZeroTravel:
    """Travel that takes no time: a queueing study (M/M/c) where only service and waiting count."""

    def travel_s_to(self, *, target: Hashable, origins: Sequence[Hashable]) -> np.ndarray:
        return np.zeros(len(origins), dtype=np.float64)


@dataclass(frozen=True)
class StationSite:
    station_id: str
    node: Hashable
    lon: float
    lat: float


@dataclass(frozen=True)
class City:
    """The network, the travel-time source dispatch and units share, stations and the initial units."""

    network: RoadNetwork
    travel_times: TravelTimes
    zero_travel: bool
    stations: tuple[StationSite, ...]
    units: tuple[Unit, ...]
    home_of: dict[str, Hashable]
    bounds: tuple[float, float, float, float]
    """min lon, min lat, max lon, max lat of the road nodes."""
    speed_factor: float = 1.0

    @property
    def travel(self) -> TravelTimes | ZeroTravel:
        return ZeroTravel() if self.zero_travel else self.travel_times

    def travel_s(self, origin: Hashable, target: Hashable, speed_factor: float | None = None) -> float:
        """Seconds to drive from `origin` to `target` (0 in a zero-travel city), at the city's speed
        factor or the one given (a call's severity may set its own)."""
        if self.zero_travel or origin == target:
            return 0.0
        # A factor scales every ETA to one target alike, so the policy's choices do not depend on it.
        factor = self.speed_factor if speed_factor is None else speed_factor
        return factor * float(self.travel_times.travel_s_to(target=target, origins=[origin])[0])

    def node_at(self, lon: float, lat: float) -> Hashable:
        return self.travel_times.nearest_node(lon=lon, lat=lat)


def build_city(scenario: Scenario) -> City:
    """Build the network, snap stations to it and create their units (ids `station/type-n`)."""
    spec = scenario.city
    if spec.grid is not None:
        network = generate_grid_city(rows=spec.grid.rows, cols=spec.grid.cols, seed=spec.grid.seed,
                                     spacing_m=spec.grid.spacing_m, centre=spec.grid.centre)
    else:
        assert spec.graphml is not None
        network = load_graphml_network(path=scenario.path(spec.graphml))
    travel_times = TravelTimes(network=network)
    nodes = travel_times.nearest_nodes(points=[station.at for station in spec.stations])
    stations, units, home_of = [], [], {}
    for station, node in zip(spec.stations, nodes):
        data = network.graph.nodes[node]
        stations.append(StationSite(station.id, node, float(data["lon"]), float(data["lat"])))
        for unit_type, count in sorted(station.units.items()):
            for n in range(1, count + 1):
                unit_id = f"{station.id}/{unit_type}-{n}"
                units.append(Unit(id=unit_id, agency_id=UNIT_TYPES[unit_type].value, unit_type=unit_type, node=node))
                home_of[unit_id] = node
    lons = [float(d["lon"]) for _, d in network.graph.nodes(data=True)]
    lats = [float(d["lat"]) for _, d in network.graph.nodes(data=True)]
    return City(network=network, travel_times=travel_times, zero_travel=spec.travel == "zero",
                stations=tuple(stations), units=tuple(units), home_of=home_of,
                bounds=(min(lons), min(lats), max(lons), max(lats)), speed_factor=spec.speed_factor)
