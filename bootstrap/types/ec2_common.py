"""What the EC2 network types share: one bulk listing per type per account-region, how a live object is matched
to a desired address, who owns it, and how tags are written.

Listings are made once per account-region (`ReadScope.once`) and filtered by the ids of the VPCs the spec asks
for there, so a no-op plan costs one `describe_*` per type whatever the number of subnets or routes. The VPC
reader runs first (the registry's order) and records each desired VPC's live id; the readers of its parts look
their parents up in `found`, the address -> live id map every reader of this account-region adds to.

An object is at an address when it carries that address's `bootstrap:address` tag, or, lacking it, when it sits
where the spec puts one (the subnet of that block in the landing zone's VPC, the internet gateway attached to
it): the toolkit owns it only with both ownership tags, so an untagged object in that place blocks the plan with
the `bootstrap adopt` remedy instead of being changed, replaced or duplicated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.observed import ObservedResource
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG, Location, Resource
from bootstrap.types.base import ClientFor, ReadScope
from bootstrap.types.mapping import tag_dict

EC2_TAGGING = ("ec2:CreateTags",)


def tags_of(item: Mapping[str, Any]) -> dict[str, str]:
    return tag_dict(item.get("Tags") or item.get("TagSet") or [])


def owned_at(tags: Mapping[str, str], address: str) -> bool:
    return tags.get(MANAGED_TAG) == "true" and tags.get(ADDRESS_TAG) == address


def address_tag_value(tags: Mapping[str, str], address: str) -> str | None:
    """The compared `AddressTag`: the live address tag of an owned object (None otherwise)."""
    return tags.get(ADDRESS_TAG) if owned_at(tags, address) else None


def found(scope: ReadScope) -> dict[str, str]:
    """Address -> live id of every network object read so far in this account-region."""
    ids: dict[str, str] = scope.once("ec2.found", dict)
    return ids


def owners(scope: ReadScope) -> dict[str, bool]:
    """Address -> owned, for the objects read so far (untaggable parts follow their parent's ownership)."""
    owned: dict[str, bool] = scope.once("ec2.owned", dict)
    return owned


def parent_id(scope: ReadScope, value: Any) -> str | None:
    """The live id of the desired resource a `{"Ref": ...}` (or `Fn::GetAtt`) names, if it was found."""
    if isinstance(value, Mapping) and set(value) == {"Fn::GetAtt"}:
        value = {"Ref": value["Fn::GetAtt"][0]}
    target = scope.logical(value)
    return found(scope).get(target.address) if target is not None else None


def parent_owned(scope: ReadScope, value: Any) -> bool:
    if isinstance(value, Mapping) and set(value) == {"Fn::GetAtt"}:
        value = {"Ref": value["Fn::GetAtt"][0]}
    target = scope.logical(value)
    return target is not None and owners(scope).get(target.address, False)


def vpc_ids(scope: ReadScope) -> list[str]:
    """Live ids of the desired VPCs of this account-region (what the other listings are filtered by)."""
    return sorted(scope.once("ec2.vpc-ids", list))


def listing(scope: ReadScope, operation: str, key: str, *, by_vpc: str | None = "vpc-id") -> list[dict[str, Any]]:
    """One paginated `describe_*` per account-region, shared by every reader that needs it; filtered by the
    desired VPCs' ids (`by_vpc` names the filter), and skipped when none of them exists yet."""

    def read() -> list[dict[str, Any]]:
        ec2 = scope.client("ec2")
        ids = vpc_ids(scope)
        if by_vpc is not None and not ids:
            return []
        kwargs: dict[str, Any] = {"Filters": [{"Name": by_vpc, "Values": ids}]} if by_vpc is not None else {}
        paginator = ec2.get_paginator(operation) if ec2.can_paginate(operation) else None
        if paginator is None:
            return list(getattr(ec2, operation)(**kwargs)[key])
        return [item for page in paginator.paginate(**kwargs) for item in page[key]]

    items: list[dict[str, Any]] = scope.once(f"ec2.{operation}", read)
    return items


def routed_to(scope: ReadScope, prefix: str) -> bool:
    """Whether a route of the desired VPCs' route tables points to an object whose id starts with `prefix`
    (`nat-`, `igw-`, `vpce-`). A reader whose type has no resource left in the account-region runs only then
    to find the parts the spec dropped (`ResourceType.read_beside`): a NAT gateway, internet gateway or endpoint the
    spec no longer gives a VPC still has its routes until the plan that removes it, which costs a no-op plan no
    listing of a type the spec does not use there."""
    tables = listing(scope, "describe_route_tables", "RouteTables")
    targets = (str(r.get("NatGatewayId") or r.get("GatewayId") or "") for t in tables for r in t.get("Routes", []))
    return any(target.startswith(prefix) for target in targets)


def match(
    resources: list[Resource],
    items: list[dict[str, Any]],
    place: Callable[[Resource], Callable[[dict[str, Any]], bool] | None],
) -> dict[str, dict[str, Any]]:
    """Address -> live item: by the address tag first, else the untagged item where the spec puts it."""
    by_tag: dict[str, dict[str, Any]] = {}
    for item in items:
        address = tags_of(item).get(ADDRESS_TAG)
        if address is not None:
            by_tag.setdefault(address, item)
    matched: dict[str, dict[str, Any]] = {}
    for resource in resources:
        if resource.address in by_tag:
            matched[resource.address] = by_tag[resource.address]
            continue
        where = place(resource)
        if where is None:
            continue
        candidate = next((i for i in items if ADDRESS_TAG not in tags_of(i) and where(i)), None)
        if candidate is not None:
            matched[resource.address] = candidate
    return matched


def observed(
    scope: ReadScope,
    resource: Resource,
    physical_id: str,
    properties: dict[str, Any],
    *,
    owned: bool,
    tags: Mapping[str, str] | None = None,
    attributes: Mapping[str, str] | None = None,
) -> ObservedResource:
    """The observed object, recorded for the readers of its parts; `tags` given for taggable types."""
    found(scope)[resource.address] = physical_id
    owners(scope)[resource.address] = owned
    props = dict(properties)
    if tags is not None:
        props[ADDRESS_TAG_PROPERTY] = address_tag_value(tags, resource.address)
    return ObservedResource(
        resource.address, resource.type, physical_id, props, owned=owned, attributes=dict(attributes or {})
    )


VPC_PREFIX = "network/vpc/"
VPC_CIDRS = "vpc-cidrs"
"""The fact every VPC reader notes (`ReadScope.note`): {"VpcId", "CidrBlock"} of each VPC it lists, the
toolkit's or not, so new VPCs get blocks nobody in the organization uses."""
SUBNET_CIDRS = "subnet-cidrs"
"""The fact the subnet reader notes: {"VpcId", "CidrBlock", "Address", "Freeable"} of every subnet of the spec's
VPCs that exist, the toolkit's or not, so a live subnet keeps its block and a new one avoids every live one
(`bootstrap.spec.network_subnets`). `Address` is its address tag (empty without one); `Freeable`, whether the plan
may delete or replace it (the toolkit's, and nothing else in it)."""


def all_vpcs(scope: ReadScope) -> list[dict[str, Any]]:
    """Every VPC of the scope's account-region, listed once whichever reader asks first; each block is noted for
    the organization-wide allocation (`VPC_CIDRS`)."""

    def read() -> list[dict[str, Any]]:
        pages = scope.client("ec2").get_paginator("describe_vpcs").paginate()
        vpcs = [v for page in pages for v in page["Vpcs"]]
        for vpc in vpcs:
            for block in vpc.get("CidrBlockAssociationSet") or [{"CidrBlock": vpc["CidrBlock"]}]:
                if block.get("CidrBlockState", {}).get("State", "associated") in ("associated", "associating"):
                    scope.note(VPC_CIDRS, {"VpcId": vpc["VpcId"], "CidrBlock": block["CidrBlock"]})
        return vpcs

    vpcs: list[dict[str, Any]] = scope.once("ec2.describe_vpcs", read)
    return vpcs


def orphan_address(item: Mapping[str, Any], desired: Mapping[str, Any]) -> str | None:
    """The address of a part the toolkit made in a VPC the spec still asks for, that the spec no longer gives it;
    else None."""
    tags = tags_of(item)
    address = tags.get(ADDRESS_TAG, "")
    if tags.get(MANAGED_TAG) != "true" or not address.startswith(VPC_PREFIX) or address in desired:
        return None
    return address if "/".join(address.split("/")[:5]) in desired else None


def orphan_parts(
    scope: ReadScope,
    type_: str,
    items: list[dict[str, Any]],
    id_key: str,
    props: Callable[[dict[str, Any]], dict[str, Any]] = lambda _: {},
) -> dict[str, ObservedResource]:
    """Parts the toolkit made in a VPC the spec still asks for, that the spec no longer gives it (an endpoint
    dropped, a zone less, a NAT gateway per zone become one): reported as orphans, for the plan to delete (a
    destructive change), with the live properties `props` picks. The parts of a VPC dropped whole go with it
    (`bootstrap.types.ec2_teardown`)."""
    orphans = {}
    for item in items:
        address = orphan_address(item, scope.desired.by_address)
        if address is not None:
            orphans[address] = ObservedResource(
                address, type_, str(item[id_key]), props(item), owned=True, location=scope.location
            )
    return orphans


def describe_interface(interface: Mapping[str, Any]) -> str:
    """A network interface as an operator finds it: id, type, description, who asked for it and who owns it."""
    parts = [str(interface.get("InterfaceType") or "interface")]
    if interface.get("Description"):
        parts.append(repr(str(interface["Description"])))
    attached = interface.get("Attachment") or {}
    if attached.get("InstanceId"):
        parts.append(f"instance {attached['InstanceId']}")
    parts.append(f"requester {interface.get('RequesterId') or 'the account'}")
    parts.append(f"owner {interface.get('OwnerId') or '?'}")
    return f"{interface.get('NetworkInterfaceId', '?')} ({', '.join(parts)})"


def nat_interfaces(nats: list[dict[str, Any]]) -> set[str]:
    """The network interfaces of the toolkit's NAT gateways among `nats`, whatever their state: they go with their
    gateways (one still listed after its gateway's deletion is AWS finishing it), never someone's workload."""
    return {
        str(a.get("NetworkInterfaceId"))
        for n in nats
        if tags_of(n).get(MANAGED_TAG) == "true"
        for a in n.get("NatGatewayAddresses", [])
    }


def find_tagged(describe: Any, key: str, address: str) -> dict[str, Any] | None:
    """The object of this kind tagged with `address` (what an ambiguous create may have made)."""
    items = describe(Filters=[{"Name": f"tag:{ADDRESS_TAG}", "Values": [address]}])[key]
    return dict(items[0]) if items else None


def gone_ok(call: Callable[[], Any], *codes: str) -> None:
    """A delete whose object is already gone is done."""
    try:
        call()
    except ClientError as err:
        if error_code(err) not in codes:
            raise


def tag_specifications(resource_type: str, props: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The create call's `TagSpecifications`: the object is tagged as it is made, never untagged in between."""
    tags = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in props.get("Tags") or []]
    return [{"ResourceType": resource_type, "Tags": tags}] if tags else []


def retag(ec2: Any, physical_id: str, props: Mapping[str, Any]) -> None:
    """Stamp the resource's tags again (its address tag drifted); tags of other keys stay."""
    tags = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in props.get("Tags") or []]
    if tags:
        ec2.create_tags(Resources=[physical_id], Tags=tags)


def tag_ec2(client: ClientFor, where: Location, physical_id: str, tags: dict[str, str]) -> None:
    """`bootstrap adopt` for every taggable EC2 object: `CreateTags` adds or overwrites only these keys."""
    client.client("ec2", where).create_tags(
        Resources=[physical_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )
