"""`iccc map build`: the console map's base layers for a road network, written as GeoJSON files."""

from __future__ import annotations

from pathlib import Path

import click

from coordination.dispatch_service.base_map import build_base_map
from coordination.errors import InvalidInput
from web.app.config import DEFAULT_DATA_DIR, Settings


@click.group("map")
def map_group() -> None:
    """The console's city map."""


@map_group.command("build")
@click.option("--network", "source", default=None, metavar="SOURCE",
              help="demo, a GraphML file or an OSM file (.osm.pbf, .osm) [default: ICCC_ROAD_NETWORK]")
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"folder for the GeoJSON files [default: {DEFAULT_DATA_DIR}/map]")
def build(source: str | None, folder: Path | None) -> None:
    """Build the map's base layers (every street; water, parks and buildings from an OSM file), write
    them as GeoJSON and say what each holds and what it cost: the server builds the same at its
    first map request."""
    source = source or Settings.from_environment().road_network
    folder = folder or Path(DEFAULT_DATA_DIR) / "map"
    try:
        base_map = build_base_map(source=source)
    except (InvalidInput, OSError, RuntimeError) as error:
        raise click.ClickException(f"{source}: {error}") from None
    for path in base_map.write(folder):
        name = path.stem
        click.echo(f"{path}: {base_map.features[name]} {'street segments' if name == 'roads' else 'areas'}, "
                   f"{path.stat().st_size / 1e6:.2f} MB ({len(base_map.layers[name]) / 1e6:.2f} MB as served, gzip)")
    click.echo("built in " + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in base_map.built_s.items()))
