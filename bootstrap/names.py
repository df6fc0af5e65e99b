"""Derived names and addresses, in one place: blueprints build resources at these addresses, the observers and
`status` find them there, the planner and `adopt` name them. An address is the toolkit's stable name for one
managed thing (`organizations/ou/Workloads/Prod`, `iam/role/bootstrap/audit`); a logical id is the
CloudFormation name of the same thing in a rendered template.
"""

from __future__ import annotations

import re

# The organization
ORGANIZATION_ADDRESS = "organizations/organization"
ROOT_ADDRESS = "organizations/root"
POLICY_TYPES_ADDRESS = "organizations/root/policy-types"
_POLICY_KINDS = {
    "SERVICE_CONTROL_POLICY": "scp",
    "RESOURCE_CONTROL_POLICY": "rcp",
    "AISERVICES_OPT_OUT_POLICY": "ai-opt-out",
}

# The logging layer
LOGS_KEY_ADDRESS = "logging/key/logs"
LOGS_ALIAS_ADDRESS = "logging/alias/logs"
LOG_BUCKET_ADDRESS = "logging/bucket/logs"
ACCESS_LOG_BUCKET_ADDRESS = "logging/bucket/access-logs"
LOG_BUCKET_POLICY_ADDRESS = "logging/bucket-policy/logs"
ACCESS_LOG_BUCKET_POLICY_ADDRESS = "logging/bucket-policy/access-logs"
TRAIL_ADDRESS = "logging/trail"
LOG_GROUP_ADDRESS = "logging/log-group"
TRAIL_ROLE_ADDRESS = "logging/role/cloudtrail-to-cloudwatch"
MONITORING_KEY_ADDRESS = "logging/key/monitoring"
MONITORING_ALIAS_ADDRESS = "logging/alias/monitoring"
TOPIC_ADDRESS = "logging/topic/security-alarms"
TOPIC_POLICY_ADDRESS = "logging/topic-policy/security-alarms"
DELIVERY_TOPIC_ADDRESS = "logging/topic/trail-deliveries"
DELIVERY_TOPIC_POLICY_ADDRESS = "logging/topic-policy/trail-deliveries"
CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com"
SERVICE_ACCESS_ADDRESS = f"organizations/service-access/{CLOUDTRAIL_PRINCIPAL}"
DELEGATED_ADMIN_ADDRESS = f"organizations/delegated-admin/{CLOUDTRAIL_PRINCIPAL}"
ALARMS_ADDRESS = "logging/alarms"
"""Where findings about alarms as a group (named like the toolkit's, not in the spec) are reported."""

# The landing zone's roles
ROLE_ADDRESS_PREFIX = "iam/role/"
BOOTSTRAP = "bootstrap"
BREAK_GLASS = "break-glass"
KEY_ADMINISTRATORS = "key-administrators"
KEY_READERS = "key-readers"


def logical_id(prefix: str, *parts: str) -> str:
    """A CloudFormation logical id: alphanumeric, each part capitalised (`Ou`, `Workloads/Prod` -> OuWorkloadsProd)."""
    words = [w for part in parts for w in re.split(r"[^A-Za-z0-9]+", part) if w]
    return prefix + "".join(w[:1].upper() + w[1:] for w in words)


def ou_address(path: str) -> str:
    return f"organizations/ou/{path}"


def ou_logical_id(path: str) -> str:
    return logical_id("Ou", path)


def policy_address(name: str, policy_type: str = "SERVICE_CONTROL_POLICY") -> str:
    return f"organizations/{_POLICY_KINDS[policy_type]}/{name}"


def attachment_key(target_address: str, policy_type: str) -> str:
    """Where the observer records a target's attachments of one type that the toolkit does not own (SCPs
    under the target's own address, other types under `<address>#<type>`); the planner reads them there."""
    return target_address if policy_type == "SERVICE_CONTROL_POLICY" else f"{target_address}#{policy_type}"


def account_address(name: str) -> str:
    return f"organizations/account/{name}"


def account_logical_id(name: str) -> str:
    """The organization blueprint's logical id of a member account."""
    return logical_id("Account", name)


def role_address(purpose: str, account: str) -> str:
    return f"{ROLE_ADDRESS_PREFIX}{purpose}/{account}"


def role_logical_id(purpose: str, account: str) -> str:
    return logical_id("Role", purpose, account)


def public_access_block_address(account: str) -> str:
    return f"baseline/s3-public-access-block/{account}"


