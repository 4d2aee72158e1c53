"""An offline gazetteer: where a duty officer's words ("Town Hall", "FS-02", "Broadway & West
86th Street", "12.97, 77.59") point on the city, from the engine's own data only.

No geocoding service is called: a control room must keep working when the internet does not.
It knows the street names of the road network (when the network has names; the generated demo
grid has none), the intersections of two named streets, the stations (by name or code), the
agencies that have a jurisdiction (its interior), and a list of landmarks. Anything else is an
error that says what it can match, with the closest names it knows.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import InvalidInput
from coordination.store.tables import Agency, Station

FIELD = "location"
"""The form field and problem `field` every locating error names."""

CITY_MARGIN_DEG = 0.05
"""Coordinates this far (about 5 km) outside the road network's bounds are still the city."""

MAX_LISTED = 5

ABBREVIATIONS = {"rd": "road", "st": "street", "ave": "avenue", "av": "avenue", "blvd": "boulevard",
                 "stn": "station", "hosp": "hospital", "w": "west", "e": "east", "n": "north", "s": "south"}

_COORDINATES = re.compile(r"^\s*([-+]?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$")
_INTERSECTION = re.compile(r"\s+(?:and|at|x)\s+|\s*[&/@]\s*", re.IGNORECASE)

KIND_ORDER = ("landmark", "station", "street", "agency")
"""When one name belongs to places of several kinds, the first kind here wins."""


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    """landmark, station, street, intersection, agency or coordinates."""
    longitude: float
    latitude: float


def normal(text: str) -> str:
    """Lower case, punctuation gone, common abbreviations spelt out: "W. 86th St" -> "west 86th street"."""
    return " ".join(ABBREVIATIONS.get(token, token) for token in re.findall(r"[0-9a-z]+", text.casefold()))


class Gazetteer:
    """Places by name, and streets by name with their segments (for intersections)."""

    def __init__(self, *, places: Iterable[Place], streets: Mapping[str, np.ndarray] | None = None,
                 aliases: Mapping[str, Place] | None = None):
        rank = {kind: index for index, kind in enumerate(KIND_ORDER)}
        self.places = sorted(places, key=lambda place: (rank.get(place.kind, len(rank)), place.name))
        self.streets = dict(streets or {})
        self._by_normal: dict[str, Place] = {}
        for place in self.places:
            self._by_normal.setdefault(normal(place.name), place)
        for alias, place in (aliases or {}).items():
            self._by_normal.setdefault(normal(alias), place)

    def describe(self) -> str:
        """What it can match, for the help beside the field: "12 landmarks, 20 stations, ..."."""
        counts: dict[str, int] = {}
        for place in self.places:
            counts[place.kind] = counts.get(place.kind, 0) + 1
        known = ", ".join(f"{counts[kind]} {kind}{'s' if counts[kind] != 1 else ''}"
                          for kind in KIND_ORDER if kind in counts)
        crossings = "; two streets joined by '&' for their intersection" if self.streets else ""
        return f"{known or 'no named places'}{crossings}"

    def find(self, text: str) -> Place:
        """The one place `text` names.

        Raises:
            InvalidInput (field ``location``): nothing matches (with the closest names), or
                several places do (listed), or two streets named as an intersection do not meet.
        """
        wanted = normal(text)
        if not wanted:
            raise InvalidInput("type a place name or coordinates", field=FIELD)
        exact = self._by_normal.get(wanted)
        if exact is not None:
            return exact
        parts = [part for part in _INTERSECTION.split(text) if part.strip()]
        if len(parts) == 2 and self.streets:
            streets = [self._street_named(part) for part in parts]
            if None not in streets:
                return self._intersection(*streets)
        tokens = wanted.split()
        candidates = [place for place in self.places if _all_prefixes(tokens, normal(place.name).split())]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            listed = "; ".join(f"{place.name} ({place.kind})" for place in candidates[:MAX_LISTED])
            more = f" and {len(candidates) - MAX_LISTED} more" if len(candidates) > MAX_LISTED else ""
            raise InvalidInput(f"{text.strip()!r} matches {len(candidates)} places: {listed}{more}; "
                               "be more specific", field=FIELD)
        close = difflib.get_close_matches(wanted, list(self._by_normal), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(self._by_normal[name].name) for name in close)}?" if close else ""
        raise InvalidInput(f"no place called {text.strip()!r} in the city's gazetteer{hint} "
                           f"It knows {self.describe()}; or type 'latitude, longitude'", field=FIELD)

    def _street_named(self, text: str) -> str | None:
        """The one street `text` names, or None (then the words are not an intersection)."""
        tokens = normal(text).split()
        exact = self._by_normal.get(" ".join(tokens))
        if exact is not None:
            return exact.name if exact.kind == "street" else None
        matches = [name for name in self.streets if _all_prefixes(tokens, normal(name).split())]
        return matches[0] if len(matches) == 1 else None

    def _intersection(self, a: str, b: str) -> Place:
        ends_a = {tuple(point) for point in np.round(self.streets[a].reshape(-1, 2), 7).tolist()}
        shared = [point for point in np.round(self.streets[b].reshape(-1, 2), 7).tolist() if tuple(point) in ends_a]
        if not shared:
            raise InvalidInput(f"{a} and {b} do not meet in the road network", field=FIELD)
        longitude, latitude = min(shared)
        return Place(name=f"{a} & {b}", kind="intersection", longitude=longitude, latitude=latitude)


