"""Seeded scenarios for the dispatch benchmarks: a grid city, stations with units, a surge of incidents."""

from __future__ import annotations

import random

from coordination.planner import Demand, RoadNetwork, Unit, generate_grid_city

UNIT_MIX = (("ambulance", 0.4), ("fire_engine", 0.25), ("police_patrol", 0.25), ("rescue_boat", 0.1))
"""Share of each unit type in the fleet."""

INCIDENT_NEEDS = (
    {"ambulance": 1},
    {"ambulance": 2, "police_patrol": 1},
    {"fire_engine": 2, "ambulance": 1},
    {"rescue_boat": 1, "ambulance": 1},
    {"police_patrol": 2},
)
"""What incidents of the surge need, mixed types."""


def make_city(*, rows: int, cols: int, seed: int) -> RoadNetwork:
    return generate_grid_city(rows=rows, cols=cols, seed=seed)


def make_units(*, city: RoadNetwork, count: int, stations: int, rng: random.Random) -> list[Unit]:
    """Units parked at `stations` random nodes, plus a few patrolling anywhere, types per `UNIT_MIX`."""
    nodes = list(city.graph.nodes)
    station_nodes = rng.sample(nodes, stations)
    kinds = [k for k, _ in UNIT_MIX]
    weights = [w for _, w in UNIT_MIX]
    units = []
    for number in range(count):
        node = rng.choice(station_nodes) if rng.random() < 0.8 else rng.choice(nodes)
        units.append(Unit(id=f"U{number:04d}", agency_id="demo", unit_type=rng.choices(kinds, weights)[0], node=node))
    return units


def make_surge(*, city: RoadNetwork, count: int, rng: random.Random, cols: int, hotspot_share: float = 0.7,
               hotspot_radius: int = 12) -> list[Demand]:
    """Incidents at once: most in one hotspot district (a flood, a riot), the rest anywhere."""
    nodes = list(city.graph.nodes)
    centre = rng.choice(nodes)
    centre_row, centre_col = divmod(centre, cols)
    demands = []
    for number in range(count):
        if rng.random() < hotspot_share:
            row = centre_row + rng.randint(-hotspot_radius, hotspot_radius)
            col = centre_col + rng.randint(-hotspot_radius, hotspot_radius)
            node = row * cols + col if 0 <= row < len(nodes) // cols and 0 <= col < cols else rng.choice(nodes)
        else:
            node = rng.choice(nodes)
        demands.append(Demand(incident_id=f"I{number:03d}", node=node, needs=tuple(rng.choice(INCIDENT_NEEDS).items()),
                              priority=rng.choice([1, 2, 4, 8])))
    return demands
