"""What the import commands say of a GeoJSON file they refused: every bad feature, then that
nothing was imported, as `FILE: feature N: reason` lines an editor can jump to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from coordination.geojson import FeatureCollectionRejected


def refuse_file(path: Path, error: FeatureCollectionRejected) -> NoReturn:
    """Print each problem of `path` (or of the whole file) to stderr and exit 1."""
    for problem in error.problems:
        where = "file" if problem.index < 0 else f"feature {problem.index}"
        click.echo(f"{path}: {where}: {problem.reason}", err=True)
    click.echo(f"{path}: nothing imported", err=True)
    sys.exit(1)
