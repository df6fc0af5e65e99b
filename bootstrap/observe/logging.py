"""Observe the layers built in accounts (logging: keys, buckets, the trail, its log group, alarms, topics;
the account baseline: S3 Block Public Access) account by account.

Runs after the organizations observer: member accounts are reached by assuming a role into them, with the
ids that observer found. An account that does not exist yet holds nothing, so everything desired in it is
simply absent (to be created). Locations are read in parallel (bounded); within one location each reader
makes one bulk call per resource type (`list_aliases`, `list_buckets`, `describe_trails`,
`describe_log_groups`, `describe_metric_filters`, `describe_alarms`, `list_topics`) and a few reads per
object the toolkit finds by the names the spec derives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from blueprints.accounts import account_address
from bootstrap.aws.session import Sessions
from bootstrap.observe import baseline, monitoring, storage
from bootstrap.observe.state import Finding, ObservedResource, ObservedState
from bootstrap.resources import GLOBAL, DesiredState, Location, Resource
from bootstrap.spec.model import MANAGEMENT

MAX_WORKERS = 4


@dataclass
class Scope:
    """One account-region as a reader sees it: its clients, the desired state, and a per-scope cache so
    readers that need the same bulk listing (aliases for keys and aliases) make the call once."""

    sessions: Sessions
    location: Location
    account_id: str | None
    desired: DesiredState
    findings: list[Finding] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        region = None if self.location.region == GLOBAL else self.location.region
        return self.sessions.client(service, account_id=self.account_id, region=region)

    def once(self, key: str, read: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    def logical(self, value: Any) -> Resource | None:
        """The desired resource a `{"Ref": id}` names, if any."""
        if isinstance(value, dict) and set(value) == {"Ref"}:
            return self.desired.by_logical_id.get(str(value["Ref"]))
        return None


Reader = Callable[[Scope, list[Resource]], dict[str, ObservedResource]]

READERS: dict[str, Reader] = {
    "AWS::KMS::Key": storage.read_keys,
    "AWS::KMS::Alias": storage.read_aliases,
    "AWS::S3::Bucket": storage.read_buckets,
    "AWS::S3::BucketPolicy": storage.read_bucket_policies,
    "AWS::CloudTrail::Trail": monitoring.read_trails,
    "AWS::Logs::LogGroup": monitoring.read_log_groups,
    "AWS::Logs::MetricFilter": monitoring.read_metric_filters,
    "AWS::CloudWatch::Alarm": monitoring.read_alarms,
    "AWS::IAM::Role": monitoring.read_roles,
    "AWS::SNS::Topic": monitoring.read_topics,
    "AWS::SNS::TopicPolicy": monitoring.read_topic_policies,
    "AWS::SNS::Subscription": monitoring.read_subscriptions,
    "Bootstrap::Organizations::ServiceAccess": monitoring.read_service_access,
    "Bootstrap::CloudTrail::DelegatedAdministrator": monitoring.read_delegated_admins,
    "Bootstrap::S3::AccountPublicAccessBlock": baseline.read_account_public_access_blocks,
}
"""Reader per type, in the order they run within a location (keys before what they encrypt)."""


def _ours(resource: Resource) -> bool:
    """Every resource of a type read per account-region, whatever its layer or address: a resource left
    unread would be planned for creation on every run."""
    return resource.type in READERS


def account_id_of(name: str, known: ObservedState) -> tuple[bool, str | None]:
    """(exists, id): the management account is the caller (id None); a member account exists once the
    organizations observer found it."""
    if name == MANAGEMENT:
        return True, None
    found = known.resources.get(account_address(name))
    if found is None or found.physical_id is None:
        return False, None
    return True, found.physical_id


def observe_logging(sessions: Sessions, desired: DesiredState, known: ObservedState) -> ObservedState:
    by_location: dict[Location, list[Resource]] = defaultdict(list)
    for resource in desired.resources:
        if _ours(resource):
            by_location[resource.location].append(resource)
    scopes = []
    for loc, resources in sorted(by_location.items()):
        exists, account_id = account_id_of(loc.account, known)
        if exists:
            scopes.append((Scope(sessions, loc, account_id, desired), resources))
    state = ObservedState()
    with ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="observe") as pool:
        for found, findings in pool.map(lambda job: _read_location(*job), scopes):
            state.resources.update(found)
            state.findings.extend(findings)
    return state


def _read_location(scope: Scope, resources: list[Resource]) -> tuple[dict[str, ObservedResource], list[Finding]]:
    found: dict[str, ObservedResource] = {}
    for type_, read in READERS.items():
        of_type = [r for r in resources if r.type == type_]
        if of_type:
            found.update(read(scope, of_type))
    return found, scope.findings
