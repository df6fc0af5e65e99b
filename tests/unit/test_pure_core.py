"""The pure core never imports boto3: spec, guardrails, plan, desired state, blueprints and render.

Checked in a fresh interpreter, because this test process has boto3 loaded already. Each module is
imported in turn and the first one that brings in what can make an AWS call (boto3, or botocore's sessions,
clients, endpoints and credentials) is named. botocore's exception classes are allowed: the planner reads each
type's rule from its module in `bootstrap.types`, and those modules name the AWS errors their handlers handle.
"""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys

PURE_MODULES = [
    "bootstrap.spec",
    "bootstrap.spec.answers",
    "bootstrap.guardrails.packing",
    "bootstrap.plan.diff",
    "bootstrap.plan.render",
    "bootstrap.plan.saved",
    "bootstrap.desired",
    "blueprints.organization",
]
PURE_PACKAGES = ["bootstrap.spec", "bootstrap.guardrails", "bootstrap.plan", "bootstrap.render"]
OPTIONAL = ["bootstrap.render.artifacts"]  # written in parallel; covered as soon as it exists

CALLERS = ("boto3", "botocore.session", "botocore.client", "botocore.endpoint", "botocore.credentials")

PROBE = """
import importlib, json, sys
CALLERS = __CALLERS__
found = {}
for name in sys.argv[1:]:
    importlib.import_module(name)
    loaded = sorted(m for m in CALLERS if m in sys.modules)
    if loaded:
        found[name] = loaded
        break
print(json.dumps(found))
""".replace("__CALLERS__", repr(CALLERS))


def modules_to_check() -> list[str]:
    names = list(PURE_MODULES)
    names += [name for name in OPTIONAL if importlib.util.find_spec(name) is not None]
    for package in PURE_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.submodule_search_locations is None:
            continue
        names += [m.name for m in pkgutil.walk_packages(spec.submodule_search_locations, prefix=f"{package}.")]
    return list(dict.fromkeys(names))


def test_pure_modules_cover_render_when_it_exists() -> None:
    names = modules_to_check()
    assert set(PURE_MODULES) <= set(names)
    if importlib.util.find_spec("bootstrap.render.artifacts") is not None:
        assert "bootstrap.render.artifacts" in names


def test_pure_core_does_not_import_boto3() -> None:
    names = modules_to_check()
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *names], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    offenders = json.loads(result.stdout.strip().splitlines()[-1])
    assert offenders == {}, f"importing {next(iter(offenders))} loads {offenders}; move the AWS import out"


def test_the_probe_can_fail() -> None:
    """The probe really sees boto3 when a module imports it (so an empty result means something)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "bootstrap.spec", "bootstrap.aws.session"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(found) == ["bootstrap.aws.session"]
    assert {"botocore.session", "botocore.client"} <= set(found["bootstrap.aws.session"])
