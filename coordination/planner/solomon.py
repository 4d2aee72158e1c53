"""Read VRPTW instances in Solomon's text format (the C1/R1 benchmark sets and their kin).

Node 0 is the depot; travel time equals Euclidean distance; every customer has a demand, a
time window [ready, due] and a service time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coordination.errors import InvalidInput


@dataclass(frozen=True)
class Site:
    """The depot (number 0) or a customer: a relief camp with a demand and a time window."""

    number: int
    x: float
    y: float
    demand: int
    ready: float
    due: float
    service: float


@dataclass(frozen=True)
class VrptwInstance:
    """A vehicle-routing problem with time windows: a fleet of equal vehicles and the sites."""

    name: str
    vehicle_count: int
    capacity: int
    sites: tuple[Site, ...]
    """Depot first, then customers in file order."""


def parse_solomon(*, text: str, name: str = "") -> VrptwInstance:
    """Parse a Solomon-format instance.

    Raises:
        InvalidInput: no VEHICLE or CUSTOMER section, or a malformed customer row.
    """
    lines = [line.strip() for line in text.splitlines()]
    try:
        vehicle_header = next(i for i, line in enumerate(lines) if line.upper().startswith("VEHICLE"))
        customer_header = next(i for i, line in enumerate(lines) if line.upper().startswith("CUSTOMER"))
    except StopIteration:
        raise InvalidInput(f"{name or 'instance'}: not in Solomon format (no VEHICLE/CUSTOMER section)",
                           field="text") from None
    fleet = [line for line in lines[vehicle_header + 1:customer_header] if line and line[0].isdigit()]
    if not fleet:
        raise InvalidInput(f"{name or 'instance'}: no vehicle number and capacity", field="text")
    vehicle_count, capacity = (int(v) for v in fleet[0].split()[:2])
    sites = []
    for number, line in enumerate(lines[customer_header + 1:], start=customer_header + 2):
        fields = line.split()
        if not fields or not fields[0].isdigit():
            continue
        if len(fields) < 7:
            raise InvalidInput(f"{name or 'instance'} line {number}: expected 7 fields, got {len(fields)}",
                               field="text")
        values = [float(v) for v in fields[:7]]
        sites.append(Site(number=int(values[0]), x=values[1], y=values[2], demand=int(values[3]),
                          ready=values[4], due=values[5], service=values[6]))
    if not sites or sites[0].number != 0:
        raise InvalidInput(f"{name or 'instance'}: the first site must be the depot, number 0", field="text")
    first_line_name = next((line for line in lines if line), "")
    return VrptwInstance(name=name or first_line_name, vehicle_count=vehicle_count, capacity=capacity,
                         sites=tuple(sites))


def load_solomon(*, path: Path | str) -> VrptwInstance:
    """Read and parse a Solomon-format file; the instance is named after the file."""
    path = Path(path)
    return parse_solomon(text=path.read_text(), name=path.stem)
