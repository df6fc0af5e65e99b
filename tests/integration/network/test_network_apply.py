"""Custom VPCs against in-process moto: a full create (every tier, NAT per zone, both gateway endpoints, flow logs
to S3 and to CloudWatch Logs), what it built, and a no-op plan that writes nothing and reads little."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bootstrap.aws.session import Sessions
from bootstrap.aws.stats import is_write
from bootstrap.names import vpc_address
from bootstrap.spec.log_archive import log_bucket_name
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live


def test_a_full_create_builds_every_part(applied: LandingZoneSpec, net_outsider: Any) -> None:
    ec2 = net_outsider.ec2("app-prod")
    vpc = net_outsider.vpc("main", "app-prod")
    assert vpc["CidrBlock"] == "10.0.0.0/20"
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        answer = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=attribute)
        assert answer[attribute[0].upper() + attribute[1:]]["Value"] is True
    by_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    subnets = ec2.describe_subnets(Filters=by_vpc)["Subnets"]
    assert len(subnets) == 6 and not any(s["MapPublicIpOnLaunch"] for s in subnets)
    nats = [n for n in ec2.describe_nat_gateways(Filters=by_vpc)["NatGateways"] if n["State"] == "available"]
    assert len(nats) == 2
    gateway = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])
    assert len(gateway["InternetGateways"]) == 1
    endpoints = ec2.describe_vpc_endpoints(Filters=by_vpc)["VpcEndpoints"]
    assert sorted(e["ServiceName"].rsplit(".", 1)[1] for e in endpoints) == ["dynamodb", "s3"]
    assert all(len(e["RouteTableIds"]) == 4 for e in endpoints)  # public, private per zone, isolated
    (flow,) = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]
    assert (flow["LogDestinationType"], flow["TrafficType"]) == ("s3", "ALL")
    assert flow["LogDestination"] == f"arn:aws:s3:::{log_bucket_name(applied)}"
    groups = ec2.describe_security_groups(Filters=by_vpc)["SecurityGroups"]
    (group,) = [g for g in groups if g["GroupName"] == "default"]
    assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == []
    table_b = vpc_address("main", "app-prod", "us-east-1", "route-table", "private", "b")
    private = net_outsider.tagged("app-prod", "route_tables", "RouteTables", table_b)
    default = next(r for r in private["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")
    in_b = {s["SubnetId"] for s in subnets if s["AvailabilityZone"].endswith("b")}
    zone_b = next(n for n in nats if n["SubnetId"] in in_b)
    assert default["NatGatewayId"] == zone_b["NatGatewayId"]

    west = net_outsider.ec2("app-prod", "us-west-2")
    data = net_outsider.vpc("data", "app-prod", "us-west-2")
    (flow,) = west.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [data["VpcId"]]}])["FlowLogs"]
    assert (flow["LogDestinationType"], flow["LogGroupName"]) == ("cloud-watch-logs", "/acme/vpc-flow-logs/data")
    assert flow["DeliverLogsPermissionArn"].endswith(":role/acme-vpc-flow-logs")
    logs = net_outsider.client("logs", "app-prod", "us-west-2")
    (log_group,) = logs.describe_log_groups(logGroupNamePrefix="/acme/vpc-flow-logs/")["logGroups"]
    assert log_group["retentionInDays"] == 90


def _count_reads_by_place(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str | None, str | None, str]]:
    """Reads per (account id, region, service), counted on every client the toolkit's sessions hand out."""
    counts: Counter[tuple[str | None, str | None, str]] = Counter()
    original = Sessions.client

    def client(self: Sessions, service: str, *, account_id: str | None = None, region: str | None = None) -> Any:
        made = original(self, service, account_id=account_id, region=region)

        def on_call(model: Any = None, **_: Any) -> None:
            if model is not None and not is_write(f"{service}:{model.name}"):
                counts[(account_id, made.meta.region_name, service)] += 1

        made.meta.events.register("before-call", on_call, unique_id=f"count-reads-{id(made)}")
        return made

    monkeypatch.setattr(Sessions, "client", client)
    return counts


def test_a_no_op_plan_writes_nothing_and_reads_at_most_12_calls_per_vpc_region(
    applied: LandingZoneSpec, sessions: Sessions, net_outsider: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = _count_reads_by_place(monkeypatch)
    sessions.stats.reset()
    live, _ = plan_live(applied, sessions)
    assert live.plan.empty, [(c.address, c.action.value, [d.name for d in c.diffs]) for c in live.plan.changes]
    assert sessions.stats.writes == 0, sessions.stats.snapshot()
    places = [("app-prod", "us-east-1"), ("app-dev", "us-east-1"), ("app-prod", "us-west-2")]
    for account, region in places:
        account_id = net_outsider.account_id(account)
        network = sum(
            n for (a, r, service), n in counts.items() if (a, r) == (account_id, region) and service in ("ec2", "logs")
        )
        assert 0 < network <= 12, (account, region, {k: v for k, v in counts.items() if k[0] == account_id})
