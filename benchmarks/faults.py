"""Fault-injection benchmark: `bootstrap apply` through a faulty proxy, then the recovery a user would run.

For each scenario (an operation that creates something x a fault from `tests/faults.py`: throttling in the
protocol's shape, 500, 503, a reset before or after forwarding, SIGKILL of the apply once the call took
effect), on a fresh sandbox:

1. `bootstrap init --defaults`, then `bootstrap apply --yes` through the proxy, which faults the first call
   of the operation;
2. `bootstrap apply --yes` again without faults (what a user does after a failure or a kill), at most twice;
3. `bootstrap plan`: converged when it exits 0.

Then it counts duplicates (two KMS keys tagged with one address, two accounts with one e-mail, two SCPs or
OUs with one name) and wrong messages (a conflict blamed on the user for what the toolkit did itself, a
traceback). A scenario passes when it converged with no duplicate and no wrong message.

    python benchmarks/faults.py                    # every scenario (about 40 minutes on 2 cores)
    python benchmarks/faults.py --only kms:CreateKey --kinds reset-after kill
    python benchmarks/faults.py --json
    python benchmarks/faults.py --saved-plan --kinds kill   # `plan --out`, `apply FILE`, resumed with FILE

With `--saved-plan` the apply runs a saved plan, and the recovery resumes that same file (a resume the
toolkit refuses counts as not converged: the user would have to make a new plan).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faults import KINDS, Fault, FaultProxy

from bootstrap.sandbox.server import Sandbox, running_sandbox

OPERATIONS = (
    "kms:CreateKey",
    "kms:CreateAlias",
    "organizations:CreatePolicy",
    "organizations:CreateOrganizationalUnit",
    "organizations:CreateAccount",
    "s3:CreateBucket",
    "s3:PutBucketTagging",
    "iam:CreateRole",
    "sns:CreateTopic",
    "cloudtrail:CreateTrail",
)
WRONG_MESSAGES = ("already exists and is not the toolkit's", "EMAIL_ALREADY_EXISTS", "Traceback")


@dataclass
class Outcome:
    operation: str
    kind: str
    saved_plan: bool = False
    struck: bool = False
    first_exit: int | None = None
    recovery_runs: int = 0
    converged: bool = False
    duplicates: dict[str, int] = field(default_factory=dict)
    wrong_messages: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.converged and not self.duplicates and not self.wrong_messages


def _command() -> list[str]:
    return [sys.executable, "-m", "bootstrap"]


def _env(endpoint: str, sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(sandbox.environment())
    env.update({"AWS_ENDPOINT_URL": endpoint, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], proxy: FaultProxy | None = None) -> tuple[int, str]:
    proc = subprocess.Popen(
        [*_command(), *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if proxy is not None:
        proxy.victim = proc.pid
    out, _ = proc.communicate(timeout=900)
    return proc.returncode, out


def _clients(sandbox: Sandbox) -> tuple[Any, list[Any]]:
    """The organization's client, and a KMS client in every account (members through their role)."""
    kwargs: dict[str, Any] = {
        "endpoint_url": sandbox.url,
        "region_name": sandbox.region,
        "aws_access_key_id": "x",
        "aws_secret_access_key": "x",
    }
    org = boto3.client("organizations", **kwargs)
    kms = [boto3.client("kms", **kwargs)]
    sts = boto3.client("sts", **kwargs)
    me = sts.get_caller_identity()["Account"]
    try:
        accounts = [a["Id"] for a in org.list_accounts()["Accounts"] if a["Id"] != me]
    except org.exceptions.AWSOrganizationsNotInUseException:
        accounts = []
    for account in accounts:
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="count"
        )["Credentials"]
        kms.append(
            boto3.client(
                "kms",
                endpoint_url=sandbox.url,
                region_name=sandbox.region,
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        )
    return org, kms


def duplicates(sandbox: Sandbox) -> dict[str, int]:
    """What exists more than once: keys per address tag, accounts per e-mail, SCPs per name, OUs per path."""
    org, kms_clients = _clients(sandbox)
    seen: Counter[str] = Counter()
    for kms in kms_clients:
        for key in kms.list_keys()["Keys"]:
            tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]}
            if "bootstrap:address" in tags:
                seen[f"key {tags['bootstrap:address']}"] += 1
    try:
        for account in org.list_accounts()["Accounts"]:
            seen[f"account {account['Email']}"] += 1
        for policy in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]:
            seen[f"scp {policy['Name']}"] += 1
        queue = [(org.list_roots()["Roots"][0]["Id"], "")]
        while queue:
            parent, prefix = queue.pop()
            for ou in org.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]:
                seen[f"ou {prefix}/{ou['Name']}"] += 1
                queue.append((ou["Id"], f"{prefix}/{ou['Name']}"))
    except org.exceptions.AWSOrganizationsNotInUseException:
        pass
    return {k: n for k, n in seen.items() if n > 1}


