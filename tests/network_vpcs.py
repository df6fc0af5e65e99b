"""Light custom VPCs for the network layer's integration tests (`tests/integration/network`): the default landing
zone without its logging layer, two workload accounts, and VPCs of one private tier without flow logs, so that
an apply is quick."""

from __future__ import annotations

from typing import Any

from variants import default_spec, network_spec

from bootstrap.spec.model import LandingZoneSpec

LIGHT = {"name": "main", "ous": ["Workloads"], "subnets": [{"tier": "private", "size": 24}], "gateway_endpoints": []}
LIGHT["flow_logs"] = {"destination": "none"}
EXTRA = {**LIGHT, "name": "extra", "ous": [], "accounts": ["app-dev"]}


def light_spec(vpcs: list[dict[str, Any]], extra_accounts: list[dict[str, str]] | None = None) -> LandingZoneSpec:
    """No logging layer (no flow logs to deliver), light VPCs: fast to apply."""
    base = default_spec(billing=False)
    base = base.model_copy(update={"logging": base.logging.model_copy(update={"enabled": False})})
    spec = network_spec(base, vpcs)
    if not extra_accounts:
        return spec
    data = spec.model_dump(mode="json", exclude_none=True)
    data["accounts"] = [*data["accounts"][:2], *extra_accounts, *data["accounts"][2:]]
    return LandingZoneSpec.model_validate(data)
