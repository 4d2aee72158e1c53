"""What the README's first lines promise a new user is what the commands do."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from processes.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_gives_the_demo_port_and_the_demo_accepts_it():
    assert "./dev demo --port 8090" in README
    help_text = CliRunner().invoke(main, ["demo", "--help"]).output
    assert "--port" in help_text and "--rotate-passwords" in help_text


def test_the_readme_says_the_demo_incidents_are_exercises_and_why():
    paragraph = next(p for p in README.split("\n\n") if "Every demo incident is an exercise" in p)
    assert re.search(r"kept out of the live KPIs, the public CAP feed", paragraph)
    assert "--rotate-passwords" in README
