"""`bootstrap render`: golden files, determinism, stale-file pruning, atomic writes, Mermaid, manual steps.

Golden files live in tests/golden/default/ for the default spec, and in tests/golden/<variant>/ for each variant of
tests/variants.py: there only what the variant renders differently from the default (whole files up to 64 KiB, and
in DIGESTS the SHA-256 of bigger ones and `absent` for the default's files it does not render). After an intended
change to the SCP library, a blueprint or a runbook template, regenerate them all with
`UPDATE_GOLDEN=1 pytest tests/unit/test_render.py` and review the diff.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
from variants import rendered_variants, spec_variants

from bootstrap.errors import InputError
from bootstrap.guardrails.packing import minify, pack_all
from bootstrap.render.artifacts import artifact_files, render_artifacts
from bootstrap.render.atomic import WriteError, atomic_write, write_tree
from bootstrap.render.mermaid import NodeIds, label, org_chart
from bootstrap.render.steps import manual_steps, step_order
from bootstrap.spec.answers import DEFAULT_OUS, Answers, default_guardrails, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec

GOLDEN_ROOT = Path(__file__).resolve().parents[1] / "golden"
GOLDEN = GOLDEN_ROOT / "default"
DIGESTS = "DIGESTS"
ABSENT = "absent"
STORED_LIMIT = 64 * 1024
"""A variant's file bigger than this is kept as its SHA-256 only, to keep the repository small."""
HINT = "if the change is intended, run UPDATE_GOLDEN=1 pytest tests/unit/test_render.py and review the diff"
ACCOUNT_ID = "123456789012"
MAX_RESOURCES = 500
"""CloudFormation's quota of resources per template."""


class Golden(NamedTuple):
    source: str
    """What the rendered file is compared with, for the failure message."""
    data: bytes | None
    digest: str | None = None


def spec_of(**answers: object) -> LandingZoneSpec:
    return parse_spec(render_spec_yaml(Answers(management_account_id=ACCOUNT_ID, **answers)))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_default_spec_matches_golden_files(tmp_path: Path) -> None:
    spec = spec_of()
    if os.environ.get("UPDATE_GOLDEN") == "1":
        render_artifacts(spec, GOLDEN)
    written = render_artifacts(spec, tmp_path)
    rendered = tree(tmp_path)
    assert rendered == _encoded("default"), "tests/variants.py's default is not the default spec"
    golden = {name: Golden(f"tests/golden/default/{name}", data) for name, data in tree(GOLDEN).items()}
    _compare("default", rendered, golden, tmp_path)
    assert written == sorted(tmp_path / name for name in rendered)


@pytest.mark.parametrize("variant", [name for name in spec_variants() if name != "default"])
def test_variant_matches_golden_files(variant: str, tmp_path: Path) -> None:
    """A variant's golden folder holds only how it renders unlike the default; every other file must be the
    default's, byte for byte (the default's render, itself checked against tests/golden/default/ above: a change
    to the default fails that test once, not once per variant)."""
    rendered, default = _encoded(variant), _encoded("default")
    assert rendered != default, f"{variant} renders exactly as the default: it tests nothing here"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        write_variant_golden(variant, rendered, default)
    _compare(variant, rendered, expected_of(variant, default), tmp_path)


def test_every_golden_folder_is_a_variant() -> None:
    folders = {p.name for p in GOLDEN_ROOT.iterdir() if p.is_dir()}
    assert folders == set(spec_variants()), f"remove stale folders of tests/golden/ or add them; {HINT}"


def _encoded(variant: str) -> dict[str, bytes]:
    return {name: text.encode() for name, text in rendered_variants()[variant].items()}


def expected_of(variant: str, default: dict[str, bytes]) -> dict[str, Golden]:
    """The expected files of a variant: the default's, overlaid with the variant's golden folder."""
    same = "the default's render (no copy in tests/golden/{variant}/: the variant should render it as the default does)"
    expected = {name: Golden(f"{name} of {same.format(variant=variant)}", data) for name, data in default.items()}
    folder = GOLDEN_ROOT / variant
    for name, data in tree(folder).items():
        if name != DIGESTS:
            expected[name] = Golden(f"tests/golden/{variant}/{name}", data)
    digests = folder / DIGESTS
    for line in digests.read_text().splitlines() if digests.exists() else []:
        digest, name = line.split("  ", 1)
        if digest == ABSENT:
            del expected[name]
        else:
            expected[name] = Golden(f"the SHA-256 of {name} in tests/golden/{variant}/{DIGESTS}", None, digest)
    return expected


