"""What to do when a CIS section 4 alarm (or the break-glass watch) fires: the response texts, keyed by the
control of `blueprints/cis.py`, beside the filters that make the alarms. `runbooks/respond.md` is rendered from
`alarm_responses`, one section per alarm `blueprints/trail.py` creates, anchored by the alarm's name.

The texts are `str.format` templates over this organization's names (`Names`): the commands in them can be
pasted as they are, in the account the section names. `{{` and `}}` are literal braces (JMESPath queries).
Every alarm's first checks are the same two: the alarm's recent history, and the very events that matched its
filter (`filter-log-events` with the filter's own pattern) in the last hour.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from blueprints.cis import CisFilter
from blueprints.responses import AlarmResponse
from blueprints.trail import alarm_name, watches
from bootstrap.spec.log_archive import key_alias, log_bucket_name, log_group_name, logging_enabled, trail_name
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec


@dataclass(frozen=True)
class Names:
    """The organization's names the response texts are filled in with."""

    org: str
    management_id: str
    region: str
    log_group: str
    trail: str
    trail_account: str
    """The account holding the trail's log group and the alarms, as the text names it (with its id if known)."""
    bucket: str
    log_account: str
    logs_key: str
    break_glass_role: str
    bootstrap_role: str
    security: str
    """Who receives the security alarms (the topic's subscribers), as the text names them."""


@dataclass(frozen=True)
class Response:
    """One control's response, as templates: `meaning`, then `checks` (commands), `contain` (steps), `tell`."""

    meaning: str
    checks: tuple[str, ...]
    contain: tuple[str, ...]
    tell: str = "{security}"


SINCE = "$(( ($(date +%s) - 3600) * 1000 ))"
"""The last hour, in CloudWatch Logs' milliseconds (POSIX shell arithmetic: works with GNU and BSD date)."""

PLAN = "bootstrap plan   # shows, and `bootstrap apply` repairs, any change to what the toolkit manages"
IAM_EVENTS = (
    "aws logs filter-log-events --region {region} --log-group-name {log_group} --start-time " + SINCE + " "
    "--filter-pattern '{{ ($.eventSource = iam.amazonaws.com) && ($.readOnly IS FALSE) }}' "
    "--query 'events[].message' --output text"
)

