"""What a handler gets to work with (`bootstrap.types.base.HandlerContext`): clients per location, live ids, the
journal, a sleep to wait with."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bootstrap.aws.session import Sessions
from bootstrap.errors import AwsError
from bootstrap.names import account_address
from bootstrap.plan.refs import Registry
from bootstrap.resources import GLOBAL, DesiredState, Location
from bootstrap.spec.model import MANAGEMENT
from bootstrap.types.base import Recorder


@dataclass
class ApplyContext:
    sessions: Sessions
    desired: DesiredState
    registry: Registry
    journal: Recorder
    sleep: Callable[[float], None] = time.sleep
    wait_timeout: float = 900.0
    resumed_notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What an interrupted run of the same work noted per address (`Journal.record`): handlers read it back
    so a resumed create finds what the cut-off one made (a key id, an account request) instead of repeating."""

    def resumed(self, address: str) -> dict[str, Any]:
        return dict(self.resumed_notes.get(address, {}))

    def account_id(self, name: str) -> str | None:
        """The live id of an account by its spec name; None for the management account (the caller)."""
        if name == MANAGEMENT:
            return None
        resource = self.desired.by_address.get(account_address(name))
        found = self.registry.get(resource.logical_id, "AccountId") if resource else None
        if found is None:
            raise AwsError(f"account {name} has no id yet", "Apply the organization layer first.")
        return found

    def client(self, service: str, location: Location) -> Any:
        region = None if location.region == GLOBAL else location.region
        return self.sessions.client(service, account_id=self.account_id(location.account), region=region)
