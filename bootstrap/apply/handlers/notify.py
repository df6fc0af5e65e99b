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

from bootstrap.apply.context import ApplyContext, Outputs
from bootstrap.aws.retry import error_code, with_retries
from bootstrap.errors import SafetyError
from bootstrap.plan.model import Change
from bootstrap.resources import MANAGED_TAG, Resource


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
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        iam = ctx.client("iam", resource.location)
        name = props["RoleName"]
        try:
            with_retries(
                lambda: iam.create_role(
                    RoleName=name,
                    AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
                    Description=props.get("Description", ""),
                    Tags=[{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags", [])],
                ),
                sleep=ctx.sleep,
            )
        except ClientError as err:
            if error_code(err) != "EntityAlreadyExists":
                raise
            self._existing(iam, resource, name)
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]))
        self._policies(iam, name, props, before=[])
        role = iam.get_role(RoleName=name)["Role"]
        return Outputs(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        iam = ctx.client("iam", resource.location)
        name = props["RoleName"]
        changed = {d.name for d in change.diffs}
        if "AssumeRolePolicyDocument" in changed:
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]))
        if "Description" in changed:
            iam.update_role(RoleName=name, Description=props.get("Description", ""))
        if "Policies" in changed:
            self._policies(iam, name, props, before=(change.before or {}).get("Policies") or [])
        role = iam.get_role(RoleName=name)["Role"]
        return Outputs(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    @staticmethod
    def _existing(iam: Any, resource: Resource, name: str) -> None:
        """A role of this name made since the plan was read: resumed if an interrupted run of the toolkit
        made it (it carries the ownership tag), refused otherwise."""
        tags = {t["Key"]: t["Value"] for t in iam.get_role(RoleName=name)["Role"].get("Tags", [])}
        if tags.get(MANAGED_TAG) != "true":
            raise SafetyError(
                f"an IAM role named {name} ({resource.address}) already exists and was not created by the toolkit "
                f"(no {MANAGED_TAG} tag): refusing to adopt it or rewrite its trust policy",
                "Rename or delete that role if it is not needed, then run `bootstrap apply` again.",
            )

    @staticmethod
    def _policies(iam: Any, name: str, props: dict[str, Any], before: list[dict[str, Any]]) -> None:
        wanted = {p["PolicyName"]: p["PolicyDocument"] for p in props.get("Policies", [])}
        for policy, document in wanted.items():
            iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document))
        for old in before:
            if old["PolicyName"] not in wanted:
                iam.delete_role_policy(RoleName=name, PolicyName=old["PolicyName"])

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        iam = ctx.client("iam", change.location)
        name = str(change.physical_id)
        for policy in (change.before or {}).get("Policies") or []:
            iam.delete_role_policy(RoleName=name, PolicyName=policy["PolicyName"])
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
