"""SNS topics, their access policies and subscriptions (the alarm topics and their subscribers): how they are
read, compared, changed, and the IAM actions that takes.

Reading: one `list_topics` per account-region, then the attributes and tags of the spec's topics, and the
subscriptions of each (a subscription waiting for its e-mail confirmation exists all the same). A topic is owned
when tagged `bootstrap:managed`, and its access policy with it.

Changing: `create_topic` and `subscribe` are idempotent in AWS itself (same name, same endpoint), so a re-run
after an interruption finds what the first run made.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.observed import ObservedResource
from bootstrap.resources import MANAGED_TAG, Location, Resource
from bootstrap.types.base import ClientFor, HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.mapping import tag_dict
from bootstrap.types.pages import pages

TOPIC = "AWS::SNS::Topic"
TOPIC_POLICY = "AWS::SNS::TopicPolicy"
SUBSCRIPTION = "AWS::SNS::Subscription"


def _topics(scope: ReadScope) -> dict[str, str]:
    def read() -> dict[str, str]:
        arns = [t["TopicArn"] for t in pages(scope.client("sns"), "list_topics", "Topics")]
        return {arn.rsplit(":", 1)[-1]: arn for arn in arns}

    return dict(scope.once("sns.topics", read))


def _owned_topics(scope: ReadScope) -> dict[str, bool]:
    """Topic ARN -> owned, as `read_topics` found it: a topic's policy is the toolkit's when its topic is."""
    owned: dict[str, bool] = scope.once("sns.owned", dict)
    return owned


def read_topics(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    sns = scope.client("sns")
    topics = _topics(scope)
    found = {}
    for resource in resources:
        arn = topics.get(str(resource.properties["TopicName"]))
        if arn is None:
            continue
        answered, listed = scope.gather(
            [partial(sns.get_topic_attributes, TopicArn=arn), partial(sns.list_tags_for_resource, ResourceArn=arn)]
        )
        attributes = answered["Attributes"]
        tags = tag_dict(listed.get("Tags", []))
        _owned_topics(scope)[arn] = tags.get(MANAGED_TAG) == "true"
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            arn,
            {
                "TopicName": arn.rsplit(":", 1)[-1],
                "DisplayName": attributes.get("DisplayName", ""),
                "KmsMasterKeyId": attributes.get("KmsMasterKeyId"),
            },
            owned=tags.get(MANAGED_TAG) == "true",
            attributes={"TopicArn": arn, "TopicName": arn.rsplit(":", 1)[-1]},
        )
    return found


def read_topic_policies(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """The access policy of each of the toolkit's topics (a topic attribute, no object of its own: it
    belongs to its topic, whose tags say whose it is)."""
    sns = scope.client("sns")
    topics = _topics(scope)
    found = {}
    for resource in resources:
        topic = scope.logical(next(iter(resource.properties.get("Topics") or [None])))
        arn = topics.get(str(topic.properties["TopicName"])) if topic else None
        if arn is None:
            continue  # the topic is absent: its policy is set once it exists
        policy = sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("Policy")
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            arn,
            {"Topics": [arn], "PolicyDocument": json.loads(policy) if policy else None},
            owned=bool(_owned_topics(scope).get(arn)),
        )
    return found


def read_subscriptions(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """Subscriptions of the toolkit's topics, matched by protocol and endpoint. A subscription waiting
    for its e-mail confirmation has no ARN yet; it exists all the same (subscribing again would only send
    another confirmation mail)."""
    sns = scope.client("sns")
    topics = _topics(scope)
    found = {}
    listed: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        topic = scope.logical(resource.properties.get("TopicArn"))
        arn = topics.get(str(topic.properties["TopicName"])) if topic else None
        if arn is None:
            continue
        if arn not in listed:
            listed[arn] = pages(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn)
        match = next(
            (
                s
                for s in listed[arn]
                if s["Protocol"] == resource.properties["Protocol"] and s["Endpoint"] == resource.properties["Endpoint"]
            ),
            None,
        )
        if match is not None:
            found[resource.address] = ObservedResource(
                resource.address,
                resource.type,
                match["SubscriptionArn"],
                {"TopicArn": arn, "Protocol": match["Protocol"], "Endpoint": match["Endpoint"]},
                owned=True,
            )
    return found


class TopicHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sns = ctx.client("sns", resource.location)
        attributes = {k: str(props[k]) for k in ("DisplayName", "KmsMasterKeyId") if props.get(k)}
        arn = with_retries(
            lambda: sns.create_topic(
                Name=props["TopicName"],
                Attributes=attributes,
                Tags=list(props.get("Tags", [])),
            ),
            sleep=ctx.sleep,
        )["TopicArn"]
        return Outputs(arn, {"TopicArn": arn, "TopicName": props["TopicName"]})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sns = ctx.client("sns", resource.location)
        arn = str(change.physical_id)
        for diff in change.diffs:
            if diff.name in ("DisplayName", "KmsMasterKeyId"):
                sns.set_topic_attributes(
                    TopicArn=arn, AttributeName=diff.name, AttributeValue=str(props.get(diff.name) or "")
                )
        return Outputs(arn, {"TopicArn": arn, "TopicName": props["TopicName"]})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        ctx.client("sns", change.location).delete_topic(TopicArn=str(change.physical_id))


class SubscriptionHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sns = ctx.client("sns", resource.location)
        arn = sns.subscribe(
            TopicArn=props["TopicArn"],
            Protocol=props["Protocol"],
            Endpoint=props["Endpoint"],
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return Outputs(arn)

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        return self.create(ctx, resource, props, change)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        if not str(change.physical_id).startswith("arn:"):
            return  # still waiting for its confirmation: AWS deletes unconfirmed subscriptions by itself
        try:
            ctx.client("sns", change.location).unsubscribe(SubscriptionArn=str(change.physical_id))
        except ClientError as err:
            if error_code(err) != "NotFound":
                raise


class TopicPolicyHandler:
    """A topic's access policy: the `Policy` attribute of its topic, written whole (SNS has no call that
    edits one statement). Never removed by the toolkit: it goes with its topic."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sns = ctx.client("sns", resource.location)
        document = json.dumps(props["PolicyDocument"])
        for arn in props["Topics"]:
            with_retries(
                partial(sns.set_topic_attributes, TopicArn=arn, AttributeName="Policy", AttributeValue=document),
                sleep=ctx.sleep,
            )
        return Outputs(str(props["Topics"][0]))

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never removes a topic's access policy ({change.address}); it goes with its topic",
            "Delete the topic by hand if it is no longer needed.",
        )


