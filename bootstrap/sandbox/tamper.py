"""Drift made the way an outsider would make it: plain boto3 calls, nothing from the toolkit's engine.

The demo and the end-to-end tests use these to prove that `plan` finds drift and `apply` repairs it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from blueprints.billing import billing_applies
from blueprints.billing import topic_name as billing_topic_name
from bootstrap.guardrails.packing import policy_name
from bootstrap.names import (
    BILLING_REGION,
    BREAK_GLASS,
    TRAIL_ADDRESS,
    account_address,
    billing_subscription_address,
    default_vpc_address,
    ebs_encryption_address,
    policy_address,
    role_address,
    vpc_address,
)
from bootstrap.spec.log_archive import logging_enabled, trail_name
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.network_plan import allocate


@dataclass(frozen=True)
class Drift:
    description: str
    address: str
    property: str
    """The property the plan must show changed; "" when the object is gone (the plan creates it again whole)."""


def _organizations(endpoint_url: str | None) -> Any:
    return boto3.client("organizations", endpoint_url=endpoint_url)


def _ou_id(client: Any, path: str) -> str:
    parent = client.list_roots()["Roots"][0]["Id"]
    for name in path.split("/"):
        ous = client.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]
        parent = next(o["Id"] for o in ous if o["Name"] == name)
    return str(parent)


def _policy_id(client: Any, name: str) -> str:
    policies = client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
    return str(next(p["Id"] for p in policies if p["Name"] == name))


def _first_guardrail_ou(spec: LandingZoneSpec, skip: str = "") -> str:
    return next(ou.path for ou in spec.organizational_units if ou.guardrails and ou.path != skip)


def tamper_organization(spec: LandingZoneSpec, endpoint_url: str | None = None) -> list[Drift]:
    """Detach an SCP from its OU, move an account to another OU, and edit another SCP's content."""
    client = _organizations(endpoint_url)
    org = spec.organization.name
    detached_ou = _first_guardrail_ou(spec)
    detached = policy_name(org, detached_ou, 1)
    client.detach_policy(PolicyId=_policy_id(client, detached), TargetId=_ou_id(client, detached_ou))

    account = spec.accounts[-1]
    elsewhere = next(p for p in spec.all_ou_paths() if p != account.ou)
    account_id = next(
        a["Id"]
        for page in client.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
        if a["Name"] == account.name
    )
    source = client.list_parents(ChildId=account_id)["Parents"][0]["Id"]
    client.move_account(AccountId=account_id, SourceParentId=source, DestinationParentId=_ou_id(client, elsewhere))

    edited_ou = _first_guardrail_ou(spec, skip=detached_ou)
    edited = policy_name(org, edited_ou, 1)
    edited_id = _policy_id(client, edited)
    document = json.loads(client.describe_policy(PolicyId=edited_id)["Policy"]["Content"])
    removed = document["Statement"].pop(0)
    client.update_policy(PolicyId=edited_id, Content=json.dumps(document))
    return [
        Drift(f"detached SCP {detached} from OU {detached_ou}", policy_address(detached), "TargetIds"),
        Drift(
            f"moved account {account.name} from {account.ou} to {elsewhere}",
            account_address(account.name),
            "ParentIds",
        ),
        Drift(f"deleted statement {removed.get('Sid', '?')} from SCP {edited}", policy_address(edited), "Content"),
    ]


def tamper_trail(spec: LandingZoneSpec, endpoint_url: str | None = None) -> list[Drift]:
    """Stop the organization trail's logging, as an intruder would before doing anything else.

    Only for a trail in the management account (the caller); nothing when the spec builds no trail.
    """
    if not logging_enabled(spec) or spec.logging.trail_account != MANAGEMENT:
        return []
    name = trail_name(spec)
    cloudtrail = boto3.client("cloudtrail", endpoint_url=endpoint_url, region_name=spec.organization.home_region)
    cloudtrail.stop_logging(Name=name)
    return [Drift(f"stopped logging of the organization trail {name}", TRAIL_ADDRESS, "IsLogging")]


