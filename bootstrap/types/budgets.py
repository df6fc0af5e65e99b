"""AWS Budgets cost budgets (`AWS::Budgets::Budget`): how they are read, compared, changed, and the IAM actions
that takes.

A budget is the toolkit's by its derived name (Budgets has no ownership tags the sandbox can read back). Reading:
one `DescribeBudgets` per account, then each of the spec's budgets' notifications and their subscribers.

Changing: on AWS a budget is changed in place, never deleted and re-created, which would lose its history of
actual and forecast spend: `UpdateBudget` for its amount and filters, `CreateNotification`/`DeleteNotification`
for its thresholds, `CreateSubscriber`/`DeleteSubscriber` for who is told. The sandbox (moto) has no
`UpdateBudget`, `CreateSubscriber` or `DescribeSubscribersForNotification`: there a change deletes and re-creates
the budget (a sandbox budget has no history to lose), subscribers are not read back, and the plan says both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule, items_removed

BUDGET = "AWS::Budgets::Budget"

BUDGET_FIELDS = ("BudgetName", "BudgetType", "TimeUnit", "BudgetLimit", "CostFilters")
"""The parts of a budget (`Budget` in CloudFormation, `BudgetData`) the toolkit sets and compares."""

SANDBOX_NOTE = (
    "the sandbox has no UpdateBudget, CreateSubscriber or DescribeSubscribersForNotification: there a change to "
    "this budget deletes and re-creates it, and its subscribers are not read back (not compared). On AWS the "
    "toolkit changes a budget in place with UpdateBudget, keeping its history"
)


def _number(value: Any) -> float | int:
    """Budgets answers amounts as text ("250.0") and thresholds as numbers (80.0): one number either way."""
    number = float(value)
    return int(number) if number.is_integer() else number


def budget_data(budget: Mapping[str, Any]) -> dict[str, Any]:
    """The compared parts of a budget, amounts as numbers (the same for the spec's and the live one)."""
    data = {k: budget[k] for k in BUDGET_FIELDS if budget.get(k)}
    if "BudgetLimit" in data:
        data["BudgetLimit"] = {"Amount": _number(data["BudgetLimit"]["Amount"]), "Unit": data["BudgetLimit"]["Unit"]}
    return data


def notification_key(notification: Mapping[str, Any]) -> tuple[str, str, float, str]:
    return (
        str(notification["NotificationType"]),
        str(notification["ComparisonOperator"]),
        float(notification["Threshold"]),
        str(notification.get("ThresholdType", "PERCENTAGE")),
    )


def notification(n: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ComparisonOperator": n["ComparisonOperator"],
        "NotificationType": n["NotificationType"],
        "Threshold": _number(n["Threshold"]),
        "ThresholdType": n.get("ThresholdType", "PERCENTAGE"),
    }


def with_subscribers(n: Mapping[str, Any], subscribers: list[Mapping[str, Any]]) -> dict[str, Any]:
    ordered = sorted(
        ({"Address": s["Address"], "SubscriptionType": s["SubscriptionType"]} for s in subscribers), key=str
    )
    return {"Notification": notification(n), "Subscribers": ordered}


def canonical(notifications: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Notifications with subscribers, in one order (by type and threshold), subscribers by address."""
    shaped = [with_subscribers(n["Notification"], list(n.get("Subscribers") or [])) for n in notifications]
    return sorted(shaped, key=lambda n: notification_key(n["Notification"]))


def _caller(client: Any) -> str:
    return str(client.get_caller_identity()["Account"])


def read_budgets(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    account = scope.account_id or scope.once("sts.caller", lambda: _caller(scope.client("sts")))
    budgets = scope.client("budgets")
    live = {b["BudgetName"]: b for b in _describe_budgets(budgets, account)}
    found = {}
    for resource in resources:
        wanted = resource.properties["Budget"]
        budget = live.get(str(wanted["BudgetName"]))
        if budget is None:
            continue
        listed = budgets.describe_notifications_for_budget(AccountId=account, BudgetName=budget["BudgetName"])
        notifications = []
        desired = {notification_key(n["Notification"]): n for n in resource.properties["NotificationsWithSubscribers"]}
        for n in listed.get("Notifications", []):
            if scope.simulated:
                subscribers = list(desired.get(notification_key(n), {}).get("Subscribers", []))
            else:
                subscribers = budgets.describe_subscribers_for_notification(
                    AccountId=account, BudgetName=budget["BudgetName"], Notification=n
                )["Subscribers"]
            notifications.append({"Notification": n, "Subscribers": subscribers})
        if scope.simulated:
            scope.findings.append(Finding(resource.address, SANDBOX_NOTE))
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            budget["BudgetName"],
            {"Budget": budget_data(budget), "NotificationsWithSubscribers": canonical(notifications)},
            owned=True,
        )
    _report_unknown(scope, resources, live)
    return found


def _report_unknown(scope: ReadScope, resources: list[Resource], live: Mapping[str, Any]) -> None:
    """Budgets named like the toolkit's (`<org>-...-monthly`) that the spec no longer asks for: reported, never
    deleted (a budget the spec dropped may hold history someone still wants)."""
    wanted = sorted(str(r.properties["Budget"]["BudgetName"]) for r in resources)
    prefix = min(wanted, key=len).removesuffix("monthly")  # the organization's budget: `<org>-monthly`
    unknown = sorted(n for n in live if n.startswith(prefix) and n.endswith("-monthly") and n not in wanted)
    if unknown:
        scope.findings.append(
            Finding("billing/budgets", f"budgets named like the toolkit's but not in the spec, left alone: {unknown}")
        )


def _describe_budgets(client: Any, account: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = client.describe_budgets(AccountId=account, **({"NextToken": token} if token else {}))
        found += page.get("Budgets", [])
        token = page.get("NextToken")
        if not token:
            return found


def _api_budget(props: Mapping[str, Any]) -> dict[str, Any]:
    data = budget_data(props["Budget"])
    if "BudgetLimit" in data:
        data["BudgetLimit"] = {"Amount": str(data["BudgetLimit"]["Amount"]), "Unit": data["BudgetLimit"]["Unit"]}
    return data


def _api_notifications(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    return canonical(list(props["NotificationsWithSubscribers"]))


class BudgetHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = ctx.client("budgets", resource.location)
        account = _caller(ctx.client("sts", resource.location))
        try:
            with_retries(
                lambda: client.create_budget(
                    AccountId=account, Budget=_api_budget(props), NotificationsWithSubscribers=_api_notifications(props)
                ),
                sleep=ctx.sleep,
            )
        except ClientError as err:
            if error_code(err) != "DuplicateRecordException":  # an interrupted run made it: bring it to the spec
                raise
            self._update(ctx, client, account, props, change)
        return Outputs(str(props["Budget"]["BudgetName"]))

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = ctx.client("budgets", resource.location)
        account = _caller(ctx.client("sts", resource.location))
        if ctx.sessions.target.simulated:  # no UpdateBudget there (SANDBOX_NOTE); a sandbox budget has no history
            client.delete_budget(AccountId=account, BudgetName=str(change.physical_id))
            client.create_budget(
                AccountId=account, Budget=_api_budget(props), NotificationsWithSubscribers=_api_notifications(props)
            )
        else:
            self._update(ctx, client, account, props, change)
        return Outputs(str(props["Budget"]["BudgetName"]))

    def _update(self, ctx: HandlerContext, client: Any, account: str, props: dict[str, Any], change: Change) -> None:
        """In place, keeping the budget's history: the budget itself, then each notification and subscriber."""
        name = str(props["Budget"]["BudgetName"])
        client.update_budget(AccountId=account, NewBudget=_api_budget(props))
        listed = client.describe_notifications_for_budget(AccountId=account, BudgetName=name).get("Notifications", [])
        live = {notification_key(n): n for n in listed}
        for wanted in _api_notifications(props):
            key = notification_key(wanted["Notification"])
            if key not in live:
                client.create_notification(
                    AccountId=account,
                    BudgetName=name,
                    Notification=wanted["Notification"],
                    Subscribers=wanted["Subscribers"],
                )
                continue
            current = client.describe_subscribers_for_notification(
                AccountId=account, BudgetName=name, Notification=live.pop(key)
            )["Subscribers"]
            have = {(s["SubscriptionType"], s["Address"]) for s in current}
            want = {(s["SubscriptionType"], s["Address"]) for s in wanted["Subscribers"]}
            for kind, address in sorted(want - have):
                client.create_subscriber(
                    AccountId=account,
                    BudgetName=name,
                    Notification=wanted["Notification"],
                    Subscriber={"SubscriptionType": kind, "Address": address},
                )
            for kind, address in sorted(have - want):
                client.delete_subscriber(
                    AccountId=account,
                    BudgetName=name,
                    Notification=wanted["Notification"],
                    Subscriber={"SubscriptionType": kind, "Address": address},
                )
        for extra in live.values():
            client.delete_notification(AccountId=account, BudgetName=name, Notification=extra)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        client = ctx.client("budgets", change.location)
        account = _caller(ctx.client("sts", change.location))
        try:
            client.delete_budget(AccountId=account, BudgetName=str(change.physical_id))
        except ClientError as err:
            if error_code(err) != "NotFoundException":
                raise


TYPES = (
    ResourceType(
        BUDGET,
        TypeRule(
            compared=("Budget", "NotificationsWithSubscribers"),
            weakens={"NotificationsWithSubscribers": items_removed},
            weakens_on_delete=True,
        ),
        BudgetHandler(),
        read_budgets,
        read_actions=("budgets:ViewBudget",),
        write_actions=("budgets:ModifyBudget",),
        service="budgets",
    ),
)