def write_variant_golden(variant: str, rendered: dict[str, bytes], default: dict[str, bytes]) -> None:
    """Store what the variant renders unlike the default: whole files up to STORED_LIMIT bytes, in DIGESTS the
    SHA-256 of bigger ones and `absent` for the default's files the variant does not render."""
    folder = GOLDEN_ROOT / variant
    shutil.rmtree(folder, ignore_errors=True)
    lines = [(name, f"{ABSENT}  {name}") for name in set(default) - set(rendered)]
    for name, data in rendered.items():
        if data == default.get(name):
            continue
        if len(data) > STORED_LIMIT:
            lines.append((name, f"{hashlib.sha256(data).hexdigest()}  {name}"))
        else:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
    if lines:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / DIGESTS).write_text("".join(f"{line}\n" for _, line in sorted(lines)))


def _compare(variant: str, rendered: dict[str, bytes], expected: dict[str, Golden], tmp_path: Path) -> None:
    """Every file of the render against its golden copy; a failure names each file that differs and what it was
    compared with, shows the first diffs, and says how to regenerate."""
    __tracebackhide__ = True
    missing, extra = sorted(set(expected) - set(rendered)), sorted(set(rendered) - set(expected))
    if missing or extra:
        pytest.fail(f"variant {variant}: not rendered {missing}, not expected {extra}; {HINT}")
    problems, diffs = [], []
    for name, data in sorted(rendered.items()):
        golden = expected[name]
        if golden.data is None:
            if hashlib.sha256(data).hexdigest() != golden.digest:
                copy = tmp_path / "rendered" / name
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_bytes(data)
                problems.append(f"{name} differs from {golden.source} (rendered copy: {copy})")
        elif data != golden.data:
            problems.append(f"{name} differs from {golden.source}")
            old, new = golden.data.decode().splitlines(keepends=True), data.decode().splitlines(keepends=True)
            diffs.append("".join(difflib.unified_diff(old, new, f"golden/{name}", f"rendered/{name}", n=1)))
    if problems:
        pytest.fail(f"variant {variant}: {HINT}\n" + "\n".join(problems) + "\n" + "".join(diffs)[:3000])


@pytest.mark.parametrize("variant", list(spec_variants()))
def test_every_template_stays_under_cloudformations_resource_quota(variant: str) -> None:
    for name, text in rendered_variants()[variant].items():
        if name.endswith(".template.json"):
            count = len(json.loads(text)["Resources"])
            assert 0 < count < MAX_RESOURCES, f"{variant}: {name} has {count} resources"


def test_many_accounts_are_split_in_templates_each_account_once() -> None:
    spec = spec_variants()["accounts-in-chunks"]
    files = rendered_variants()["accounts-in-chunks"]
    names = sorted(n for n in files if n.startswith("blueprints/accounts"))
    assert names == ["blueprints/accounts-2.template.json", "blueprints/accounts.template.json"]
    placed = []
    for name in ("blueprints/accounts.template.json", "blueprints/accounts-2.template.json"):
        resources = json.loads(files[name])["Resources"].values()
        accounts = [r["Properties"]["AccountName"] for r in resources if r["Type"] == "AWS::Organizations::Account"]
        assert 0 < len(accounts) < MAX_RESOURCES, name
        placed += accounts
    assert sorted(placed) == sorted(a.name for a in spec.accounts)


def test_golden_set_covers_every_artifact_kind() -> None:
    names = set(tree(GOLDEN))
    assert {"runbooks/index.md", "runbooks/root-user-mfa.md", "blueprints/organization.template.json"} <= names
    assert {f"scps/{p.name}.json" for p in pack_all(spec_of())} <= names


def test_scp_file_is_the_uploaded_document_indented(tmp_path: Path) -> None:
    spec = spec_of()
    render_artifacts(spec, tmp_path)
    for policy in pack_all(spec):
        text = (tmp_path / "scps" / f"{policy.name}.json").read_text(encoding="utf-8")
        assert text.endswith("}\n")
        assert minify(json.loads(text)) == minify(policy.document)