def scenario(sandbox: Sandbox, operation: str, kind: str, *, saved_plan: bool = False) -> Outcome:
    sandbox.reset()
    started = time.monotonic()
    outcome = Outcome(operation, kind, saved_plan)
    applying = ["apply", "plan.json", "--yes"] if saved_plan else ["apply", "--yes"]
    fault = Fault(operation, kind)
    proxy = FaultProxy(sandbox.url, fault).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            cwd = Path(folder)
            _run(["init", "--defaults"], cwd, _env(sandbox.url, sandbox))
            if saved_plan:
                _run(["plan", "--out", "plan.json"], cwd, _env(sandbox.url, sandbox))
            outcome.first_exit, first = _run(applying, cwd, _env(proxy.url, sandbox), proxy)
            outcome.struck = fault.hits > 0
            transcript = [first]
            converged = outcome.first_exit == 0
            while not converged and outcome.recovery_runs < 2:
                outcome.recovery_runs += 1
                code, out = _run(applying, cwd, _env(sandbox.url, sandbox))
                transcript.append(out)
                converged = code == 0
            code, out = _run(["plan"], cwd, _env(sandbox.url, sandbox))
            outcome.converged = code == 0
            outcome.wrong_messages = [m for m in WRONG_MESSAGES if any(m in t for t in transcript)]
    finally:
        proxy.stop()
    outcome.duplicates = duplicates(sandbox)
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


def concurrent(sandbox: Sandbox) -> Outcome:
    """Two applies started at once in two folders (two operators): one runs, the other is refused by the
    lock; then the refused one is run again."""
    sandbox.reset()
    started = time.monotonic()
    outcome = Outcome("two applies at once", "concurrent", struck=True)
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        folders = [Path(one), Path(two)]
        for folder in folders:
            _run(["init", "--defaults"], folder, _env(sandbox.url, sandbox))
        procs = [
            subprocess.Popen(
                [*_command(), "apply", "--yes"],
                cwd=folder,
                env=_env(sandbox.url, sandbox),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for folder in folders
        ]
        results = [(proc.wait(timeout=900), proc.stdout.read() if proc.stdout else "") for proc in procs]
        outcome.first_exit = max(code for code, _ in results)
        transcript = [out for _, out in results]
        if any(code != 0 for code, _ in results):
            outcome.recovery_runs = 1
            code, out = _run(["apply", "--yes"], folders[1], _env(sandbox.url, sandbox))
            transcript.append(out)
        code, _ = _run(["plan"], folders[0], _env(sandbox.url, sandbox))
        outcome.converged = code == 0
        outcome.wrong_messages = [m for m in WRONG_MESSAGES if any(m in t for t in transcript)]
    outcome.duplicates = duplicates(sandbox)
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", nargs="*", default=list(OPERATIONS), help="operations (service:Operation)")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS), choices=KINDS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--saved-plan", action="store_true", help="apply (and resume) a saved plan")
    parser.add_argument("--concurrent", type=int, default=0, help="also run N two-applies-at-once scenarios")
    args = parser.parse_args()
    outcomes = []
    with running_sandbox() as sandbox:
        runs = [(op, kind) for op in args.only for kind in args.kinds] + [("", "concurrent")] * args.concurrent
        for operation, kind in runs:
            if kind == "concurrent":
                outcome = concurrent(sandbox)
            else:
                outcome = scenario(sandbox, operation, kind, saved_plan=args.saved_plan)
            outcomes.append(outcome)
            mark = "ok  " if outcome.ok else "FAIL"
            print(
                f"{mark} {outcome.operation:42} {kind:12} struck={outcome.struck!s:5} first={outcome.first_exit} "
                f"recoveries={outcome.recovery_runs} converged={outcome.converged} "
                f"dups={outcome.duplicates or '-'} wrong={outcome.wrong_messages or '-'} {outcome.seconds}s",
                file=sys.stderr,
                flush=True,
            )
    total = len(outcomes)
    summary = {
        "scenarios": total,
        "struck": sum(o.struck for o in outcomes),
        "converged": sum(o.converged for o in outcomes),
        "with_duplicates": sum(bool(o.duplicates) for o in outcomes),
        "with_wrong_messages": sum(bool(o.wrong_messages) for o in outcomes),
        "passed": sum(o.ok for o in outcomes),
    }
    if args.json:
        print(json.dumps({"summary": summary, "scenarios": [asdict(o) for o in outcomes]}, indent=2))
    else:
        print(
            f"{summary['scenarios']} scenarios ({summary['struck']} where the fault struck): "
            f"{summary['converged']} converged, {summary['with_duplicates']} with duplicates, "
            f"{summary['with_wrong_messages']} with wrong messages; {summary['passed']} passed."
        )
    return 0 if summary["passed"] == total else 1


if __name__ == "__main__":
    sys.exit(main())
