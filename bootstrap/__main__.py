"""Allow `python -m bootstrap`."""

from bootstrap.cli.app import main

main()
