"""What the engine knows about one resource type, in one object: `ResourceType`.

Each module of `bootstrap.types` describes the types of one AWS service: how a difference is judged (its
`TypeRule`), how live objects are read in bulk (its reader), how changes are made (its handler), and the IAM
actions those need. `bootstrap.types.registry` gathers them; the observer, the planner, the apply engine and
`bootstrap permissions` all look a type up there, and a meta test checks that no part is missing.

The protocols below are what readers and handlers may use of the layers above them (the observer's scope and
the apply engine's context), so that this package depends on nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bootstrap.types.clients import LocatedClients, ScopedClients

if TYPE_CHECKING:
    from bootstrap.aws.session import Sessions
    from bootstrap.changes import Change
    from bootstrap.observed import Finding, ObservedResource
    from bootstrap.resources import DesiredState, Location, Resource


@dataclass(frozen=True)
class TypeRule:
    """How the planner compares a desired resource with the live object, and what it may do about it."""

    compared: tuple[str, ...]
    sets: frozenset[str] = frozenset()
    """Compared as unordered sets (policy targets, parent ids, enabled policy types)."""
    replace_on: frozenset[str] = frozenset()
    """A difference here needs the resource replaced (delete and create)."""
    report_only: frozenset[str] = frozenset()
    """A difference here is reported but the toolkit does not change it (no API, or not its call)."""
    deletable: bool = True
    """The toolkit may delete an owned object of this type that the spec no longer asks for."""
    owned_only: frozenset[str] = frozenset()
    """Compared only on objects the toolkit owns, and not shown on creates: its ownership tags. An object
    it does not own is used as it is, never stamped (stamping would make it the toolkit's to delete)."""
    guarded_by_break_glass: bool = False
    """Its settings may be reserved to the break-glass role by a live bucket policy (the log bucket's): an
    update then carries a note saying who can apply it (`bootstrap.plan.guards`)."""
    shown_on_create: frozenset[str] = frozenset()
    """Properties the plan shows on a create, for a reviewer (a new account's e-mail and OU)."""
    explain: Callable[[Mapping[str, Any]], str] | None = None
    """Says, from the live properties, what an update will do beyond the diffs (a key pending deletion: "apply
    cancels the deletion"), or what deleting an orphan removes with it (a VPC's parts); the plan shows it as the
    change's reason."""
    weakens: Mapping[str, Callable[[Any, Any], bool]] = field(default_factory=dict)
    """Per property, when a change of it (before, after) weakens security (a guardrail detached, logging or key
    rotation turned off): the plan flags such a change, whoever asked for it."""
    weakens_on_delete: bool = False
    """Deleting one weakens security (a guardrail removed)."""
    destroys_on_create: bool = False
    """Creating it removes something that exists (a default VPC's removal is the creation of its absence):
    such a create is destructive in the plan's sense, as a delete is. The live object it removes is observed
    with no physical id, and the create shows (its diffs' before values) and carries (`Change.before`) it."""
    consent: SpecConsent | None = None
    """The spec field that asks for what this type destroys, by name (`network.remove_default_vpcs`): its
    destructive changes need no `--allow-destroy`, and the plan lists them in a section of their own."""
    renews_dependents: bool = False
    """A replacement gives it a new id that what refers to it must follow (a subnet's route table association
    and the NAT gateway in it; the routes to a NAT gateway): the plan compares those with its id unknown, so
    each is updated or replaced in the same plan, after it."""
    frees_for: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None
    """Whether an object of this type being removed (the live properties of a delete, or of a replacement's old
    object) holds what one being made in the same account-region needs (its desired properties): a subnet's
    address range. The making then waits for the removal, and such a delete runs first, not after every
    other change as deletes do."""


@dataclass(frozen=True)
class SpecConsent:
    """A destruction the spec itself asks for: a setting whose only meaning is "remove these" (default VPCs)
    consents to each removal it names, as `--allow-destroy` consents to deletions the spec no longer asks
    for. Only objects that hold nothing qualify (the handler re-checks that before removing anything)."""

    field: str
    """The spec field (`network.remove_default_vpcs`), named in the plan and its JSON."""
    section: str
    """The title of the plan's section listing these removals ("Default VPC removals")."""
    noun: str
    """What one removal removes, for counts ("default VPC")."""


def turned_off(before: Any, after: Any) -> bool:
    """A setting that was on (true, or set at all) is off or gone."""
    return bool(before) and not after


def items_removed(before: Any, after: Any) -> bool:
    """A list lost items (a policy detached from targets, an event selector dropped)."""
    return bool(set(map(str, before or [])) - set(map(str, after or [])))


def lowered(before: Any, after: Any) -> bool:
    """A number went down (days of retention), or a limit was removed."""
    return isinstance(before, int) and (after is None or (isinstance(after, int) and after < before))


def any_flag_off(before: Any, after: Any) -> bool:
    """A mapping of flags (a public access block) has a flag that was on and is now off."""
    old, new = before if isinstance(before, Mapping) else {}, after if isinstance(after, Mapping) else {}
    return any(v is True and new.get(k) is not True for k, v in old.items())


@dataclass(frozen=True)
class Outputs:
    """What a create or update reports back: the physical id (`Ref`) and attributes (`Fn::GetAtt`)."""

    ref: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


class Recorder(Protocol):
    def record(self, address: str, **data: Any) -> None: ...


class HandlerContext(LocatedClients, Protocol):
    """What a handler may use: clients per location, live account ids, the journal, the clock."""

    @property
    def sessions(self) -> Sessions: ...

    @property
    def journal(self) -> Recorder: ...

    @property
    def sleep(self) -> Callable[[float], None]: ...

    @property
    def wait_timeout(self) -> float: ...

    def account_id(self, name: str) -> str | None: ...

    def resumed(self, address: str) -> dict[str, Any]:
        """What an interrupted earlier run noted for `address` (`journal.record`), empty if nothing."""
        ...


class Handler(Protocol):
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs: ...

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs: ...

    def delete(self, ctx: HandlerContext, change: Change) -> None: ...


class ReadScope(ScopedClients, Protocol):
    """One account-region as a reader sees it (`bootstrap.observe.scope.AccountRegionScope`)."""

    location: Location
    account_id: str | None
    desired: DesiredState
    findings: list[Finding]

    def once(self, key: str, read: Callable[[], Any]) -> Any: ...

    def account_once(self, key: str, read: Callable[[], Any]) -> Any:
        """`read()` once per account, whichever of its account-regions asks first (enabled regions)."""
        ...

    def account_client(self, service: str) -> Any:
        """A client of the scope's account in the run's default region (always enabled)."""
        ...

    def organization_once(self, key: str, read: Callable[[], Any]) -> Any:
        """`read()` once per observation, whichever account-region asks first (Identity Center's permission sets,
        read once for every account's assignments)."""
        ...

    def management_client(self, service: str) -> Any:
        """A client of the management account in the scope's region (Identity Center is administered there)."""
        ...

    def note(self, kind: str, value: Any) -> None:
        """Record something seen beyond the desired resources, for the whole organization to use
        (`ObservedState.facts`): every VPC's block, so new VPCs get blocks nobody uses."""
        ...

    def gather(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        """Run independent reads at once (AWS is 20-150 ms away); their results in the order given. A gather
        inside a gathered call runs its calls one after another."""
        ...

    def logical(self, value: Any) -> Resource | None: ...

    @property
    def simulated(self) -> bool:
        """The endpoint is the sandbox (`AwsTarget.simulated`): a reader of an API it lacks says so instead of
        calling it (moto answers an unimplemented operation with HTTP 500, which botocore retries for seconds)."""
        ...


Reader = Callable[[ReadScope, list["Resource"]], dict[str, "ObservedResource"]]
"""Reads every desired resource of one type in one account-region, in bulk: address -> what is live."""

ClientFor = LocatedClients
"""Clients of services at locations (a handler's context)."""

Tagger = Callable[[ClientFor, "Location", str, dict[str, str]], None]
"""Stamps tags on the live object of this type with the given physical id, keeping tags of other keys
(`bootstrap adopt`)."""

ORGANIZATION_TREE = "organization-tree"
"""The reader of the Organizations types: one walk of the organization (`bootstrap.types.organizations.read`),
which runs before the account-region readers because it finds the member accounts they read in."""


@dataclass(frozen=True)
class ResourceType:
    """Everything the engine knows about one CloudFormation (or `Bootstrap::`) type."""

    name: str
    rule: TypeRule
    handler: Handler
    reader: Reader | str
    """A bulk reader run per account-region, or `ORGANIZATION_TREE`."""
    read_actions: tuple[str, ...]
    """IAM actions its reader calls (`bootstrap permissions` grants them; a test checks they cover every
    call the integration tests make)."""
    write_actions: tuple[str, ...]
    """IAM actions its handler calls."""
    service: str = ""
    """The boto3 service name of its calls (for people and for the permissions' statement ids)."""
    tagger: Tagger | None = None
    """How its objects are tagged, for types whose objects carry tags (`bootstrap adopt`)."""
    read_beside: str | None = None
    """A type whose resources, wherever they are read, this type's reader runs beside, with or without
    resources of its own: it finds the parts the spec no longer gives them (a VPC's endpoints once it has
    none: no resource of the endpoint type is left there to read). Such a reader may return at once when
    what was read already shows there is nothing of its type (`ec2_common.routed_to`)."""
    reads_disabled_regions: bool = False
    """Its reader observes its resources in a region the account has not enabled (as settled, with a note of its
    own); every other type's resources there are skipped by the observer (`bootstrap.observe.scope`)."""
    not_in_sandbox: str = ""
    """Why the sandbox cannot read or set this type (it lacks the API), said in the plan: against the sandbox
    (`AwsTarget.simulated`) none of its resources is read or planned, each is noted as `unavailable`, and
    apply never calls its handler."""

    @property
    def deletable(self) -> bool:
        return self.rule.deletable
