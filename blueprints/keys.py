"""KMS customer keys with policies that separate duties, shared by the log-archive and trail blueprints.

Every key policy has the same shape:
- `KeyAdministration`: the key administrators role, the bootstrap role (the toolkit runs as it in every
  account, and must keep managing the key, or KMS refuses the policy as a lock-out) and the break-glass
  role (so that a broken key policy can always be repaired by a person) may manage the key (describe,
  enable/disable, rotation, policy, tags, aliases, deletion) but have no cryptographic action;
- one or more service statements, each scoped to the one resource that may use the key
  (`aws:SourceArn`, or the encryption context the service sets);
- `DecryptForReaders`: the security readers role may decrypt (and describe), nothing more.
Principals are the account root restricted by `aws:PrincipalArn`: a key policy may then name roles that do
not exist yet (KMS rejects a policy naming a missing role directly), and nobody else gets in, because
there is no statement granting the account's IAM policies access. That is "nobody else".
"""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, Tags
from troposphere.kms import Alias, Key

from blueprints.binding import iam_arn
from blueprints.common import tags
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.roles import operator_patterns

ADMIN_ACTIONS = sorted(
    [
        "kms:CancelKeyDeletion",
        "kms:CreateAlias",
        "kms:DeleteAlias",
        "kms:DescribeKey",
        "kms:DisableKey",
        "kms:DisableKeyRotation",
        "kms:EnableKey",
        "kms:EnableKeyRotation",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListAliases",
        "kms:ListGrants",
        "kms:ListKeyPolicies",
        "kms:ListKeyRotations",
        "kms:ListResourceTags",
        "kms:PutKeyPolicy",
        "kms:RevokeGrant",
        "kms:RotateKeyOnDemand",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:UpdateAlias",
        "kms:UpdateKeyDescription",
    ]
)
"""Management without use: no Encrypt, Decrypt, ReEncrypt, GenerateDataKey or CreateGrant (which would
let an administrator hand themselves the use of the key)."""

CRYPTO_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo")
"""What an administrator must never be able to do; tests check the policies against this list."""

READER_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"]


def administrator_roles(spec: LandingZoneSpec) -> list[str]:
    """Roles that manage every key, in the key's own account: the key administrators; the bootstrap role,
    which the toolkit runs as in the management account and enters member accounts as (they are created
    with it), so it can restore a drifted policy; the break-glass role, so nobody is ever locked out."""
    org = spec.organization
    return list(dict.fromkeys([spec.logging.key_administrators_role, org.bootstrap_role, org.break_glass_role]))


def key_policy(
    spec: LandingZoneSpec,
    *,
    account: Any,
    service_statements: list[dict[str, Any]],
    management: bool = False,
    readers: bool = True,
) -> dict[str, Any]:
    """The policy of a key in `account` (its id as a template expression).

    A key in the management account (`management`) is created by whoever runs the toolkit there, not by a
    bootstrap role the toolkit entered, and KMS refuses a policy that would lock its creator out: there the
    spec's operators administer the key too. `readers`: the security readers may decrypt (log keys; not a
    key that encrypts workloads' volumes)."""
    logging = spec.logging
    root = iam_arn(account, "root")
    admins: list[Any] = [iam_arn(account, f"role/{role}") for role in administrator_roles(spec)]
    if management:
        named = {f"arn:aws:iam::{spec.organization.management_account_id}:role/{r}" for r in administrator_roles(spec)}
        admins += [p for p in operator_patterns(spec) if p not in named]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KeyAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": ADMIN_ACTIONS,
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": admins}},
            },
            *service_statements,
            *(
                [
                    {
                        "Sid": "DecryptForReaders",
                        "Effect": "Allow",
                        "Principal": {"AWS": root},
                        "Action": READER_ACTIONS,
                        "Resource": "*",
                        "Condition": {
                            "ArnLike": {"aws:PrincipalArn": iam_arn(account, f"role/{logging.key_readers_role}")}
                        },
                    }
                ]
                if readers
                else []
            ),
        ],
    }


def managed_key(
    spec: LandingZoneSpec,
    *,
    purpose: str,
    title: str,
    description: str,
    policy: dict[str, Any],
    address: str,
) -> tuple[Key, Alias]:
    """A symmetric, rotating, single-region key and its alias `alias/<org>/<purpose>`."""
    key = Key(
        title,
        Description=description,
        Enabled=True,
        EnableKeyRotation=True,
        KeySpec="SYMMETRIC_DEFAULT",
        KeyUsage="ENCRYPT_DECRYPT",
        MultiRegion=False,
        PendingWindowInDays=30,
        KeyPolicy=policy,
        Tags=tags(address) + Tags({"bootstrap:purpose": purpose}),
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    )
    alias = Alias(f"{title}Alias", AliasName=f"alias/{spec.organization.name}/{purpose}", TargetKeyId=Ref(key))
    return key, alias


def key_arn(key: Key) -> GetAtt:
    return GetAtt(key, "Arn")
