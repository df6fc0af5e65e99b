"""The network blueprint: what each VPC instance is made of, templates below CloudFormation's 500 resources, and the
log archive's bucket and key opened to VPC flow logs only when a VPC sends them there, for this organization only."""

from __future__ import annotations

import json
from collections import Counter

from variants import default_spec, network_spec

from blueprints import log_archive, network
from bootstrap.desired import desired_state
from bootstrap.resources import ADDRESS_TAG, MANAGED_TAG
from bootstrap.spec.network_plan import allocate

MANY = [
    {
        "name": f"vpc{n:02d}",
        "accounts": ["app-prod"],
        "size": 22,
        "availability_zones": 3,
        "subnets": [{"tier": "public", "size": 26}, {"tier": "private", "size": 26}, {"tier": "isolated", "size": 26}],
        "nat_gateways": "per_az",
        "gateway_endpoints": ["s3", "dynamodb"],
        "flow_logs": {"destination": "cloudwatch"},
    }
    for n in range(12)
]


def test_a_vpc_with_every_tier_and_a_nat_per_zone_has_every_part() -> None:
    spec = network_spec(default_spec())
    resources = [r for r in desired_state(spec).resources if r.address.startswith("network/vpc/main/app-prod/")]
    kinds = Counter(r.type.rsplit("::", 1)[1] for r in resources)
    assert kinds == {
        "VPC": 1, "DefaultSecurityGroup": 1, "Subnet": 6, "SubnetRouteTableAssociation": 6, "InternetGateway": 1,
        "VPCGatewayAttachment": 1, "EIP": 2, "NatGateway": 2, "RouteTable": 4, "Route": 3, "VPCEndpoint": 2,
        "FlowLog": 1,
    }  # fmt: skip
    assert not [r for r in resources if r.type == "AWS::EC2::Subnet" and r.properties["MapPublicIpOnLaunch"]]
    for resource in resources:
        if "Tags" in resource.properties:
            tags = {t["Key"]: t["Value"] for t in resource.properties["Tags"]}
            assert tags[MANAGED_TAG] == "true" and tags[ADDRESS_TAG] == resource.address
    (flow,) = [r for r in resources if r.type == "AWS::EC2::FlowLog"]
    assert flow.properties["LogDestination"] == "arn:aws:s3:::acme-logs-123456789012-us-east-1"  # bare: no prefix
    assert flow.properties["TrafficType"] == "ALL"
    (group,) = [r for r in resources if r.type == network.DEFAULT_SECURITY_GROUP]
    assert group.properties["SecurityGroupIngress"] == [] and group.properties["SecurityGroupEgress"] == []


def test_many_vpcs_in_one_account_region_are_split_below_500_resources() -> None:
    spec = network_spec(default_spec(), MANY)
    blueprints = network.build(spec)
    assert len(blueprints) > 1
    assert all(len(bp.template.resources) < 500 for bp in blueprints)
    vpcs = [r for bp in blueprints for r in bp.resources if r.type == "AWS::EC2::VPC"]
    assert len(vpcs) == len(allocate(spec)) == 12
    roles = [r for bp in blueprints for r in bp.resources if r.type == "AWS::IAM::Role"]
    assert len(roles) == 1  # one delivery role per account, whatever its VPCs and regions


def _flow_log_statements(document: dict[str, object]) -> list[dict[str, object]]:
    statements = document["Statement"]
    assert isinstance(statements, list)
    return [s for s in statements if "delivery.logs.amazonaws.com" in json.dumps(s.get("Principal"))]


def test_the_log_archive_lets_flow_logs_in_only_when_a_vpc_sends_them_there() -> None:
    assert not _flow_log_statements(log_archive.log_bucket_policy(default_spec()))
    cloudwatch_only = network_spec(default_spec(), [{**MANY[0], "accounts": ["app-dev"]}])
    assert not _flow_log_statements(log_archive.log_bucket_policy(cloudwatch_only))
    spec = network_spec(default_spec())
    bucket = _flow_log_statements(log_archive.log_bucket_policy(spec))
    assert {json.dumps(s["Action"]) for s in bucket} == {'["s3:GetBucketAcl", "s3:ListBucket"]', '"s3:PutObject"'}
    for statement in bucket:
        conditions = json.loads(json.dumps(statement["Condition"], default=lambda o: o.to_dict()))
        assert conditions["StringEquals"]["aws:SourceOrgID"] == {"Ref": "OrganizationId"}
    (write,) = [s for s in bucket if s["Action"] == "s3:PutObject"]
    assert write["Resource"] == "arn:aws:s3:::acme-logs-123456789012-us-east-1/AWSLogs/*"
    key = desired_state(spec).by_address["logging/key/logs"].properties["KeyPolicy"]
    (kms,) = _flow_log_statements(key)
    assert kms["Action"] == "kms:GenerateDataKey*" and "aws:SourceOrgID" in json.dumps(kms["Condition"])