RESPONSES: dict[str, Response] = {
    "4.1": Response(
        "A principal called AWS APIs it is not allowed to use. One or two denials are usually a tool or a person "
        "probing what it may do; many, from one principal or an unfamiliar source IP, can be stolen credentials "
        "being tried against the organization, or a guardrail (SCP) blocking an application.",
        (
            "# Which principals were denied, for which calls (CloudWatch Logs Insights, the last hour)\n"
            "aws logs start-query --region {region} --log-group-name {log_group} "
            "--start-time $(( $(date +%s) - 3600 )) --end-time $(date +%s) "
            "--query-string 'filter errorCode like /UnauthorizedOperation|AccessDenied/ "
            "| stats count(*) by userIdentity.arn, sourceIPAddress, eventSource, eventName | sort count(*) desc'\n"
            "aws logs get-query-results --region {region} --query-id QUERY_ID_PRINTED_ABOVE",
        ),
        (
            "A known application blocked by a guardrail: fix the application or the spec, never the SCP by hand.",
            "An unknown principal or source IP: deactivate its access keys (`aws iam update-access-key --user-name "
            "USER --access-key-id KEY --status Inactive`) or revoke the role's sessions (IAM console, the role, "
            "**Revoke sessions**), then find how its credentials left.",
        ),
    ),
    "4.2": Response(
        "Someone signed in to the AWS console without MFA. Every human should sign in through IAM Identity "
        "Center or with MFA; a password-only sign-in is one phished password away from an intruder.",
        (
            "# In the account of the event (recipientAccountId): the user's MFA devices (an empty list: none)\n"
            "aws iam list-mfa-devices --user-name USER_NAME_IN_THE_EVENT --query 'MFADevices[].SerialNumber'",
        ),
        (
            "Ask the person: if they did not sign in, reset the user's password at once and deactivate its keys.",
            "Require MFA for that user (assign a device) or move them to IAM Identity Center.",
        ),
    ),
    "4.3": Response(
        "A root user acted. In the management account only the few root-only tasks of the runbooks should ever "
        "need it (MFA Delete, billing settings); in member accounts the `deny-root-user` guardrail denies it "
        "outside AWS's centralized root sessions. Unplanned root use is the most serious alarm here.",
        (
            "# In the management account ({management_id}): root MFA and access keys as they are now\n"
            "aws iam get-account-summary --query 'SummaryMap.[AccountMFAEnabled,AccountAccessKeysPresent]'",
        ),
        (
            "If nobody planned it: change the root password, check the root MFA devices are the ones in the safe, "
            "delete any root access key (runbooks/root-user-mfa.md), and review every event it made.",
            "For a member account: remove its root credentials from the management account's IAM console "
            "(**Root access management**).",
        ),
        "{security}, and whoever holds the management account's root credentials",
    ),
    "4.4": Response(
        "An IAM policy was created, changed, attached or detached. Usually a deployment; outside one, it can be "
        "privilege escalation: someone giving themselves, or a role they control, more rights.",
        (
            "# Every IAM write of the last hour (roles, users, trust policies too): who, what, on which principal\n"
            + IAM_EVENTS,
            PLAN,
        ),
        (
            "Revert an unwanted change: detach the policy (`aws iam detach-role-policy --role-name ROLE "
            "--policy-arn ARN`) or set the previous default version (`aws iam set-default-policy-version`).",
            "The landing zone's roles ({bootstrap_role}, {break_glass_role}, ...) are guarded by "
            "`protect-landing-zone-roles`: a change to them outside the toolkit means its exemption was used.",
        ),
    ),
    "4.5": Response(
        "The organization trail {trail} (or another trail) was created, changed, stopped or deleted. Stopping "
        "the trail is how an intruder goes dark: treat an unplanned StopLogging or DeleteTrail as an incident.",
        (
            "# Is the trail still logging, where, to what\n"
            "aws cloudtrail get-trail-status --region {region} --name {trail} --query '[IsLogging,LatestDeliveryTime]'",
            "aws cloudtrail describe-trails --region {region} --trail-name-list {trail}",
            PLAN,
        ),
        (
            "Restart it at once: `aws cloudtrail start-logging --region {region} --name {trail}` (or `bootstrap "
            "apply`, which repairs every setting of the trail).",
            "Find who stopped it (the events above) and treat their credentials as compromised.",
        ),
    ),
    "4.6": Response(
        "Console sign-ins failed. A few are typos; many, or for many users, are password guessing.",
        (
            "# Did a sign-in from the same address succeed?\n"
            "aws logs filter-log-events --region {region} --log-group-name {log_group} --start-time " + SINCE + " "
            '--filter-pattern \'{{ ($.eventName = ConsoleLogin) && ($.responseElements.ConsoleLogin = "Success") '
            "&& ($.sourceIPAddress = \"ADDRESS_IN_THE_EVENTS\") }}' --query 'events[].message' --output text",
        ),
        (
            "Guessing at one user: make sure it has MFA, reset its password, tell its owner.",
            "Guessing from one address at many users: block the address where you can, and check no sign-in "
            "from it succeeded (ConsoleLogin with responseElements.ConsoleLogin = Success).",
        ),
    ),
    "4.7": Response(
        "A KMS key was disabled or scheduled for deletion. A deleted key makes everything encrypted with it "
        "unreadable for ever, the logs included (the logs key is {logs_key} in {log_account}).",
        (
            "# In {log_account}: the state of the logs key\n"
            "aws kms describe-key --region {region} --key-id {logs_key} "
            "--query 'KeyMetadata.[KeyId,KeyState,DeletionDate]'",
        ),
        (
            "Cancel a scheduled deletion within its waiting period: `aws kms cancel-key-deletion --key-id KEY_ID`, "
            "then `aws kms enable-key --key-id KEY_ID` (a cancelled key comes back disabled).",
            "Re-enable a disabled key: `aws kms enable-key --key-id KEY_ID`; `bootstrap plan` shows the toolkit's "
            "keys.",
        ),
    ),
    "4.8": Response(
        "An S3 bucket's policy, ACL, CORS, lifecycle or replication was changed. On the log bucket {bucket} this "
        "is an attempt on the evidence; elsewhere it can open data to the internet or another account.",
        (
            "# In {log_account}: the log bucket's policy now\naws s3api get-bucket-policy --bucket {bucket} "
            "--query Policy --output text",
            PLAN,
        ),
        (
            "On the toolkit's buckets: `bootstrap apply` puts the policy back (only the break-glass role may change "
            "it: its use raises its own alarm).",
            "On another bucket: check its public access (`aws s3api get-public-access-block --bucket BUCKET`) and "
            "put the previous policy back.",
        ),
    ),
    "4.9": Response(
        "AWS Config's recorder or delivery channel was stopped or changed: the organization loses its record of "
        "what its resources looked like.",
        (
            "# In the account of the event (recipientAccountId), for its region\n"
            "aws configservice describe-configuration-recorder-status --region REGION_OF_THE_EVENT",
        ),
        ("Restart the recorder: `aws configservice start-configuration-recorder --configuration-recorder-name NAME`.",),
    ),
    "4.10": Response(
        "A security group was created, deleted or its rules changed. The risk is a rule opening a port to "
        "0.0.0.0/0 or ::/0.",
        (
            "# The security groups that allow the whole internet in, in the account and region of the event\n"
            "aws ec2 describe-security-groups --region REGION_OF_THE_EVENT "
            "--filters Name=ip-permission.cidr,Values=0.0.0.0/0 --query 'SecurityGroups[].[GroupId,GroupName,VpcId]'",
        ),
        (
            "Remove an unwanted rule: `aws ec2 revoke-security-group-ingress --group-id GROUP_ID "
            "--security-group-rule-ids RULE_ID`.",
        ),
    ),
    "4.11": Response(
        "A network ACL or one of its entries was created, changed or deleted: a subnet's traffic filter changed.",
        (
            "# The ACLs of the VPC of the event (account and region in the event)\n"
            "aws ec2 describe-network-acls --region REGION_OF_THE_EVENT --filters Name=vpc-id,Values=VPC_ID",
            PLAN,
        ),
        ("Restore the entry (`aws ec2 replace-network-acl-entry`) or the association; the toolkit's VPCs: apply.",),
    ),
    "4.12": Response(
        "An internet or customer gateway was created, attached, detached or deleted: a network gained or lost a "
        "way out. A new internet gateway on a VPC meant to be private is a path for data to leave.",
        (
            "# Internet gateways in the account and region of the event\n"
            "aws ec2 describe-internet-gateways --region REGION_OF_THE_EVENT "
            "--query 'InternetGateways[].[InternetGatewayId,Attachments[0].VpcId]'",
            PLAN,
        ),
        (
            "Detach an unwanted gateway: `aws ec2 detach-internet-gateway --internet-gateway-id IGW_ID "
            "--vpc-id VPC_ID`.",
        ),
    ),
    "4.13": Response(
        "A route or route table changed: traffic may now go somewhere else (out through a new gateway, or to a peer).",
        (
            "# The routes of the table named in the event\n"
            "aws ec2 describe-route-tables --region REGION_OF_THE_EVENT --route-table-ids ROUTE_TABLE_ID",
            PLAN,
        ),
        ("Put the route back (`aws ec2 replace-route`); for the toolkit's VPCs, `bootstrap apply` does.",),
    ),
    "4.14": Response(
        "A VPC was created, deleted or changed, or a peering was requested or accepted. A default VPC created "
        "again, or a peering to an unknown account, opens a network path nobody planned.",
        (
            "# VPCs and peerings in the account and region of the event\n"
            "aws ec2 describe-vpcs --region REGION_OF_THE_EVENT --query 'Vpcs[].[VpcId,CidrBlock,IsDefault]'",
            "aws ec2 describe-vpc-peering-connections --region REGION_OF_THE_EVENT",
            PLAN,
        ),
        (
            "Reject or delete an unknown peering: `aws ec2 delete-vpc-peering-connection "
            "--vpc-peering-connection-id PCX_ID`; a default VPC created again is removed by `bootstrap apply`.",
        ),
    ),
    "4.15": Response(
        "The organization itself changed: accounts, OUs, policies or invitations (organization {org}, "
        "management account {management_id}). A detached guardrail or a moved account weakens every account "
        "below it; an account leaving takes its logs' protection with it.",
        (
            "# In the management account ({management_id}): what changed, who asked\n"
            "aws logs filter-log-events --region {region} --log-group-name {log_group} --start-time " + SINCE + " "
            "--filter-pattern '{{ $.eventSource = organizations.amazonaws.com }}' "
            "--query 'events[].message' --output text",
            "aws organizations list-handshakes-for-organization --query 'Handshakes[].[Id,State,Action]'",
            PLAN,
        ),
        (
            "`bootstrap apply` re-attaches the guardrails, moves accounts back and restores the policies.",
            "Cancel an unknown invitation: `aws organizations cancel-handshake --handshake-id HANDSHAKE_ID`.",
        ),
    ),
    "break-glass": Response(
        "Someone assumed the break-glass role {break_glass_role}, which every guardrail exempts. Planned use "
        "follows runbooks/break-glass.md and is announced first; any other use is an incident.",
        (
            "# Everything its sessions did\n"
            "aws logs filter-log-events --region {region} --log-group-name {log_group} --start-time " + SINCE + " "
            "--filter-pattern '{{ $.userIdentity.arn = \"*:assumed-role/{break_glass_role}/*\" }}' "
            "--query 'events[].message' --output text",
        ),
        (
            "If nobody announced it: revoke the role's sessions as the bootstrap role {bootstrap_role} (IAM "
            "console, the role, **Revoke sessions**), rotate the break-glass principal's password and check its "
            "MFA devices (runbooks/break-glass.md), then review everything its sessions did.",
        ),
        "{security}, and the people named in runbooks/break-glass.md as its keepers",
    ),
}


