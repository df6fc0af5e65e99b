"""`bootstrap status` for the `identity-center` step: the organization's IAM Identity Center instance, and what
can be read of its identity source. Whether MFA is required cannot be read through any AWS API: the check says
so ("confirm by hand": `unverifiable`) and never reports the step done on a guess."""

from __future__ import annotations

from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec

NO_MFA_API = (
    "AWS has no API that reads Identity Center's MFA settings: check them in the console (identity-center.md, step 3)"
)


def check_identity_center(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    region = spec.organization.home_region
    sso = sessions.client("sso-admin", region=region)
    instances = [i for page in sso.get_paginator("list_instances").paginate() for i in page["Instances"]]
    if not instances:
        return "pending", f"no Identity Center instance in {region}: enable the organization instance there"
    found = instances[0]
    if sessions.target.simulated:
        return "unavailable", (
            f"the sandbox has an Identity Center instance in every account and region (AWS: one per organization, "
            f"enabled by hand), so enabling it cannot be shown there; {NO_MFA_API}"
        )
    store = sessions.client("identitystore", region=region)
    listed = store.list_groups(IdentityStoreId=found["IdentityStoreId"])["Groups"]
    synced = sum(bool(g.get("ExternalIds")) for g in listed)
    wanted = {g.name for g in spec.identity.groups}
    present = wanted & {str(g.get("DisplayName")) for g in listed}
    source = (
        f"{synced} of {len(listed)} groups carry external ids (provisioned by an identity provider through SCIM)"
        if spec.identity.source == "external"
        else f"{len(present)} of the spec's {len(wanted)} groups are in the directory"
    )
    return "unverifiable", (
        f"instance {found['InstanceArn']} is {found.get('Status', 'ACTIVE')} in {region}; {source}; {NO_MFA_API}"
    )
