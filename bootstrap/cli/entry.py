"""The `bootstrap` executable. Importing the CLI takes a moment; Ctrl-C during it ends quietly too."""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from bootstrap.cli.app import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Stopped: bootstrap was interrupted while starting: nothing was read or written.\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    run()