# The account baseline's other settings
ROOT_ACCESS_ADDRESS = "baseline/centralized-root-access"
ACCOUNT_PRINCIPAL = "account.amazonaws.com"
IAM_PRINCIPAL = "iam.amazonaws.com"


def service_access_address(principal: str) -> str:
    """Trusted access of an AWS service to the organization (`Bootstrap::Organizations::ServiceAccess`)."""
    return f"organizations/service-access/{principal}"


def password_policy_address(account: str) -> str:
    return f"baseline/password-policy/{account}"


def alternate_contacts_address(account: str) -> str:
    return f"baseline/alternate-contacts/{account}"


def instance_metadata_address(account: str, region: str) -> str:
    return f"baseline/instance-metadata-defaults/{account}/{region}"


def filter_address(name_part: str) -> str:
    return f"logging/metric-filter/{name_part}"


def alarm_address(name_part: str) -> str:
    return f"logging/alarm/{name_part}"


def subscription_address(email: str) -> str:
    return f"logging/subscription/{email}"


# The network layer
DEFAULT_VPC_PREFIX = "network/default-vpc/"
EBS_ENCRYPTION_PREFIX = "network/ebs-encryption/"


def default_vpc_address(account: str, region: str) -> str:
    """The absence of the default VPC in one account-region (`Bootstrap::EC2::DefaultVpcAbsent`)."""
    return f"{DEFAULT_VPC_PREFIX}{account}/{region}"


def ebs_encryption_address(account: str, region: str) -> str:
    return f"{EBS_ENCRYPTION_PREFIX}{account}/{region}"


def ebs_key_address(account: str, region: str) -> str:
    return f"network/ebs-key/{account}/{region}"


def ebs_alias_address(account: str, region: str) -> str:
    return f"network/ebs-alias/{account}/{region}"


def vpc_address(name: str, account: str, region: str, *parts: str) -> str:
    """A custom VPC (`network/vpc/<name>/<account>/<region>`) or one of its parts below it."""
    return "/".join(("network/vpc", name, account, region, *parts))


def flow_logs_role_address(account: str) -> str:
    """The role VPC flow logs deliver to CloudWatch Logs through, one per account (IAM is global)."""
    return f"network/flow-logs-role/{account}"


# The billing layer (management account, us-east-1)
BILLING_REGION = "us-east-1"
"""AWS publishes the `AWS/Billing` metrics in us-east-1 only; Budgets and Cost Explorer answer there too."""
BILLING_KEY_ADDRESS = "billing/key"
BILLING_ALIAS_ADDRESS = "billing/alias"
BILLING_TOPIC_ADDRESS = "billing/topic"
BILLING_TOPIC_POLICY_ADDRESS = "billing/topic-policy"
ANOMALY_MONITOR_ADDRESS = "billing/anomaly-monitor"
ANOMALY_SUBSCRIPTION_ADDRESS = "billing/anomaly-subscription"


def billing_alarm_address(level: str, account: str | None = None) -> str:
    """`billing/alarm/expected`, or `billing/alarm/<account>/margin` for one account's alarm."""
    return f"billing/alarm/{account}/{level}" if account else f"billing/alarm/{level}"


def billing_subscription_address(email: str) -> str:
    return f"billing/subscription/{email}"


def budget_address(account: str | None = None) -> str:
    return f"billing/budget/{account}" if account else "billing/budget/organization"


# The identity layer (IAM Identity Center)
IDENTITY_INSTANCE_ADDRESS = "identity/instance"
IDENTITY_PERMISSION_SETS_ADDRESS = "identity/permission-sets"
"""Where findings about permission sets as a group (the ones the toolkit did not create) are reported."""
IDENTITY_GROUPS_ADDRESS = "identity/groups"


def permission_set_address(name: str) -> str:
    return f"identity/permission-set/{name}"


def group_address(name: str) -> str:
    return f"identity/group/{name}"


def assignment_address(account: str, permission_set: str, principal: str) -> str:
    """One principal given one permission set in one account (`identity/assignment/<account>/<set>/<principal>`)."""
    return f"identity/assignment/{account}/{permission_set}/{principal}"


AUDIT_TASK_POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
"""AWS's task policy that limits a root session (`sts:AssumeRoot`) to reading the root user's credentials: the only
one `bootstrap status` opens member accounts' root sessions with, and the only one the operator policy allows."""
