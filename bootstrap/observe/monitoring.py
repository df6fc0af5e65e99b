"""Readers for the trail, its log group, role, metric filters, alarms, topics and topic policies, and the organization's
trusted access and delegated administrator for CloudTrail, in CloudFormation's vocabulary.

Each is one bulk call per account-region (`describe_trails`, `describe_log_groups` by the landing zone's
prefix, `describe_metric_filters` per log group, `describe_alarms` by prefix, `list_topics`) plus a few
reads per object found. Taggable objects are owned when tagged `bootstrap:managed`; metric filters,
alarms and subscriptions are the toolkit's by their derived names.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.observe.state import Finding, ObservedResource
from bootstrap.plan.rules import ALARM_PROPERTIES
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG, Resource

if TYPE_CHECKING:
    from bootstrap.observe.logging import Scope


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def _tag_dict(tags: list[dict[str, str]]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags}


def read_trails(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    cloudtrail = scope.client("cloudtrail")
    trails = {t["Name"]: t for t in cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]}
    found = {}
    for resource in resources:
        trail = trails.get(str(resource.properties["TrailName"]))
        if trail is None:
            continue
        arn = trail["TrailARN"]
        status = cloudtrail.get_trail_status(Name=arn)
        selectors = cloudtrail.get_event_selectors(TrailName=arn).get("EventSelectors") or []
        tag_lists = cloudtrail.list_tags(ResourceIdList=[arn]).get("ResourceTagList", [])
        tags = _tag_dict(tag_lists[0].get("TagsList", [])) if tag_lists else {}
        props = {
            "TrailName": trail["Name"],
            "S3BucketName": trail.get("S3BucketName"),
            "IsOrganizationTrail": bool(trail.get("IsOrganizationTrail")),
            "IsMultiRegionTrail": bool(trail.get("IsMultiRegionTrail")),
            "IncludeGlobalServiceEvents": bool(trail.get("IncludeGlobalServiceEvents")),
            "EnableLogFileValidation": bool(trail.get("LogFileValidationEnabled")),
            "KMSKeyId": trail.get("KmsKeyId"),
            "CloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn"),
            "CloudWatchLogsRoleArn": trail.get("CloudWatchLogsRoleArn"),
            "EventSelectors": [_selector(s) for s in selectors],
            "IsLogging": bool(status.get("IsLogging")),
            "SnsTopicName": trail.get("SnsTopicName") or None,
        }
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            trail["Name"],
            props,
            owned=tags.get(MANAGED_TAG) == "true",
            attributes={"Arn": arn},
        )
    return found


def _selector(selector: dict[str, Any]) -> dict[str, Any]:
    """An event selector as CloudFormation writes it: empty lists are absent."""
    out: dict[str, Any] = {k: selector[k] for k in ("ReadWriteType", "IncludeManagementEvents") if k in selector}
    for key in ("DataResources", "ExcludeManagementEventSources"):
        if selector.get(key):
            out[key] = selector[key]
    return out


def _log_groups(scope: Scope, resources: list[Resource]) -> dict[str, dict[str, Any]]:
    names = {str(r.properties["LogGroupName"]) for r in resources}
    prefix = min(names, key=len).rsplit("/", 1)[0] if names else ""
    logs = scope.client("logs")
    groups = _pages(logs, "describe_log_groups", "logGroups", **({"logGroupNamePrefix": prefix} if prefix else {}))
    return {g["logGroupName"]: g for g in groups if g["logGroupName"] in names}


def read_log_groups(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    groups = _log_groups(scope, resources)
    logs = scope.client("logs")
    found = {}
    for resource in resources:
        group = groups.get(str(resource.properties["LogGroupName"]))
        if group is None:
            continue
        name = group["logGroupName"]
        tags = logs.list_tags_log_group(logGroupName=name).get("tags", {})
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            name,
            {"LogGroupName": name, "RetentionInDays": group.get("retentionInDays"), "KmsKeyId": group.get("kmsKeyId")},
            owned=tags.get(MANAGED_TAG) == "true",
            attributes={"Arn": group.get("arn") or f"{group['logGroupArn']}:*"},
        )
    return found


def read_metric_filters(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    logs = scope.client("logs")
    by_group: dict[str, list[Resource]] = {}
    for resource in resources:
        group = scope.logical(resource.properties.get("LogGroupName"))
        name = str(group.properties["LogGroupName"]) if group else str(resource.properties["LogGroupName"])
        by_group.setdefault(name, []).append(resource)
    found = {}
    for group_name, wanted in by_group.items():
        try:
            filters = _pages(logs, "describe_metric_filters", "metricFilters", logGroupName=group_name)
        except ClientError as err:
            if error_code(err) == "ResourceNotFoundException":
                continue  # the log group itself is absent: every filter will be created with it
            raise
        live = {f["filterName"]: f for f in filters}
        for resource in wanted:
            item = live.get(str(resource.properties["FilterName"]))
            if item is None:
                continue
            found[resource.address] = ObservedResource(
                resource.address,
                resource.type,
                item["filterName"],
                {
                    "FilterName": item["filterName"],
                    "FilterPattern": item.get("filterPattern", ""),
                    "LogGroupName": item.get("logGroupName", group_name),
                    "MetricTransformations": [_transformation(t) for t in item.get("metricTransformations", [])],
                },
                owned=True,
            )
    return found


def _transformation(item: dict[str, Any]) -> dict[str, Any]:
    names = {
        "metricName": "MetricName",
        "metricNamespace": "MetricNamespace",
        "metricValue": "MetricValue",
        "defaultValue": "DefaultValue",
        "unit": "Unit",
    }
    out = {cfn: item[api] for api, cfn in names.items() if item.get(api) not in (None, "None")}
    return out


def read_alarms(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    names = {str(r.properties["AlarmName"]) for r in resources}
    prefix = _common_prefix(names)
    alarms = _pages(scope.client("cloudwatch"), "describe_alarms", "MetricAlarms", AlarmNamePrefix=prefix)
    live = {a["AlarmName"]: a for a in alarms}
    found = {}
    for resource in resources:
        alarm = live.get(str(resource.properties["AlarmName"]))
        if alarm is None:
            continue
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            alarm["AlarmName"],
            {k: alarm.get(k) for k in ALARM_PROPERTIES},
            owned=True,
            attributes={"Arn": alarm["AlarmArn"]},
        )
    unknown = sorted(set(live) - names)
    if unknown:
        scope.findings.append(
            Finding("logging/alarms", f"alarms named like the toolkit's but not in the spec, left alone: {unknown}")
        )
    return found


def _common_prefix(names: set[str]) -> str:
    ordered = sorted(names)
    first, last = ordered[0], ordered[-1]
    size = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), min(len(first), len(last)))
    return first[:size]


def read_roles(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """Roles by name. One of the toolkit's names without its ownership tag is someone else's: reported as
    an error that blocks the plan, because the trail would otherwise be pointed at a role whose trust
    policy the toolkit does not control, and adopting it would rewrite that policy."""
    iam = scope.client("iam")
    found = {}
    for resource in resources:
        name = str(resource.properties["RoleName"])
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except ClientError as err:
            if error_code(err) == "NoSuchEntity":
                continue
            raise
        policies = [
            {
                "PolicyName": policy,
                "PolicyDocument": iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"],
            }
            for policy in sorted(_pages(iam, "list_role_policies", "PolicyNames", RoleName=name))
        ]
        role_tags = _tag_dict(role.get("Tags", []))
        owned = role_tags.get(MANAGED_TAG) == "true"
        path = str(role.get("Path") or "/")
        if path != str(resource.properties.get("Path") or "/"):
            scope.findings.append(
                Finding(
                    resource.address,
                    f"an IAM role named {name} already exists in this account under the path {path}: its ARN "
                    f"({role['Arn']}) is not the one the guardrails exempt or the policies trust, and a role "
                    "cannot be moved to another path, so the toolkit neither adopts nor replaces it. Delete it "
                    "(protect-landing-zone-roles keeps anyone but the bootstrap role from making it again), then "
                    "plan again",
                    "error",
                )
            )
        elif not owned and resource.import_id is None:  # a landing-zone role's name is adopted (blueprints/roles.py)
            scope.findings.append(
                Finding(
                    resource.address,
                    f"an IAM role named {name} already exists in this account but was not created by the toolkit "
                    f"(no {MANAGED_TAG} tag); it is not adopted, and its trust policy is left alone. Rename or "
                    "delete it, then plan again",
                    "error",
                )
            )
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            name,
            {
                "RoleName": name,
                "Description": role.get("Description", ""),
                "AssumeRolePolicyDocument": role["AssumeRolePolicyDocument"],
                "Policies": policies,
                "ManagedPolicyArns": sorted(
                    p["PolicyArn"]
                    for p in _pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
                ),
                "MaxSessionDuration": role.get("MaxSessionDuration", 3600),
                ADDRESS_TAG_PROPERTY: role_tags.get(ADDRESS_TAG) if owned else None,
            },
            owned=owned,
            attributes={"Arn": role["Arn"], "RoleId": role["RoleId"]},
        )
    return found


def _topics(scope: Scope) -> dict[str, str]:
    def read() -> dict[str, str]:
        arns = [t["TopicArn"] for t in _pages(scope.client("sns"), "list_topics", "Topics")]
        return {arn.rsplit(":", 1)[-1]: arn for arn in arns}

    return dict(scope.once("sns.topics", read))


def read_topics(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    sns = scope.client("sns")
    topics = _topics(scope)
    found = {}
    for resource in resources:
        arn = topics.get(str(resource.properties["TopicName"]))
        if arn is None:
            continue
        attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        tags = _tag_dict(sns.list_tags_for_resource(ResourceArn=arn).get("Tags", []))
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


def read_topic_policies(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
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
            owned=True,
        )
    return found


def read_subscriptions(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
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
            listed[arn] = _pages(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn)
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


def read_service_access(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    organizations = scope.client("organizations")
    try:
        enabled = {
            p["ServicePrincipal"]
            for p in _pages(organizations, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
        }
    except ClientError as err:
        if error_code(err) == "AWSOrganizationsNotInUseException":
            return {}
        raise
    return {
        r.address: ObservedResource(r.address, r.type, str(r.properties["ServicePrincipal"]), dict(r.properties), True)
        for r in resources
        if r.properties["ServicePrincipal"] in enabled
    }


def read_delegated_admins(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    organizations = scope.client("organizations")
    found = {}
    for resource in resources:
        principal = str(resource.properties["ServicePrincipal"])
        try:
            admins = _pages(
                organizations, "list_delegated_administrators", "DelegatedAdministrators", ServicePrincipal=principal
            )
        except ClientError as err:
            if error_code(err) == "AWSOrganizationsNotInUseException":
                continue
            raise
        if admins:
            found[resource.address] = ObservedResource(
                resource.address,
                resource.type,
                str(admins[0]["Id"]),
                {"AccountId": str(admins[0]["Id"]), "ServicePrincipal": principal},
                owned=True,
            )
    return found
