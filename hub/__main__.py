"""`python -m hub` runs the command-line interface."""

from hub.cli import main

main()
