"""The dispatch service: stations and units of every agency, and recommendations the duty officer accepts.

It snapshots open demands and units from the database, asks the pure `coordination.planner`
core for a plan, persists it with its explanation, and on acceptance dispatches the units:
unit states, agency tasks with their webhooks and the timeline commit in one transaction.
"""

from coordination.dispatch_service.acceptance import DISPATCH_STEP, ChosenUnit, accept_recommendation
from coordination.dispatch_service.demands import MAX_UNITS_PER_NEED, checked_needs, open_demands
from coordination.dispatch_service.demo_fleet import DEMO_FLEET, seed_demo_fleet
from coordination.dispatch_service.fleet import (
    UNIT_CAPABILITIES,
    PositionFix,
    StationRegistration,
    StatusReport,
    UnitRegistration,
    record_position,
    register_station,
    register_unit,
    report_status,
    snapshot_units,
    visible_unit,
)
from coordination.dispatch_service.fleet_edits import StationChange, UnitChange, edit_station, edit_unit
from coordination.dispatch_service.recommendations import DEFAULT_OPTIONS, recommend_dispatch
from coordination.dispatch_service.release import release_incident_units
from coordination.dispatch_service.representations import recommendation_json, station_json, unit_json
from coordination.dispatch_service.road_map import RoadMap, road_map_for
from coordination.dispatch_service.roads import DEMO_ROAD_NETWORK, search_lock, travel_times_for, use_road_network
from coordination.dispatch_service.sop_steps import recommend_for_sop_step

__all__ = [
    "DEFAULT_OPTIONS",
    "DEMO_FLEET",
    "DEMO_ROAD_NETWORK",
    "DISPATCH_STEP",
    "MAX_UNITS_PER_NEED",
    "UNIT_CAPABILITIES",
    "ChosenUnit",
    "PositionFix",
    "RoadMap",
    "StationRegistration",
    "StationChange",
    "StatusReport",
    "UnitChange",
    "UnitRegistration",
    "accept_recommendation",
    "checked_needs",
    "edit_station",
    "edit_unit",
    "open_demands",
    "recommend_dispatch",
    "recommend_for_sop_step",
    "recommendation_json",
    "seed_demo_fleet",
    "record_position",
    "register_station",
    "register_unit",
    "release_incident_units",
    "report_status",
    "road_map_for",
    "search_lock",
    "snapshot_units",
    "station_json",
    "travel_times_for",
    "unit_json",
    "use_road_network",
    "visible_unit",
]
