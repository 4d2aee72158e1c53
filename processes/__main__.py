"""`python -m processes` is the `iccc` command."""

from processes.cli import main

main()
