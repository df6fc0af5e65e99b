"""Spec validation tables: every bad spec is refused with exit code 2, a message naming file, line and field
path, and a remediation that says the fix; good specs load."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bootstrap.errors import SpecError
from bootstrap.guardrails.library import load_library
from bootstrap.guardrails.packing import pack_all, pack_ou
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import load_spec, parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.values import regions_by_partition

FILE = "lz.yaml"

BASE = """\
version: 1
organization:
  name: acme
  management_account_id: "123456789012"
  home_region: us-east-1
  allowed_regions:
    - us-east-1
    - eu-west-1
  bootstrap_role: OrgBootstrap
  break_glass_role: OrgBreakGlass
account_email_pattern: "aws+{name}@example.com"
organizational_units:
  - path: Security
    guardrails:
      - deny-leave-organization
      - deny-root-user
  - path: Workloads/Prod
    guardrails:
      - deny-regions-outside-allowed
  - path: Sandbox
accounts:
  - name: log-archive
    ou: Security
  - name: audit
    ou: Security
"""

ALL_GUARDRAILS = sorted(load_library())


def edit(old: str, new: str, text: str = BASE) -> str:
    """BASE with one exact fragment replaced (the fragment must exist, so a stale table fails loudly)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the `occurrence`-th line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} time(s)"
    return hits[occurrence - 1]


def limits(text: str, **values: int) -> str:
    block = "  policy_limits:\n" + "".join(f"    {k}: {v}\n" for k, v in values.items())
    return edit("account_email_pattern:", block + "account_email_pattern:", text)


def all_guardrails_on_sandbox(text: str) -> str:
    block = "  - path: Sandbox\n    guardrails:\n" + "".join(f"      - {g}\n" for g in ALL_GUARDRAILS)
    return edit("  - path: Sandbox\n", block, text)


@dataclass(frozen=True)
class Bad:
    text: str
    line: int
    path: str
    message: tuple[str, ...]
    remediation: tuple[str, ...] = field(default=())


def _too_many_policies() -> Bad:
    text = all_guardrails_on_sandbox(limits(BASE, scp_max_chars=3000, scps_per_target=3, reserved_attachments=1))
    roomy = parse_spec(
        all_guardrails_on_sandbox(limits(BASE, scp_max_chars=3000, scps_per_target=10, reserved_attachments=0))
    )
    needed = len(pack_ou(roomy, "Sandbox"))
    assert needed > 2, "the library no longer needs more than 2 policies of 3,000 characters; grow the case"
    return Bad(
        text,
        line_of(text, "guardrails:", 3),
        "organizational_units[2].guardrails",
        ("OU Sandbox", f"needs {needed} SCPs", "only 2 of 3 attachment slots are free", f"{needed - 2} too many"),
        ("Attach fewer guardrails", "scps_per_target"),
    )


def _guardrail_alone_too_big() -> Bad:
    regions = sorted(regions_by_partition()["aws"] - {"us-east-1", "eu-west-1"})
    text = edit("    - eu-west-1\n", "    - eu-west-1\n" + "".join(f"    - {r}\n" for r in regions))
    text = limits(text, scp_max_chars=2048)
    return Bad(
        text,
        line_of(text, "guardrails:", 2),
        "organizational_units[1].guardrails",
        ("guardrail deny-regions-outside-allowed alone is", "over the 2,048-character SCP limit"),
        ("scp_max_chars",),
    )


