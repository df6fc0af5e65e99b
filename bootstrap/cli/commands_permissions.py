"""`bootstrap permissions`: the least-privilege IAM policy the operator and the bootstrap role need for a spec."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bootstrap.cli.options import DEFAULT_SPEC, SpecOption, read_spec


def register(app: typer.Typer) -> None:
    app.command()(permissions)


def permissions(
    spec: SpecOption = DEFAULT_SPEC,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the policy to this file instead of printing it.")
    ] = None,
) -> None:
    """Print the IAM policy (JSON) that running plan, apply and status for this spec needs: generated from the
    actions each resource type declares, so it grows with the spec. No AWS call."""
    from bootstrap.render.atomic import atomic_write
    from bootstrap.render.permissions import (
        MAX_MANAGED_POLICY_CHARS,
        people_and_billing_policy_json,
        policy_json,
        policy_size,
    )

    checked = read_spec(spec)
    text = policy_json(checked)
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write(output, text)
        sys.stderr.write(f"Wrote the operator policy to {output}.\n")
    identity = people_and_billing_policy_json(checked)
    if identity is not None and output is not None:
        second = output.with_name("people-and-billing-policy.json")
        atomic_write(second, identity)
        sys.stderr.write(
            f"Identity Center's, billing's and Account Management's actions are a second policy, written to "
            f"{second}: attach both.\n"
        )
    elif identity is not None:
        sys.stderr.write(
            "Identity Center's, billing's and Account Management's actions are a second policy: "
            "`bootstrap permissions -o FILE` "
            "writes it beside FILE as people-and-billing-policy.json (attach both).\n"
        )
    size = policy_size(checked)
    if size > MAX_MANAGED_POLICY_CHARS:
        sys.stderr.write(
            f"Note: the policy is {size} characters, above IAM's {MAX_MANAGED_POLICY_CHARS} for one managed "
            "policy: attach it as two policies, split by statement.\n"
        )
