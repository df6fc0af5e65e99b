"""A managed address held by an object without the ownership tags blocks the plan; `adopt` takes it back.

The drift holes an outside suite found: untag the trail, the log bucket or the logs key, then weaken it,
and the plan used to say "No changes. Live state matches the spec." (or made a second key). Now the plan is
blocked with the remedy, `bootstrap adopt ADDRESS` stamps the tags back (only the tags), and the next plan
shows the weakening as drift and repairs it.
"""

from __future__ import annotations

from typing import Any

import pytest

from bootstrap.apply.adopt import adopt
from bootstrap.aws.session import Sessions
from bootstrap.errors import InputError
from bootstrap.resources import MANAGED_TAG
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import find_live_adoption, plan_live
from tests.integration.logging.conftest import LogOutsider, describe


def blocked_on(spec: LandingZoneSpec, sessions: Sessions, address: str) -> str:
    live, _ = plan_live(spec, sessions)
    assert address not in {c.address for c in live.plan.changes}, "no impossible change is listed"
    assert not live.plan.summary().startswith("No changes"), live.plan.summary()
    (note,) = [n for n in live.plan.blocked if n.address == address]
    return note.message


def test_an_untagged_weakened_trail_blocks_the_plan_until_adopted_then_is_repaired(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: LogOutsider, assert_repaired: Any
) -> None:
    cloudtrail = log_outsider.cloudtrail()
    arn = cloudtrail.get_trail(Name=log_outsider.trail)["Trail"]["TrailARN"]
    tags = cloudtrail.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"]
    cloudtrail.remove_tags(ResourceId=arn, TagsList=tags)
    cloudtrail.update_trail(Name=log_outsider.trail, EnableLogFileValidation=False)

    assert "bootstrap adopt logging/trail" in blocked_on(applied, sessions, "logging/trail")

    adoption, ctx = find_live_adoption(applied, sessions, "logging/trail")
    assert adoption.tags[MANAGED_TAG] == "true" and "logging/trail" in adoption.describe()
    adopt(ctx, adoption)
    assert_repaired(("logging/trail", "EnableLogFileValidation", False, True))


def test_an_untagged_logs_key_with_rotation_off_is_never_duplicated(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: LogOutsider, assert_repaired: Any
) -> None:
    kms = log_outsider.archive_kms()
    key = log_outsider.key(kms, "logs")["KeyId"]
    keys_before = len(kms.list_keys()["Keys"])
    kms.untag_resource(KeyId=key, TagKeys=[t["TagKey"] for t in kms.list_resource_tags(KeyId=key)["Tags"]])
    kms.disable_key_rotation(KeyId=key)

    message = blocked_on(applied, sessions, "logging/key/logs")
    assert key in message and "bootstrap adopt logging/key/logs" in message
    assert len(kms.list_keys()["Keys"]) == keys_before

    adoption, ctx = find_live_adoption(applied, sessions, "logging/key/logs")
    adopt(ctx, adoption)
    assert_repaired(("logging/key/logs", "EnableKeyRotation", False, True))
    assert len(kms.list_keys()["Keys"]) == keys_before, "still one key for the purpose"


def test_the_toolkits_alias_repointed_at_another_key_blocks_the_plan(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: LogOutsider
) -> None:
    kms = log_outsider.archive_kms()
    other = kms.create_key(Description="someone's")["KeyMetadata"]["KeyId"]
    kms.update_alias(AliasName="alias/acme/logs", TargetKeyId=other)
    message = blocked_on(applied, sessions, "logging/alias/logs")
    assert other in message and "aws kms update-alias" in message
    live, _ = plan_live(applied, sessions)
    assert "logging/key/logs" not in {c.address for c in live.plan.changes}, describe(live.plan)
    with pytest.raises(InputError, match="carry no tags"):
        find_live_adoption(applied, sessions, "logging/alias/logs")


def test_adopt_refuses_what_is_already_owned_missing_or_unknown(applied: LandingZoneSpec, sessions: Sessions) -> None:
    with pytest.raises(InputError, match="already the toolkit's"):
        find_live_adoption(applied, sessions, "logging/trail")
    with pytest.raises(InputError, match="no resource at"):
        find_live_adoption(applied, sessions, "logging/nothing")
