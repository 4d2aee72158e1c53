"""Alerts written for these tests, each modelled on how a national feed publishes them (AEMET's
Meteoalerta, a Spanish-language tropical-cyclone warning, the US NWS's zone alerts): the shared
reference set (../shared/data/cap) holds only a few agencies' alerts."""

from __future__ import annotations

from pathlib import Path

FEEDS = Path(__file__).parent


def feed_alert(name: str) -> bytes:
    return (FEEDS / name).read_bytes()