def tamper_roles(spec: LandingZoneSpec, endpoint_url: str | None = None) -> list[Drift]:
    """Re-trust the break-glass role of a member account to an outside account: with the guardrails'
    exemption, that account would step outside every guardrail. An administrator of the member account
    does it, through OrganizationAccountAccessRole."""
    if not spec.accounts:
        return []
    account = spec.accounts[-1].name
    client = _organizations(endpoint_url)
    account_id = next(
        a["Id"]
        for page in client.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
        if a["Name"] == account
    )
    sts = boto3.client("sts", endpoint_url=endpoint_url)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="outsider"
    )["Credentials"]
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    outside = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": OUTSIDE_ACCOUNT}, "Action": "sts:AssumeRole"}],
    }
    role = spec.organization.break_glass_role
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(outside))
    return [
        Drift(
            f"re-trusted the break-glass role {role} in account {account} to {OUTSIDE_ACCOUNT}",
            role_address(BREAK_GLASS, account),
            "AssumeRolePolicyDocument",
        )
    ]


OUTSIDE_ACCOUNT = "arn:aws:iam::999999999999:root"


def tamper_network(spec: LandingZoneSpec, endpoint_url: str | None = None) -> list[Drift]:
    """In the management account (where the guardrail `deny-default-vpc-creation` does not apply), re-create the
    home region's default VPC and turn EBS encryption by default off, as an administrator would by hand.

    Nothing when the spec leaves those settings alone there."""
    region = spec.organization.home_region
    network = spec.network
    removal = network.remove_default_vpcs
    ec2 = boto3.client("ec2", endpoint_url=endpoint_url, region_name=region)
    drifts = []
    removes_here = removal.enabled and MANAGEMENT not in removal.except_accounts
    if removes_here and (removal.regions == "enabled" or region in removal.regions):
        vpc = ec2.create_default_vpc()["Vpc"]["VpcId"]
        drifts.append(
            Drift(
                f"re-created the default VPC of {region} in the management account ({vpc})",
                default_vpc_address(MANAGEMENT, region),
                "DefaultVpc",
            )
        )
    if network.ebs_encryption.enabled and region in spec.organization.allowed_regions:
        ec2.disable_ebs_encryption_by_default()
        drifts.append(
            Drift(
                f"turned EBS encryption by default off in {region} in the management account",
                ebs_encryption_address(MANAGEMENT, region),
                "EbsEncryptionByDefault",
            )
        )
    return drifts


def tamper_billing(spec: LandingZoneSpec, endpoint_url: str | None = None) -> list[Drift]:
    """Unsubscribe the last billing subscriber from the billing alarm topic, as someone silencing the alarms
    before running up a bill would. Nothing when the spec builds no billing layer."""
    if not billing_applies(spec):
        return []
    sns = boto3.client("sns", endpoint_url=endpoint_url, region_name=BILLING_REGION)
    name = billing_topic_name(spec)
    arn = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].rsplit(":", 1)[-1] == name)
    email = spec.billing.emails[-1]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    sns.unsubscribe(SubscriptionArn=next(s["SubscriptionArn"] for s in subscriptions if s["Endpoint"] == email))
    return [Drift(f"removed the billing alarm subscriber {email} from {name}", billing_subscription_address(email), "")]


def tamper_custom_vpc(spec: LandingZoneSpec, endpoint_url: str | None = None) -> list[Drift]:
    """Open the default security group of the first custom VPC to the whole internet on SSH (CIS 5.4 wants it
    empty), as an administrator of that member account would, through OrganizationAccountAccessRole.

    Nothing when no custom VPC lands in any account."""
    vpcs = allocate(spec)
    if not vpcs:
        return []
    vpc = vpcs[0]
    client = _organizations(endpoint_url)
    account_id = next(
        a["Id"]
        for page in client.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
        if a["Name"] == vpc.account
    )
    creds = boto3.client("sts", endpoint_url=endpoint_url).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="outsider"
    )["Credentials"]
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint_url,
        region_name=vpc.region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    address = vpc_address(vpc.spec.name, vpc.account, vpc.region)
    (found,) = ec2.describe_vpcs(Filters=[{"Name": "tag:bootstrap:address", "Values": [address]}])["Vpcs"]
    filters = [{"Name": "vpc-id", "Values": [found["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    group = ec2.describe_security_groups(Filters=filters)["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    return [
        Drift(
            f"opened SSH from anywhere on the default security group {group} of the custom VPC {vpc.spec.name} in "
            f"account {vpc.account} ({vpc.region})",
            vpc_address(vpc.spec.name, vpc.account, vpc.region, "default-security-group"),
            "SecurityGroupIngress",
        )
    ]