def tag_topic(client: ClientFor, where: Location, arn: str, tags: dict[str, str]) -> None:
    client.client("sns", where).tag_resource(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


TYPES = (
    ResourceType(
        TOPIC,
        TypeRule(compared=("TopicName", "DisplayName", "KmsMasterKeyId"), replace_on=frozenset({"TopicName"})),
        TopicHandler(),
        read_topics,
        read_actions=("sns:ListTopics", "sns:GetTopicAttributes", "sns:ListTagsForResource"),
        write_actions=("sns:CreateTopic", "sns:TagResource", "sns:SetTopicAttributes", "sns:DeleteTopic"),
        service="sns",
        tagger=tag_topic,
    ),
    ResourceType(
        TOPIC_POLICY,
        TypeRule(compared=("Topics", "PolicyDocument"), replace_on=frozenset({"Topics"}), deletable=False),
        TopicPolicyHandler(),
        read_topic_policies,
        read_actions=("sns:ListTopics", "sns:GetTopicAttributes"),
        write_actions=("sns:SetTopicAttributes",),
        service="sns",
    ),
    ResourceType(
        SUBSCRIPTION,
        TypeRule(
            compared=("TopicArn", "Protocol", "Endpoint"), replace_on=frozenset({"TopicArn", "Protocol", "Endpoint"})
        ),
        SubscriptionHandler(),
        read_subscriptions,
        read_actions=("sns:ListTopics", "sns:ListSubscriptionsByTopic"),
        write_actions=("sns:Subscribe", "sns:Unsubscribe"),
        service="sns",
    ),
)
