"""Render a spec into the reviewable artifacts of `bootstrap render`, byte-identical on every run.

    out_dir/scps/<policy>.json                 each packed SCP, exactly the document that is uploaded
    out_dir/blueprints/<name>.template.json    each blueprint's CloudFormation template
    out_dir/runbooks/<name>.md                 the runbooks (manual steps, diagram of the organization)
    out_dir/permissions/operator-policy.json   the IAM policy the operator and the bootstrap role need

Everything is rendered in memory first, then written with `write_tree`: a failure leaves each file
either as it was or complete, and stale files in those folders are removed only after success.
"""

from __future__ import annotations

import json
from pathlib import Path

from bootstrap.desired import build_blueprints
from bootstrap.errors import InputError
from bootstrap.guardrails.packing import pack_all
from bootstrap.render.atomic import write_tree
from bootstrap.render.permissions import people_and_billing_policy_json, policy_json
from bootstrap.render.runbooks import render_runbooks
from bootstrap.spec.model import LandingZoneSpec

SCPS = "scps"
BLUEPRINTS = "blueprints"
RUNBOOKS = "runbooks"
PERMISSIONS = "permissions"
FOLDERS = (SCPS, BLUEPRINTS, RUNBOOKS, PERMISSIONS)


def artifact_files(spec: LandingZoneSpec) -> dict[str, str]:
    """Every artifact as relative POSIX path -> text. Pure, so tests and `render` share it."""
    files: dict[str, str] = {}

    def put(relative: str, text: str) -> None:
        if relative in files:
            raise InputError(
                f"two artifacts would both be written to {relative}",
                "Rename one of the OUs: their names reduce to the same SCP or file name.",
            )
        files[relative] = text

    for policy in pack_all(spec):
        # Key order as uploaded (minified, unsorted): the file is the same document, only indented.
        put(f"{SCPS}/{policy.name}.json", json.dumps(policy.document, indent=2) + "\n")
    for blueprint in build_blueprints(spec):
        if not blueprint.template.resources:
            continue  # only the toolkit's own types (the account baseline): no template to review or deploy
        put(f"{BLUEPRINTS}/{blueprint.name}.template.json", blueprint.template.to_json(indent=2, sort_keys=True) + "\n")
    for name, text in render_runbooks(spec).items():
        put(f"{RUNBOOKS}/{name}", text)
    put(f"{PERMISSIONS}/operator-policy.json", policy_json(spec))
    identity = people_and_billing_policy_json(spec)
    if identity is not None:
        put(f"{PERMISSIONS}/people-and-billing-policy.json", identity)
    return files


def render_artifacts(spec: LandingZoneSpec, out_dir: Path) -> list[Path]:
    """Write every artifact under `out_dir`, remove stale ones in its folders; return the paths, sorted."""
    return write_tree(out_dir, artifact_files(spec), managed=FOLDERS)
