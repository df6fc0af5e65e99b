"""CIS AWS Foundations Benchmark v3.0 section 4: the metric filters to put on the organization trail's log
group, as published (Security Hub's CloudWatch.x checks compare the patterns exactly).

One deliberate deviation, 4.1. As published, its pattern is
`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") ||
($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }`: the `||` before
the two negations makes it match nearly every event (every event not from log delivery), so the alarm
would fire all the time and be ignored. We keep the first two clauses only, which is what the benchmark
means (unauthorized calls), what CIS v1.2 printed and what Security Hub's CloudWatch.2 check expects.
The runbook `mfa-delete.md` and the log-archive spec docs repeat this.

Two deliberate additions, where no Security Hub check compares the pattern: 4.15 also watches
`CancelHandshake`, `CreateOrganization` and `EnableAllFeatures` (invitations withdrawn, an organization
created by a member account, the feature set changed), appended after the published list. And one watch
that is not CIS at all, `break_glass_filter`: every assumption of the break-glass role.
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
    benchmark: bool = True
    """A CIS control; False for the landing zone's own watches, which share the machinery (a metric filter
    on the trail's log group, an alarm to the security topic) but not the CIS names."""

    @property
    def key(self) -> str:
        """`4-1`: used in addresses, logical ids and names."""
        return self.control.replace(".", "-")

    @property
    def name_part(self) -> str:
        """`cis-4-1`, or the watch's own key: in addresses and alarm names."""
        return f"cis-{self.key}" if self.benchmark else self.key

    @property
    def namespace(self) -> str:
        return "CISBenchmark" if self.benchmark else BREAK_GLASS_NAMESPACE

    @property
    def metric_name(self) -> str:
        return f"CIS{self.key.replace('-', '')}{self.metric}" if self.benchmark else self.metric

    @property
    def description(self) -> str:
        return f"CIS AWS Foundations {self.control}: {self.title}." if self.benchmark else f"{self.title}."


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
        "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) "
        "|| ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = "
        "DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
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
        '|| ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit") || ($.eventName = '
        '"CancelHandshake") || ($.eventName = "CreateOrganization") || ($.eventName = "EnableAllFeatures")) }',
    ),
)
"""The benchmark's section 4, in its order."""

BREAK_GLASS_NAMESPACE = "LandingZone"


def break_glass_filter(role: str) -> CisFilter:
    """Not a CIS control: every use of the break-glass role `role`, in any account of the organization.

    Two ways in, both recorded by the organization trail:
    - the `AssumeRole` API call (`eventSource` sts.amazonaws.com) naming the role: its `roleArn` request
      parameter ends with `:role/<role>` whichever account it is in;
    - the console's Switch Role (`eventSource` signin.amazonaws.com, `eventName` SwitchRole, an
      `AwsConsoleSignIn` event) has no request parameters; the identity it records is the role session,
      `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    CloudWatch Logs JSON filter patterns match string values with the `*` wildcard (its "Using filter
    patterns to match terms in JSON log events" page; CIS 4.1 itself uses `"*UnauthorizedOperation"`),
    so the account part needs no list of accounts and a new account is covered at once.
    """
    return CisFilter(
        "break-glass",
        "role-assumed",
        "BreakGlassRoleAssumed",
        f"The break-glass role {role} was assumed",
        f"{{ (($.eventSource = sts.amazonaws.com) && ($.eventName = AssumeRole) && ($.requestParameters.roleArn = "
        f'"*:role/{role}")) || (($.eventSource = signin.amazonaws.com) && ($.eventName = SwitchRole) && '
        f'($.userIdentity.arn = "*:assumed-role/{role}/*")) }}',
        benchmark=False,
    )