def _cases() -> dict[str, Bad]:
    deep = edit("Workloads/Prod", "A/B/C/D/E/F")
    dup_ou = edit("  - path: Sandbox\n", "  - path: Sandbox\n  - path: Sandbox\n")
    dup_name = BASE + "  - name: log-archive\n    ou: Sandbox\n"
    dup_explicit = BASE + (
        "  - name: tools\n    ou: Sandbox\n    email: shared@example.com\n"
        "  - name: builds\n    ou: Sandbox\n    email: shared@example.com\n"
    )
    dup_pattern = edit(
        "  - name: audit\n    ou: Security\n",
        "  - name: audit\n    ou: Security\n    email: AWS+Log-Archive@Example.com\n",
    )
    unquoted = edit('"123456789012"', "123456789012")
    adopt_bad = edit("  - name: audit\n    ou: Security\n", '  - name: audit\n    ou: Security\n    id: "1234"\n')
    return {
        "unknown top-level key": Bad(
            BASE + "regions: [us-east-1]\n",
            line_of(BASE + "regions: [us-east-1]", "regions: ["),
            "regions",
            ("unknown field",),
            ("Remove or rename 'regions'",),
        ),
        "typo in an OU key": Bad(
            (t := edit("    guardrails:\n      - deny-leave", "    guardrail:\n      - deny-leave")),
            line_of(t, "guardrail:"),
            "organizational_units[0].guardrail",
            ("unknown field", "did you mean 'guardrails'"),
            ("Rename 'guardrail' to 'guardrails'",),
        ),
        "typo in an organization key": Bad(
            (t := edit("break_glass_role:", "break_glass_rol:")),
            line_of(t, "break_glass_rol:"),
            "organization.break_glass_rol",
            ("did you mean 'break_glass_role'",),
            ("Rename 'break_glass_rol' to 'break_glass_role'",),
        ),
        "account id of 11 digits": Bad(
            edit('"123456789012"', '"12345678901"'),
            4,
            "organization.management_account_id",
            ("not a 12-digit account id",),
            ("12 ASCII digits in quotes",),
        ),
        "account id as an unquoted number": Bad(
            unquoted,
            4,
            "organization.management_account_id",
            ("YAML reads the unquoted 123456789012 as a number", "takes text"),
            ('Quote the value exactly as written: management_account_id: "123456789012"',),
        ),
        "adopted account id too short": Bad(
            adopt_bad,
            line_of(adopt_bad, "    id:"),
            "accounts[1].id",
            ("'1234' is not a 12-digit account id",),
            ("12 ASCII digits in quotes",),
        ),
        "invalid region": Bad(
            edit("    - eu-west-1", "    - europe-1"),
            8,
            "organization.allowed_regions[1]",
            ("'europe-1' is not an AWS region",),
            ("region code",),
        ),
        "invalid home region": Bad(
            edit("home_region: us-east-1", "home_region: US-EAST-1"),
            5,
            "organization.home_region",
            ("'US-EAST-1' is not an AWS region",),
            ("region code",),
        ),
        "home region not allowed": Bad(
            edit("home_region: us-east-1", "home_region: ap-south-1"),
            5,
            "organization.home_region",
            ("home_region 'ap-south-1' must be one of allowed_regions",),
            ("Add ap-south-1 to organization.allowed_regions",),
        ),
        "region listed twice": Bad(
            edit("    - eu-west-1\n", "    - eu-west-1\n    - us-east-1\n"),
            9,
            "organization.allowed_regions[2]",
            ("lists us-east-1 twice",),
            ("Remove the second entry",),
        ),
        "duplicate OU path": Bad(
            dup_ou,
            line_of(dup_ou, "path: Sandbox", 2),
            "organizational_units[3].path",
            ("lists Sandbox more than once",),
            ("one entry per OU path",),
        ),
        "OU nested six deep": Bad(
            deep,
            line_of(deep, "A/B/C/D/E/F"),
            "organizational_units[1].path",
            ("nests 6 OUs deep", "at most 5 levels"),
            ("at most 5 levels deep",),
        ),
        "OU path starting at Root": Bad(
            (t := edit("path: Sandbox", "path: Root/Sandbox")),
            line_of(t, "Root/Sandbox"),
            "organizational_units[2].path",
            ("'Root' is the organization root",),
            ("without the 'Root/' prefix",),
        ),
        "OU names that differ only in punctuation": Bad(
            (t := BASE.replace("  - path: Sandbox\n", "  - path: Sandbox\n  - path: Workloads-Prod\n")),
            line_of(t, "Workloads-Prod"),
            "organizational_units[3].path",
            ("'Workloads-Prod' and OU 'Workloads/Prod' differ only in case or punctuation",),
            ("Rename one",),
        ),
        "account names that differ only in punctuation": Bad(
            (t := BASE + "  - name: log--archive\n    ou: Sandbox\n"),
            line_of(t, "log--archive"),
            "accounts[2].name",
            ("'log--archive' and 'log-archive' differ only in punctuation",),
            ("Rename one",),
        ),
        "SCP name longer than AWS allows": Bad(
            (t := edit("Workloads/Prod", "Workloads/" + "P" * 120)),
            line_of(t, "Workloads/PPP"),
            "organizational_units[1].path",
            ("the policy name acme-workloads-ppp", "AWS allows 128"),
            ("Shorten the OU path",),
        ),
        "duplicate account names": Bad(
            dup_name,
            line_of(dup_name, "name: log-archive", 2),
            "accounts[2].name",
            ("accounts lists log-archive more than once",),
            ("unique name",),
        ),
        "duplicate explicit e-mails": Bad(
            dup_explicit,
            line_of(dup_explicit, "shared@example.com", 2),
            "accounts[3].email",
            ("tools and builds share the e-mail shared@example.com",),
            ("distinct `email:` on account builds",),
        ),
        "explicit e-mail equal to another's pattern e-mail": Bad(
            dup_pattern,
            line_of(dup_pattern, "email:"),
            "accounts[1].email",
            ("log-archive and audit share the e-mail aws+log-archive@example.com",),
            ("distinct `email:` on account audit",),
        ),
        "account in an unknown OU": Bad(
            (t := edit("    ou: Security\n  - name: audit", "    ou: Securty\n  - name: audit")),
            line_of(t, "Securty"),
            "accounts[0].ou",
            ("OU 'Securty' is not listed in organizational_units",),
            ("Did you mean 'Security'?",),
        ),
        "account named management": Bad(
            (t := edit("name: audit", "name: management")),
            line_of(t, "name: management"),
            "accounts[1].name",
            ("names the management account",),
            ("another name",),
        ),
        "management account as a member": Bad(
            (
                t := edit(
                    "    ou: Security\n  - name: audit", '    ou: Security\n    id: "123456789012"\n  - name: audit'
                )
            ),
            line_of(t, '    id: "123456789012"'),
            "accounts[0].id",
            ("is the management account",),
            ("Remove it from accounts",),
        ),
        "unknown guardrail": Bad(
            (t := edit("- deny-root-user", "- deny-root-users")),
            line_of(t, "deny-root-users"),
            "organizational_units[0].guardrails[1]",
            ("unknown guardrail 'deny-root-users'",),
            ("Did you mean 'deny-root-user'?", "Known guardrails:"),
        ),
        "guardrails needing more policies than free slots": _too_many_policies(),
        "a guardrail larger than the SCP limit": _guardrail_alone_too_big(),
        "missing organization": Bad(
            "version: 1\naccount_email_pattern: 'aws+{name}@example.com'\n",
            1,
            "organization",
            ("required field is missing",),
            ("Add organization.",),
        ),
        "invalid YAML": Bad(
            edit("  name: acme\n", "  name: acme: corp\n"),
            3,
            "",
            ("not valid YAML", "a ': ' inside a value"),
            ("Quote the whole value",),
        ),
        "tab indentation": Bad(
            edit("  name: acme\n", "\tname: acme\n"),
            3,
            "",
            ("not valid YAML", "a tab character"),
            ("Replace the tabs on this line with spaces",),
        ),
        "empty file": Bad("", 1, "(top level)", ("the spec is empty",), ("bootstrap init --defaults",)),
        "only comments": Bad("# nothing yet\n", 1, "(top level)", ("the spec is empty",), ("bootstrap init",)),
        "list instead of mapping": Bad(
            "- organization\n- accounts\n", 1, "(top level)", ("a YAML list, not a mapping",), ("bootstrap init",)
        ),
        "rename that moves the OU to another parent": Bad(
            (t := edit("  - path: Sandbox\n", "  - path: Workloads/Sandbox\n    renamed_from: Sandbox\n")),
            line_of(t, "renamed_from:"),
            "organizational_units[2].renamed_from",
            ("'Sandbox' is under the root but 'Workloads/Sandbox' is under 'Workloads'", "not move it"),
            ("Only the last part of the path may change",),
        ),
        "rename of a nested OU out of its parent": Bad(
            (t := edit("  - path: Workloads/Prod\n", "  - path: Workloads/Production\n    renamed_from: Prod\n")),
            line_of(t, "renamed_from:"),
            "organizational_units[1].renamed_from",
            ("'Prod' is under the root but 'Workloads/Production' is under 'Workloads'",),
            ("Only the last part of the path may change",),
        ),
        "rename from its own path": Bad(
            (t := edit("  - path: Sandbox\n", "  - path: Sandbox\n    renamed_from: Sandbox\n")),
            line_of(t, "renamed_from:"),
            "organizational_units[2].renamed_from",
            ("renamed_from is the OU's own path 'Sandbox'",),
            ("Remove renamed_from",),
        ),
        "rename from an OU that is still in the spec": Bad(
            (t := BASE.replace("accounts:\n", "  - path: Labs\n    renamed_from: Sandbox\naccounts:\n")),
            line_of(t, "renamed_from:"),
            "organizational_units[3].renamed_from",
            ("renamed from 'Sandbox', but 'Sandbox' is still an OU of the spec",),
            ("Remove 'Sandbox'",),
        ),
        "two OUs renamed from the same one": Bad(
            (
                t := edit("  - path: Sandbox\n", "  - path: Labs\n    renamed_from: Sandbox\n").replace(
                    "accounts:\n", "  - path: Lab2\n    renamed_from: Sandbox\naccounts:\n"
                )
            ),
            line_of(t, "renamed_from:", 2),
            "organizational_units[3].renamed_from",
            ("OUs 'Labs' and 'Lab2' are both renamed from 'Sandbox'",),
            ("remove renamed_from from one of them",),
        ),
        "renamed_from that is not an OU path": Bad(
            (t := edit("  - path: Sandbox\n", "  - path: Sandbox\n    renamed_from: Root\n")),
            line_of(t, "renamed_from:"),
            "organizational_units[2].renamed_from",
            ("'Root' is the organization root",),
        ),
    }


