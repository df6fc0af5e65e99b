"""Allow `python -m bootstrap`."""

from bootstrap.cli.entry import main

main()
