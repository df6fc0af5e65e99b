"""Apply: execute a plan's changes through idempotent handlers, in dependency order, with a journal."""
