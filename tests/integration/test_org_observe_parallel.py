"""The Organizations observer reads in parallel; what it observes must not depend on it.

A lived-in organization (a deep OU tree someone else grew, their accounts and policies, an OU renamed
behind the toolkit's back, an orphaned policy of the toolkit's) is observed with one worker and with many:
the observed states are identical, findings in the same order, and hold what a one-by-one walk finds.
"""

from __future__ import annotations

import json
from typing import Any

from bootstrap.aws.session import AwsTarget, Sessions
from bootstrap.desired import desired_state
from bootstrap.observe.organizations import observe_organizations
from bootstrap.observed import ObservedState
from bootstrap.resources import ADDRESS_TAG, MANAGED_TAG
from bootstrap.spec.model import LandingZoneSpec

SCP = "SERVICE_CONTROL_POLICY"
DENY_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})


def _lived_in(spec: LandingZoneSpec, sessions: Sessions, apply: Any, outsider: Any) -> dict[str, str]:
    apply(spec, sessions)
    org = outsider.org
    ids: dict[str, str] = {}
    parent = outsider.ou_id("Workloads/Prod")
    for depth in range(1, 4):  # Workloads/Prod/Team-1/Team-2/Team-3: a tree deeper than the spec's
        parent = org.create_organizational_unit(ParentId=parent, Name=f"Team-{depth}")["OrganizationalUnit"]["Id"]
        ids[f"Team-{depth}"] = parent
        for n in range(2):
            account = org.create_account(Email=f"team{depth}-{n}@example.org", AccountName=f"team{depth}-{n}")
            outsider.move_account(account["CreateAccountStatus"]["AccountId"], parent)
    theirs = org.create_policy(Name="their-guardrail", Description="", Content=DENY_ALL, Type=SCP)["Policy"]
    org.attach_policy(PolicyId=theirs["PolicySummary"]["Id"], TargetId=outsider.ou_id("Security"))
    left = org.create_policy(
        Name="left-behind",
        Description="",
        Content=DENY_ALL,
        Type=SCP,
        Tags=[{"Key": MANAGED_TAG, "Value": "true"}, {"Key": ADDRESS_TAG, "Value": "organizations/scp/left-behind"}],
    )["Policy"]
    ids["left-behind"] = left["PolicySummary"]["Id"]
    ids["Sandbox"] = outsider.ou_id("Sandbox")
    org.update_organizational_unit(OrganizationalUnitId=ids["Sandbox"], Name="Playground")  # renamed by hand
    return ids


def _observe(spec: LandingZoneSpec, parallelism: int) -> ObservedState:
    sessions = Sessions(AwsTarget(max_attempts=2, parallelism=parallelism), default_region="us-east-1")
    return observe_organizations(sessions, desired_state(spec))


def test_parallel_reads_observe_what_one_worker_observes(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    ids = _lived_in(spec, sessions, apply, outsider)

    one = _observe(spec, 1)
    for _ in range(3):
        many = _observe(spec, 16)
        assert many.resources == one.resources
        assert many.orphans == one.orphans
        assert many.findings == one.findings
        assert many.unmanaged_attachments == one.unmanaged_attachments
        assert many.fingerprint() == one.fingerprint()

    tree = outsider.ou_tree()
    for path in ("Security", "Workloads", "Workloads/Prod", "Workloads/NonProd"):
        assert one.resources[f"organizations/ou/{path}"].physical_id == tree[path]
    sandbox = one.resources["organizations/ou/Sandbox"]  # found by its tag, under its new name
    assert (sandbox.physical_id, sandbox.properties["Name"]) == (ids["Sandbox"], "Playground")
    assert one.orphans["organizations/scp/left-behind"].physical_id == ids["left-behind"]
    assert one.unmanaged_attachments["organizations/ou/Security"] == ["FullAWSAccess", "their-guardrail"]
    others = [f for f in one.findings if f.address == "organizations/accounts"]
    assert len(others) == 1 and others[0].message.startswith("6 account(s)")