def test_rerender_is_byte_identical_and_rewrites_nothing(tmp_path: Path) -> None:
    spec = spec_of()
    first = render_artifacts(spec, tmp_path / "a")
    before = tree(tmp_path / "a")
    stamps = {p: p.stat().st_mtime_ns for p in first}
    second = render_artifacts(spec, tmp_path / "a")
    render_artifacts(spec, tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "a") for p in second]
    assert tree(tmp_path / "a") == before == tree(tmp_path / "b")
    assert {p: p.stat().st_mtime_ns for p in second} == stamps


def test_stale_files_are_removed_and_nothing_else_is_touched(tmp_path: Path) -> None:
    render_artifacts(spec_of(), tmp_path)
    assert (tmp_path / "scps" / "acme-sandbox-1.json").is_file()
    (tmp_path / "scps" / "hand-written.json").write_text("{}\n")
    (tmp_path / "runbooks" / "old").mkdir()
    (tmp_path / "runbooks" / "old" / "gone.md").write_text("# old\n")
    (tmp_path / "README.md").write_text("mine\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "scps.json").write_text("[]\n")

    without_sandbox = spec_of(organizational_units=[ou for ou in DEFAULT_OUS if ou != "Sandbox"])
    written = render_artifacts(without_sandbox, tmp_path)

    assert written == sorted(written)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == set(artifact_files(without_sandbox))
    for folder in ("scps", "blueprints", "runbooks"):
        left = {p for p in (tmp_path / folder).rglob("*") if p.is_file()}
        assert left == {p for p in written if p.parent.name == folder}, folder
    assert not (tmp_path / "scps" / "acme-sandbox-1.json").exists()
    assert (tmp_path / "README.md").read_text() == "mine\n"
    assert (tmp_path / "notes" / "scps.json").read_text() == "[]\n"


def test_atomic_write_keeps_the_old_file_when_the_replace_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "landing-zone.yaml"
    target.write_text("old: true\n")

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(WriteError, match="No space left on device"):
        atomic_write(target, "new: true\n")
    assert target.read_text() == "old: true\n"
    assert [p.name for p in tmp_path.iterdir()] == ["landing-zone.yaml"]


def test_atomic_write_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "plan.json"
    atomic_write(target, "one\n")
    target.chmod(0o640)
    atomic_write(target, "two\r\n")
    assert target.read_bytes() == b"two\r\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["plan.json"]


def test_failed_render_leaves_only_whole_files_and_prunes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_artifacts(spec_of(), tmp_path)
    old = tree(tmp_path)
    renamed = spec_of(organization_name="globex")
    new = {name: text.encode() for name, text in artifact_files(renamed).items()}
    real_replace, calls = os.replace, []

    def flaky(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(WriteError):
        render_artifacts(renamed, tmp_path)
    after = tree(tmp_path)
    assert len(calls) == 3
    for name, data in after.items():
        assert data in (old.get(name), new.get(name)), f"{name} is neither the old nor the new file"
    assert set(old) <= set(after), "stale files must only be removed after every write succeeded"
    assert not [n for n in after if n.endswith(".tmp")]


def test_blocked_output_folder_fails_before_any_file_is_written(tmp_path: Path) -> None:
    (tmp_path / "scps").write_text("a file where a folder should be\n")
    with pytest.raises(WriteError, match="cannot create the folder"):
        render_artifacts(spec_of(), tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / "scps"]


@pytest.mark.parametrize("relative", ["../escape.json", "/abs/x.json", "elsewhere/x.json", "scps"])
def test_write_tree_only_writes_inside_its_managed_folders(tmp_path: Path, relative: str) -> None:
    with pytest.raises(ValueError, match="not a relative path inside"):
        write_tree(tmp_path / "out", {relative: "{}\n"}, managed=("scps",))
    assert not (tmp_path / "out").exists()


def test_colliding_artifact_names_are_an_input_error() -> None:
    # check_spec rejects such OUs; built past it, render must still refuse rather than overwrite a file.
    spec = LandingZoneSpec.model_validate(
        {
            "organization": spec_of().organization.model_dump(),
            "account_email_pattern": "aws+{name}@example.com",
            "organizational_units": [
                {"path": "Workloads/Prod", "guardrails": ["deny-all"]},
                {"path": "Workloads-Prod", "guardrails": ["deny-all"]},
            ],
        }
    )
    with pytest.raises(InputError, match=re.escape("scps/acme-workloads-prod-1.json")):
        artifact_files(spec)


def test_mermaid_names_every_ou_account_and_scp() -> None:
    spec = spec_of(
        organizational_units=[*DEFAULT_OUS, "Workloads/Prod/Critical"],
        accounts=[{"name": "log-archive", "ou": "Security"}, {"name": "payments", "ou": "Workloads/Prod/Critical"}],
    )
    policies = pack_all(spec)
    chart = org_chart(spec, policies)
    for path in spec.all_ou_paths():
        assert f'"OU {path.rsplit("/", 1)[-1]}"' in chart
    for account in spec.accounts:
        assert f'"account {account.name}"' in chart
    assert {p.ou_path for p in policies if p.policy_type == "RESOURCE_CONTROL_POLICY"} == {"Root"}
    for policy in policies:
        kind = "RCP" if policy.policy_type == "RESOURCE_CONTROL_POLICY" else "SCP"
        assert f'"{kind} {policy.name}<br/>' in chart
        for gid in policy.guardrail_ids:
            assert f"<br/>{gid}" in chart
    nodes = dict(re.findall(r"^    ([A-Za-z0-9]+)\[(\".*\")\]$", chart, re.M))
    edges = re.findall(r"^    ([A-Za-z0-9]+) (?:-->|-\.-) ([A-Za-z0-9]+)$", chart, re.M)
    root_policies = {b for a, b in edges if a == "Root" and not b.startswith(("Ou", "Account", "Management"))}
    assert {nodes[n].split("<br/>")[0] for n in root_policies} == {
        '"SCP acme-root-1',
        '"RCP acme-root-rcp-1',
        '"AI services opt-out acme-ai-services-opt-out',
    }, "the Root's guardrails and opt-out policy hang off the Root"
    assert len(nodes) == 2 + len(spec.all_ou_paths()) + len(spec.accounts) + len(policies) + 1  # + AI opt-out
    assert all(a in nodes and b in nodes for a, b in edges)
    assert ("OuWorkloadsProd", "OuWorkloadsProdCritical") in edges
    assert ("OuWorkloadsProdCritical", "AccountPayments") in edges
    index = (render_runbooks_text(spec))["index.md"]
    assert f"```mermaid\n{chart}```\n" in index


def render_runbooks_text(spec: LandingZoneSpec) -> dict[str, str]:
    files = artifact_files(spec)
    return {name.removeprefix("runbooks/"): text for name, text in files.items() if name.startswith("runbooks/")}


def test_mermaid_ids_are_safe_and_labels_escaped() -> None:
    ids = NodeIds()
    first, second, third = ids.new("Ou", "Workloads/Prod"), ids.new("Ou", "Workloads-Prod"), ids.new("Ou", "end")
    assert (first, second, third) == ("OuWorkloadsProd", "OuWorkloadsProd2", "OuEnd")
    assert label('say "hi" <b>#1 & `x`', "two") == '"say #34;hi#34; #60;b#62;#35;1 #38; #96;x#96;<br/>two"'


def test_manual_steps_are_ordered_and_each_has_its_runbook_anchor() -> None:
    spec = spec_of()
    steps = manual_steps(spec)
    ids = [s.id for s in steps]
    assert ids[:2] == ["root-mfa", "root-access-keys"]
    assert len(set(ids)) == len(ids)
    assert steps == sorted(steps, key=step_order)
    runbooks = render_runbooks_text(spec)
    for step in steps:
        assert step.runbook in runbooks, f"{step.id}: no runbook {step.runbook}"
        assert f'<a id="{step.id}"></a>' in runbooks[step.runbook], f"{step.id}: no anchor in {step.runbook}"
        assert f"]({step.link})" in runbooks["index.md"]
    assert "`bootstrap status`" in runbooks["index.md"]


def test_root_runbook_warns_when_members_root_users_are_not_denied() -> None:
    covered = render_runbooks_text(spec_of())["root-user-mfa.md"]
    assert "are covered by the `deny-root-user` guardrail" in covered
    assert "AccountMFAEnabled" in covered and "AccountAccessKeysPresent" in covered
    exposed = render_runbooks_text(spec_of(guardrails=[g for g in default_guardrails() if g != "deny-root-user"]))
    assert "are covered by" not in exposed["root-user-mfa.md"]
    assert "attaches the `deny-root-user` guardrail to no OU" in exposed["root-user-mfa.md"]
