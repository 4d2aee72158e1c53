"""`python -m web` is the `iccc` command."""

from web.cli import main

main()
