"""CIS AWS Foundations Benchmark v3.0 section 4: the metric filters to put on the organization trail's log
group, as published (Security Hub's CloudWatch.x checks compare the patterns exactly).

One deliberate deviation, 4.1. As published, its pattern is
`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") ||
($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }`: the `||` before
the two negations makes it match nearly every event (every event not from log delivery), so the alarm
would fire all the time and be ignored. We keep the first two clauses only, which is what the benchmark
means (unauthorized calls), what CIS v1.2 printed and what Security Hub's CloudWatch.2 check expects.
The runbook `mfa-delete.md` and the log-archive spec docs repeat this.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CisFilter:
    control: str
    slug: str
    metric: str
    title: str
    pattern: str

    @property
    def key(self) -> str:
        """`4-1`: used in addresses, logical ids and names."""
        return self.control.replace(".", "-")


FILTERS: tuple[CisFilter, ...] = (
    CisFilter(
        "4.1",
        "unauthorized-api-calls",
        "UnauthorizedAPICalls",
        "Unauthorized API calls",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    ),
    CisFilter(
        "4.2",
        "console-signin-without-mfa",
        "ConsoleSigninWithoutMFA",
        "Console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    ),
    CisFilter(
        "4.3",
        "root-account-usage",
        "RootAccountUsage",
        "Use of the root user",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    ),
    CisFilter(
        "4.4",
        "iam-policy-changes",
        "IAMPolicyChanges",
        "IAM policy changes",
        "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
        "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
        "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
        "($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
        "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||"
        "($.eventName=DetachGroupPolicy)}",
    ),
    CisFilter(
        "4.5",
        "cloudtrail-changes",
        "CloudTrailConfigChanges",
        "CloudTrail configuration changes",
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
        "($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    ),
    CisFilter(
        "4.6",
        "console-auth-failures",
        "ConsoleSigninFailures",
        "Console authentication failures",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    CisFilter(
        "4.7",
        "cmk-disable-or-deletion",
        "DisableOrDeleteCMK",
        "Disabling or scheduled deletion of KMS keys",
        "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    ),
    CisFilter(
        "4.8",
        "s3-bucket-policy-changes",
        "S3BucketPolicyChanges",
        "S3 bucket policy changes",
        "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) "
        "|| ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = "
        "PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || "
        "($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    ),
    CisFilter(
        "4.9",
        "config-changes",
        "AWSConfigChanges",
        "AWS Config configuration changes",
        "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
        "($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||"
        "($.eventName=PutConfigurationRecorder)) }",
    ),
    CisFilter(
        "4.10",
        "security-group-changes",
        "SecurityGroupChanges",
        "Security group changes",
        "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
        "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
        "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    ),
    CisFilter(
        "4.11",
        "nacl-changes",
        "NACLChanges",
        "Network ACL changes",
        "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = "
        "DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) "
        "|| ($.eventName = ReplaceNetworkAclAssociation) }",
    ),
    CisFilter(
        "4.12",
        "network-gateway-changes",
        "NetworkGatewayChanges",
        "Network gateway changes",
        "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = "
        "AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = "
        "DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    ),
    CisFilter(
        "4.13",
        "route-table-changes",
        "RouteTableChanges",
        "Route table changes",
        "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
        "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = "
        "DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
    ),
    CisFilter(
        "4.14",
        "vpc-changes",
        "VPCChanges",
        "VPC changes",
        "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
        "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
        "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
        "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = "
        "DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    ),
    CisFilter(
        "4.15",
        "organizations-changes",
        "OrganizationsChanges",
        "AWS Organizations changes",
        '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
        '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = '
        '"CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || '
        '($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = '
        '"DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || '
        '($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = '
        '"LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") '
        '|| ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
    ),
)
