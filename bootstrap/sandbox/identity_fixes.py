"""A fix to the local endpoint (moto 5.2) so it accepts the AWS managed policies AWS itself accepts.

moto checks a managed policy attached to a permission set against its copy of AWS's managed policies, but reads
each policy's path under `path` where its data spells it `Path`: every policy outside the root path (the
job-function policies `Billing` and `ViewOnlyAccess`) is refused with ResourceNotFoundException, though AWS
attaches them. Applied by the sandbox when it starts, and by the tests that run moto in-process.
"""

from __future__ import annotations

from typing import Any


def accept_managed_policy_paths() -> None:
    """Let moto's Identity Center find AWS managed policies under their real path (idempotent)."""
    from moto.ssoadmin.exceptions import ResourceNotFoundException  # imported here: only the sandbox needs moto
    from moto.ssoadmin.models import ManagedPolicy, SSOAdminBackend

    original = SSOAdminBackend._find_managed_policy
    if getattr(original, "bootstrap_fixed", False):
        return

    def find(self: Any, managed_policy_arn: str) -> Any:
        try:
            return original(self, managed_policy_arn)
        except ResourceNotFoundException:
            name = managed_policy_arn.split("/")[-1]
            entry = (self.aws_managed_policies or {}).get(name) or {}
            if managed_policy_arn == f"arn:{self.partition}:iam::aws:policy{entry.get('Path', '/')}{name}":
                return ManagedPolicy(managed_policy_arn, name)
            raise

    find.bootstrap_fixed = True  # type: ignore[attr-defined]
    SSOAdminBackend._find_managed_policy = find  # type: ignore[method-assign]