def _all_prefixes(tokens: Sequence[str], name_tokens: Sequence[str]) -> bool:
    return all(any(candidate.startswith(token) for candidate in name_tokens) for token in tokens)


def street_places(streets: Mapping[str, np.ndarray]) -> list[Place]:
    """One place per street: the middle of its segment nearest the middle of all of them."""
    places = []
    for name, ends in streets.items():
        middles = (ends[:, :2] + ends[:, 2:]) / 2
        nearest = middles[np.argmin(((middles - middles.mean(axis=0)) ** 2).sum(axis=1))]
        places.append(Place(name=name, kind="street", longitude=float(nearest[0]), latitude=float(nearest[1])))
    return places


_street_places: dict[int, tuple[Mapping[str, np.ndarray], list[Place]]] = {}


def _street_places_of(streets: Mapping[str, np.ndarray]) -> list[Place]:
    """`street_places`, computed once per streets mapping (a road map's lives as long as the process)."""
    cached = _street_places.get(id(streets))
    if cached is None or cached[0] is not streets:
        if len(_street_places) >= 8:  # a process has one road network; callers passing fresh mappings
            _street_places.clear()   # must not grow this for ever
        cached = _street_places[id(streets)] = (streets, street_places(streets))
    return cached[1]


def city_gazetteer(*, session: Session, streets: Mapping[str, np.ndarray],
                   landmarks: Iterable[tuple[str, float, float]] = ()) -> Gazetteer:
    """The gazetteer of the city as the database and road network know it now.

    Args:
        session: read for stations and agencies with a jurisdiction.
        streets: street name -> segment ends (lon1, lat1, lon2, lat2), from the road map.
        landmarks: (name, longitude, latitude) of well-known places.
    """
    places = [Place(name=name, kind="landmark", longitude=lon, latitude=lat) for name, lon, lat in landmarks]
    aliases = {}
    for station in session.scalars(select(Station)).unique():
        place = Place(name=station.name, kind="station", longitude=station.longitude, latitude=station.latitude)
        places.append(place)
        aliases[station.code] = place
    for agency in session.scalars(select(Agency).where(Agency.jurisdiction.is_not(None))):
        if not agency.jurisdiction:
            continue
        inside = shape(agency.jurisdiction).representative_point()
        place = Place(name=agency.name, kind="agency", longitude=inside.x, latitude=inside.y)
        places.append(place)
        aliases[agency.code] = place
    places += _street_places_of(streets)
    return Gazetteer(places=places, streets=streets, aliases=aliases)


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """(longitude, latitude) from "latitude, longitude" as people write it; None if not two numbers.

    Raises:
        InvalidInput: two numbers, but out of range.
    """
    match = _COORDINATES.match(text)
    if match is None:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if not -90 <= latitude <= 90:
        raise InvalidInput(f"latitude {latitude} is not between -90 and 90: write 'latitude, longitude'",
                           field=FIELD)
    if not -180 <= longitude <= 180:
        raise InvalidInput(f"longitude {longitude} is not between -180 and 180", field=FIELD)
    return longitude, latitude


def locate(text: str, *, gazetteer: Gazetteer, bounds: tuple[float, float, float, float]) -> Place:
    """The place `text` names: coordinates ("12.97, 77.59", latitude first) inside the city, or a
    name the gazetteer knows.

    Args:
        bounds: the city's west, south, east, north (the road network's); coordinates more than
            `CITY_MARGIN_DEG` outside are refused as a likely typing error.

    Raises:
        InvalidInput (field ``location``): empty, out of range, outside the city, or no single place.
    """
    if not text.strip():
        raise InvalidInput("say where: click the map, or type an address or 'latitude, longitude'", field=FIELD)
    if len(text) > 200:
        raise InvalidInput("a place is at most 200 characters", field=FIELD)
    point = parse_coordinates(text)
    if point is None:
        return gazetteer.find(text)
    longitude, latitude = point
    if not _inside(longitude, latitude, bounds):
        swapped = f"; did you mean {longitude}, {latitude} (latitude first)?" if _inside(latitude, longitude, bounds) \
            else ""
        west, south, east, north = bounds
        raise InvalidInput(f"{latitude}, {longitude} is outside the city (latitude {south:.3f} to {north:.3f}, "
                           f"longitude {west:.3f} to {east:.3f}){swapped}", field=FIELD)
    return Place(name=f"{latitude:.5f}, {longitude:.5f}", kind="coordinates", longitude=longitude, latitude=latitude)


def _inside(longitude: float, latitude: float, bounds: tuple[float, float, float, float]) -> bool:
    west, south, east, north = bounds
    return (west - CITY_MARGIN_DEG <= longitude <= east + CITY_MARGIN_DEG
            and south - CITY_MARGIN_DEG <= latitude <= north + CITY_MARGIN_DEG)
