"""Clients of one service share botocore's client class and service model (`bootstrap.aws.client_classes`), built
once even when many threads create the first clients at once; sessions that did not register are left alone."""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
import pytest
from botocore.config import Config

from bootstrap.aws import client_classes
from bootstrap.aws.session import AwsTarget, Sessions


def _session(cache: client_classes.ClassCache | None) -> botocore.session.Session:
    session = botocore.session.Session()
    session.set_credentials("x", "x")
    if cache is not None:
        client_classes.share(session.get_component("event_emitter"), cache)
    return session


def test_clients_of_one_family_share_their_class_and_model() -> None:
    cache: client_classes.ClassCache = {}
    first = _session(cache).create_client("ec2", region_name="eu-west-1")
    second = _session(cache).create_client("ec2", region_name="us-east-2")  # another session of the family
    assert type(first) is type(second)
    assert first.meta.service_model is second.meta.service_model
    assert first.meta.region_name == "eu-west-1" and second.meta.region_name == "us-east-2"
    assert first.meta.events is not second.meta.events  # handlers stay per client


def test_a_session_outside_every_family_gets_its_own_model() -> None:
    _session({}).create_client("iam", region_name="us-east-1")
    loose = _session(None)
    one, two = loose.create_client("iam", region_name="us-east-1"), loose.create_client("iam", region_name="us-east-1")
    assert one.meta.service_model is not two.meta.service_model


def test_the_first_clients_made_at_once_build_the_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    original = client_classes._original_model

    def counting(creator: Any, service_name: str, api_version: str | None = None) -> Any:
        built.append(service_name)
        return original(creator, service_name, api_version)

    monkeypatch.setattr(client_classes, "_original_model", counting)
    cache: client_classes.ClassCache = {}
    session = _session(cache)
    start = threading.Barrier(8)
    models: list[Any] = []

    def create() -> None:
        start.wait()
        models.append(session.create_client("kms", region_name="us-east-1").meta.service_model)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == ["kms"]
    assert len(models) == 8 and all(model is models[0] for model in models)


def test_a_run_s_clients_share_class_model_and_event_names_but_not_handlers() -> None:
    sessions = Sessions(AwsTarget(), default_region="us-east-1")
    first, second = sessions.client("ec2", region="eu-west-1"), sessions.client("ec2", region="us-east-2")
    assert type(first) is type(second) and first.meta.service_model is second.meta.service_model
    assert first.meta.events is not second.meta.events
    first.meta.events.emit("probe.ec2.DescribeVpcs")
    assert second.meta.events._alias_name_cache is first.meta.events._alias_name_cache
    assert "probe.ec2.DescribeVpcs" in second.meta.events._alias_name_cache


def test_clients_get_every_built_in_handler_but_documentation_and_services_never_called() -> None:
    lean = Sessions(AwsTarget(), default_region="us-east-1").client("s3", region="us-east-1").meta.events
    standard = Config(retries={"mode": "standard"})  # as the toolkit's clients retry
    full = botocore.session.Session().create_client("s3", region_name="us-east-1", config=standard).meta.events
    for event in ("before-parameter-build.s3.PutObject", "before-sign.s3.GetObject", "after-call.s3.ListObjects",
                  "before-call.ec2.CopySnapshot", "choose-signer.sts.AssumeRoleWithWebIdentity"):  # fmt: skip
        names = {getattr(h, "__name__", repr(h)) for h in full._emitter._handlers.prefix_search(event)}
        kept = {getattr(h, "__name__", repr(h)) for h in lean._emitter._handlers.prefix_search(event)}
        assert kept - {"on_call", "check_answer"} == names, event  # the toolkit's own: call counts, answer checks
    assert not lean._emitter._handlers.prefix_search("docs.response-params.s3.GetObject.complete-section")
    assert full._emitter._handlers.prefix_search("docs.response-params.s3.GetObject.complete-section")
    assert not client_classes.needed("before-parameter-build.route53.GetHostedZone")
