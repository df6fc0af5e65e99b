"""Handlers for SNS topics, their access policies and subscriptions, and for IAM roles with inline policies.

`create_topic` and `subscribe` are idempotent in AWS itself (same name, same endpoint), so a re-run after
an interruption finds what the first run made. A role's trust policy and inline policies are rewritten
whole when they drift; inline policies the spec no longer names are removed. A role of the toolkit's name
that it did not create (no `bootstrap:managed` tag) is never adopted: its trust policy is someone else's.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from blueprints.roles import BOOTSTRAP, role_address
from bootstrap.apply.context import ApplyContext, Outputs
from bootstrap.aws.retry import error_code, with_retries
from bootstrap.errors import SafetyError
from bootstrap.plan.model import Change
from bootstrap.resources import ADDRESS_TAG_PROPERTY, MANAGED_TAG, Resource


class TopicHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sns = ctx.client("sns", resource.location)
        attributes = {k: str(props[k]) for k in ("DisplayName", "KmsMasterKeyId") if props.get(k)}
        arn = with_retries(
            lambda: sns.create_topic(
                Name=props["TopicName"],
                Attributes=attributes,
                Tags=[{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags", [])],
            ),
            sleep=ctx.sleep,
        )["TopicArn"]
        return Outputs(arn, {"TopicArn": arn, "TopicName": props["TopicName"]})

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sns = ctx.client("sns", resource.location)
        arn = str(change.physical_id)
        for diff in change.diffs:
            if diff.name in ("DisplayName", "KmsMasterKeyId"):
                sns.set_topic_attributes(
                    TopicArn=arn, AttributeName=diff.name, AttributeValue=str(props.get(diff.name) or "")
                )
        return Outputs(arn, {"TopicArn": arn, "TopicName": props["TopicName"]})

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        ctx.client("sns", change.location).delete_topic(TopicArn=change.physical_id)


class SubscriptionHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sns = ctx.client("sns", resource.location)
        arn = sns.subscribe(
            TopicArn=props["TopicArn"],
            Protocol=props["Protocol"],
            Endpoint=props["Endpoint"],
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return Outputs(arn)

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        return self.create(ctx, resource, props, change)

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        if not str(change.physical_id).startswith("arn:"):
            return  # still waiting for its confirmation: AWS deletes unconfirmed subscriptions by itself
        try:
            ctx.client("sns", change.location).unsubscribe(SubscriptionArn=change.physical_id)
        except ClientError as err:
            if error_code(err) != "NotFound":
                raise


class RoleHandler:
    """IAM roles: the trail's delivery role and the landing zone's own roles (`blueprints/roles.py`).

    A role the blueprint names by `import_id` is adopted when it exists untagged (its trust and policies
    set to the spec's, its tags stamped); any other untagged role of a wanted name is refused. Inline
    policies are written before managed policies are detached, so an administrator role never passes
    through a moment without its permissions. Once the bootstrap role of a member account is in place, the
    toolkit enters that account through it (`Sessions.enter_as`)."""

    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        iam = ctx.client("iam", resource.location)
        name = props["RoleName"]
        try:
            with_retries(
                lambda: iam.create_role(
                    RoleName=name,
                    AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
                    Description=props.get("Description", ""),
                    MaxSessionDuration=int(props.get("MaxSessionDuration", 3600)),
                    Tags=_tags(props),
                ),
                sleep=ctx.sleep,
            )
            before: dict[str, Any] = {}
        except ClientError as err:
            if error_code(err) != "EntityAlreadyExists":
                raise
            before = self._existing(iam, resource, name)
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]))
            iam.update_role(
                RoleName=name,
                Description=props.get("Description", ""),
                MaxSessionDuration=int(props.get("MaxSessionDuration", 3600)),
            )
            iam.tag_role(RoleName=name, Tags=_tags(props))
        self._policies(iam, name, props, before=before.get("Policies") or [])
        self._managed(iam, name, props, before=before.get("ManagedPolicyArns") or [])
        return self._done(ctx, iam, resource, name)

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        iam = ctx.client("iam", resource.location)
        name = props["RoleName"]
        changed = {d.name for d in change.diffs}
        before = change.before or {}
        if "AssumeRolePolicyDocument" in changed:
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]))
        if changed & {"Description", "MaxSessionDuration"}:
            iam.update_role(
                RoleName=name,
                Description=props.get("Description", ""),
                MaxSessionDuration=int(props.get("MaxSessionDuration", 3600)),
            )
        if "Policies" in changed:
            self._policies(iam, name, props, before=before.get("Policies") or [])
        if "ManagedPolicyArns" in changed:
            self._managed(iam, name, props, before=before.get("ManagedPolicyArns") or [])
        if ADDRESS_TAG_PROPERTY in changed:
            iam.tag_role(RoleName=name, Tags=_tags(props))
        return self._done(ctx, iam, resource, name)

    @staticmethod
    def _done(ctx: ApplyContext, iam: Any, resource: Resource, name: str) -> Outputs:
        role = iam.get_role(RoleName=name)["Role"]
        account_id = ctx.account_id(resource.location.account)
        if account_id is not None and resource.address == role_address(BOOTSTRAP, resource.location.account):
            ctx.sessions.enter_as(account_id, name, timeout=ctx.wait_timeout, sleep=ctx.sleep)
        return Outputs(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    @staticmethod
    def _existing(iam: Any, resource: Resource, name: str) -> dict[str, Any]:
        """A role of this name made since the plan was read: resumed if an interrupted run of the toolkit
        made it (it carries the ownership tag) or adopted if the blueprint names it (`import_id`), refused
        otherwise. Returns what it holds now, for the policies to be brought to the spec."""
        role = iam.get_role(RoleName=name)["Role"]
        tags = {t["Key"]: t["Value"] for t in role.get("Tags", [])}
        if tags.get(MANAGED_TAG) != "true" and resource.import_id is None:
            raise SafetyError(
                f"an IAM role named {name} ({resource.address}) already exists and was not created by the toolkit "
                f"(no {MANAGED_TAG} tag): refusing to adopt it or rewrite its trust policy",
                "Rename or delete that role if it is not needed, then run `bootstrap apply` again.",
            )
        inline = iam.get_paginator("list_role_policies").paginate(RoleName=name)
        attached = iam.get_paginator("list_attached_role_policies").paginate(RoleName=name)
        return {
            "Policies": [{"PolicyName": n} for page in inline for n in page["PolicyNames"]],
            "ManagedPolicyArns": [a["PolicyArn"] for page in attached for a in page["AttachedPolicies"]],
        }

    @staticmethod
    def _policies(iam: Any, name: str, props: dict[str, Any], before: list[dict[str, Any]]) -> None:
        wanted = {p["PolicyName"]: p["PolicyDocument"] for p in props.get("Policies", [])}
        for policy, document in wanted.items():
            iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document))
        for old in before:
            if old["PolicyName"] not in wanted:
                iam.delete_role_policy(RoleName=name, PolicyName=old["PolicyName"])

    @staticmethod
    def _managed(iam: Any, name: str, props: dict[str, Any], before: list[str]) -> None:
        wanted = list(props.get("ManagedPolicyArns") or [])
        for arn in wanted:
            if arn not in before:
                iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        for arn in before:
            if arn not in wanted:
                iam.detach_role_policy(RoleName=name, PolicyArn=arn)

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        iam = ctx.client("iam", change.location)
        name = str(change.physical_id)
        for policy in (change.before or {}).get("Policies") or []:
            iam.delete_role_policy(RoleName=name, PolicyName=policy["PolicyName"])
        for arn in (change.before or {}).get("ManagedPolicyArns") or []:
            iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        try:
            iam.delete_role(RoleName=name)
        except ClientError as err:
            if error_code(err) != "NoSuchEntity":
                raise


class TopicPolicyHandler:
    """A topic's access policy: the `Policy` attribute of its topic, written whole (SNS has no call that
    edits one statement). Never removed by the toolkit: it goes with its topic."""

    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sns = ctx.client("sns", resource.location)
        document = json.dumps(props["PolicyDocument"])
        for arn in props["Topics"]:
            with_retries(
                partial(sns.set_topic_attributes, TopicArn=arn, AttributeName="Policy", AttributeValue=document),
                sleep=ctx.sleep,
            )
        return Outputs(str(props["Topics"][0]))

    update = create

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never removes a topic's access policy ({change.address}); it goes with its topic",
            "Delete the topic by hand if it is no longer needed.",
        )


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags", [])]