def names(spec: LandingZoneSpec) -> Names:
    org = spec.organization
    by_name = {a.name: a.id for a in spec.accounts}

    def where(account: str) -> str:
        known = org.management_account_id if account == MANAGEMENT else by_name.get(account)
        return f"`{account}` ({known})" if known else f"`{account}`"

    emails = ", ".join(spec.logging.alarm_emails)
    return Names(
        org=org.name,
        management_id=org.management_account_id,
        region=org.home_region,
        log_group=log_group_name(spec),
        trail=trail_name(spec),
        trail_account=where(spec.logging.trail_account),
        bucket=log_bucket_name(spec),
        log_account=where(spec.logging.account),
        logs_key=key_alias(spec, "logs"),
        break_glass_role=org.break_glass_role,
        bootstrap_role=org.bootstrap_role,
        security=f"the security alarm topic's subscribers ({emails})" if emails else "your security team",
    )


def _history(alarm: str, filter_: CisFilter) -> tuple[str, ...]:
    return (
        "# When it fired\n"
        "aws cloudwatch describe-alarm-history --region {region} --alarm-name " + alarm + " "
        "--history-item-type StateUpdate --max-items 5 --query 'AlarmHistoryItems[].[Timestamp,HistorySummary]'",
        "# The events that matched its filter in the last hour\n"
        "aws logs filter-log-events --region {region} --log-group-name {log_group} --start-time " + SINCE + " "
        "--filter-pattern '" + filter_.pattern.replace("{", "{{").replace("}", "}}") + "' "
        "--query 'events[].message' --output text",
    )


def alarm_responses(spec: LandingZoneSpec) -> list[AlarmResponse]:
    """One response per alarm the trail blueprint creates (none when it creates none)."""
    if not (logging_enabled(spec) and spec.logging.cis_alarms):
        return []
    values = asdict(names(spec))
    found = []
    for watch in watches(spec):
        response = RESPONSES[watch.control]
        alarm = alarm_name(spec, watch)
        found.append(
            AlarmResponse(
                alarm_name=alarm,
                title=watch.description.rstrip("."),
                meaning=response.meaning.format(**values),
                checks=tuple(c.format(**values) for c in (*_history(alarm, watch), *response.checks)),
                contain=tuple(c.format(**values) for c in response.contain),
                tell=response.tell.format(**values),
                where=f"the trail account {values['trail_account']}, region {values['region']}",
            )
        )
    return found