CASES = _cases()


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_spec_names_file_line_field_and_fix(case: Bad) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(case.text, FILE)
    err = caught.value
    assert err.exit_code == 2
    prefix = f"{FILE}:{case.line}: {case.path}: " if case.path else f"{FILE}:{case.line}: "
    lines = [line for line in err.message.splitlines() if line.startswith(prefix)]
    assert lines, f"no line of the message starts with {prefix!r}:\n{err.message}"
    for fragment in case.message:
        assert any(fragment in line for line in lines), f"{fragment!r} not in {lines}"
    assert err.remediation, "every refusal says how to fix it"
    for fragment in case.remediation:
        assert fragment in err.remediation


def test_load_spec_names_the_file_it_read(tmp_path: Path) -> None:
    path = tmp_path / "landing-zone.yaml"
    path.write_text(edit("home_region: us-east-1", "home_region: ap-south-1"), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.message.startswith(f"{path}:5: organization.home_region: ")


def test_missing_spec_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(tmp_path / "nope.yaml")
    assert caught.value.exit_code == 2
    assert "no such spec file" in caught.value.message
    assert "bootstrap init" in caught.value.remediation


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = edit("- deny-root-user", "- deny-root-users")
    text = edit("    ou: Security\n  - name: audit", "    ou: Securty\n  - name: audit", text)
    with pytest.raises(SpecError) as caught:
        parse_spec(text, FILE)
    lines = caught.value.message.splitlines()
    assert len(lines) >= 2
    assert any("guardrails" in line and "deny-root-users" in line for line in lines)
    assert any("accounts[0].ou" in line and "Securty" in line for line in lines)
    assert "deny-root-user" in caught.value.remediation and "Security" in caught.value.remediation


# --- good specs ---------------------------------------------------------------------------------------

MINIMAL = """\
organization:
  name: tiny
  management_account_id: "000000000001"
  home_region: eu-west-1
  allowed_regions: [eu-west-1]
account_email_pattern: "root+{name}@example.org"
"""


def test_default_spec_from_the_wizard_loads() -> None:
    spec = parse_spec(render_spec_yaml(Answers(management_account_id="123456789012")), FILE)
    assert spec.organization.management_account_id == "123456789012"
    assert spec.all_ou_paths() == [
        "Infrastructure",
        "Sandbox",
        "Security",
        "Suspended",
        "Workloads",
        "Workloads/NonProd",
        "Workloads/Prod",
    ]
    assert spec.guardrails_for("Suspended") == ["deny-all"]
    assert [a.name for a in spec.accounts] == ["log-archive", "audit"]
    assert pack_all(spec), "the default landing zone has guardrails"


def test_minimal_spec_loads_with_defaults() -> None:
    spec = parse_spec(MINIMAL, FILE)
    assert spec.version == 1
    assert spec.organizational_units == [] and spec.accounts == []
    assert spec.organization.bootstrap_role == "LandingZoneBootstrap"
    assert spec.organization.policy_limits.scp_max_chars == 5120
    assert spec.organization.management_account_id == "000000000001"  # leading zeros survive quoting
    # A spec without root_guardrails still protects the exempt roles' names at the Root, and opts out of AI.
    assert spec.organization.root_guardrails == ["protect-landing-zone-roles"]
    assert spec.organization.ai_services_opt_out is True
    assert [(p.name, p.ou_path, p.guardrail_ids) for p in pack_all(spec)] == [
        ("tiny-root-1", "Root", ("protect-landing-zone-roles",))
    ]


def test_account_with_id_is_adopted() -> None:
    spec = parse_spec(
        edit("    ou: Security\n  - name: audit", '    ou: Security\n    id: "012345678901"\n  - name: audit')
    )
    assert spec.accounts[0].id == "012345678901"
    assert spec.accounts[1].id is None
    assert spec.account_email(spec.accounts[1]) == "aws+audit@example.com"


def test_nested_ou_implies_its_parents() -> None:
    text = (
        MINIMAL + "organizational_units:\n  - path: Workloads/Prod/Web\naccounts:\n  - name: web\n    ou: Workloads\n"
    )
    spec = parse_spec(text, FILE)
    assert spec.all_ou_paths() == ["Workloads", "Workloads/Prod", "Workloads/Prod/Web"]
    assert spec.accounts[0].ou == "Workloads"


def test_account_directly_under_root() -> None:
    spec = parse_spec(MINIMAL + "accounts:\n  - name: shared\n    ou: Root\n", FILE)
    assert spec.accounts[0].ou == "Root"


def test_five_levels_is_allowed() -> None:
    spec = parse_spec(MINIMAL + "organizational_units:\n  - path: A/B/C/D/E\n", FILE)
    assert spec.all_ou_paths()[-1] == "A/B/C/D/E"


def test_renamed_ou_loads_and_knows_its_former_paths() -> None:
    spec = parse_spec(
        edit("  - path: Sandbox\n", "  - path: Experiments\n    renamed_from: Sandbox\n  - path: Experiments/Team\n")
    )
    assert spec.organizational_units[2].renamed_from == "Sandbox"
    assert spec.former_ou_paths("Experiments") == ["Sandbox"]
    assert spec.former_ou_paths("Experiments/Team") == ["Sandbox/Team"], "descendants move with it"
    assert spec.former_ou_paths("Security") == []
    assert spec.former_ou_paths("Workloads/Prod") == []


def test_renames_at_two_levels_give_every_mix_of_old_and_new_names() -> None:
    """After an interrupted apply, a parent may have its new name while its child still has its old one."""
    spec = parse_spec(
        edit(
            "  - path: Workloads/Prod\n",
            "  - path: Apps\n    renamed_from: Workloads\n  - path: Apps/Production\n    renamed_from: Apps/Prod\n",
        )
    )
    assert spec.former_ou_paths("Apps/Production") == ["Workloads/Prod", "Workloads/Production", "Apps/Prod"]
    assert spec.former_ou_paths("Apps") == ["Workloads"]


def test_spec_is_frozen() -> None:
    spec = parse_spec(MINIMAL, FILE)
    assert isinstance(spec, LandingZoneSpec)
    with pytest.raises(ValueError, match="frozen"):
        spec.organization.name = "other"  # type: ignore[misc]
