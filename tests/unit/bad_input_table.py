"""The table of bad inputs `test_bad_inputs.py` runs through the command line, one row per case.

Rows are grouped by the class of problem they belong to (the prefix of each id): values AWS would
reject at apply time, YAML that would be silently wrong, inputs that used to crash, checks that must
come before the first AWS call, exit codes, where an error points, answers files, and fixes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bootstrap.changes import Plan
from bootstrap.plan.saved import plan_to_json
from bootstrap.spec.load import parse_spec
from bootstrap.workflow import spec_digest

BASE = """\
version: 1
organization:
  name: acme
  management_account_id: "123456789012"
  home_region: us-east-1
  allowed_regions:
    - us-east-1
    - eu-west-1
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

FULL_WIDTH_ID = "".join(chr(0xFF10 + int(d)) for d in "123456789012")
"""123456789012 in full-width digits: `\\d` and `str.isdigit` accept them, AWS does not."""

RAW_LIBRARY_WORDS = ("Input should", "Value error", "Fix the field named above", "Unexpected error", "Traceback")


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def with_logging(body: str) -> str:
    return BASE + "logging:\n" + body


def with_network(body: str, text: str = BASE) -> str:
    return text + "network:\n" + body


def with_billing(*lines: str) -> str:
    """An enabled billing section with an amount and a subscriber, then `lines` (two-space indented fields)."""
    fields = {"monthly_spend": "monthly_spend: 250", "emails": "emails: [finance@example.com]"}
    for line in lines:
        fields[line.split(":", 1)[0]] = line
    return BASE + "billing:\n  enabled: true\n" + "".join(f"  {field}\n" for field in fields.values())


CONTACT = (
    "baseline:\n  alternate_contacts:\n    security:\n      name: SOC\n      title: CISO\n"
    "      email: soc@example.org\n      phone: '+1 206 555 0100'\n"
)
"""A security contact AWS accepts (lines 24-30 after BASE), for rows that break one of its fields."""


def with_identity(body: str) -> str:
    """The spec with an identity section: a group, the read-only set, and `body` appended below them."""
    return BASE + "identity:\n  groups: [{name: developers}]\n" + body


def assignment(**fields: str) -> str:
    """The read-only set and one assignment of it, with `fields` (group developers unless given)."""
    values = {"group": "developers", "permission_set": "read-only", **fields}
    inner = ", ".join(f"{k}: {v}" for k, v in values.items())
    return "  permission_sets: [read-only]\n  assignments:\n    - {" + inner + "}\n"


def own_set(*fields: str) -> str:
    """A permission set of the spec's own, named analyst, with `fields` below its name."""
    return "  permission_sets:\n    - name: analyst\n" + "".join(f"      {field}\n" for field in fields)


def vpc(*fields: str, name: str = "apps") -> str:
    """One VPC of the network section, for the audit account unless the fields say otherwise."""
    lines = [f"    - name: {name}\n"] + [f"      {field}\n" for field in fields]
    if not any(field.startswith(("accounts:", "ous:")) for field in fields):
        lines.insert(1, "      accounts: [audit]\n")
    return "".join(lines)


def bucket(name: str) -> str:
    return with_logging(f"  bucket_name: {name}\n")


def nested_ous(count: int) -> str:
    paths = "".join(f"  - path: Team{i:04d}\n" for i in range(count))
    return edit("  - path: Sandbox\n", "  - path: Sandbox\n" + paths)


ALIAS_BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


@dataclass(frozen=True)
class Case:
    """A command line (`{dir}` is the test's folder), the files it reads, and what the user must see."""

    argv: str
    files: dict[str, str | bytes]
    where: str
    says: tuple[str, ...]
    fix: tuple[str, ...] = ()
    code: int = 2
    env: tuple[tuple[str, str], ...] = ()


def spec(text: str | bytes, where: str, says: tuple[str, ...], fix: tuple[str, ...] = ()) -> Case:
    return Case("validate --spec {dir}/lz.yaml", {"lz.yaml": text}, where, says, fix)


AWS_CONFIG = "[default]\nregion = us-east-1\n\n[profile prod-admin]\nregion = eu-west-1\n"


def profile_case(
    argv: str, where: str, says: tuple[str, ...], fix: tuple[str, ...], env: tuple[tuple[str, str], ...] = ()
) -> Case:
    """A command naming an AWS profile, with AWS config files that define `default` and `prod-admin`."""
    files: dict[str, str | bytes] = {"lz.yaml": BASE, "aws-config": AWS_CONFIG, "aws-credentials": ""}
    paths = (("AWS_CONFIG_FILE", "{dir}/aws-config"), ("AWS_SHARED_CREDENTIALS_FILE", "{dir}/aws-credentials"))
    return Case(argv, files, where, says, fix, env=paths + env)


def saved_plan(text: str | bytes, where: str, says: tuple[str, ...]) -> Case:
    return Case(
        "apply {dir}/plan.json --spec {dir}/lz.yaml",
        {"lz.yaml": BASE, "plan.json": text},
        where,
        says,
        ("bootstrap plan --out FILE",),
    )


def plan_json(**fields: str) -> str:
    values = {"spec_digest": spec_digest(parse_spec(BASE)), "management_account_id": "123456789012"} | fields
    return plan_to_json(Plan(changes=(), state_fingerprint="f", **values))


ANSWERS_ACCOUNTS = "accounts:\n" + "".join(
    f"  - name: {name}\n    ou: Security\n" for name in ("log-archive", "audit", "a" * 50)
)

CASES: dict[str, Case] = {
    # Accepted specs that AWS rejects at apply time.
    "AWS would reject: e-mail over 64 characters once the pattern is filled in": spec(
        edit("aws+{name}@example.com", "aws+{name}@a-very-long-domain-name-for-all-the-mail.example.com"),
        "lz.yaml:20: accounts[0].name:",
        ("is 68 characters; AWS accepts account e-mails of 6-64",),
        ("Shorten account_email_pattern or the account name",),
    ),
    "AWS would reject: e-mail with a non-ASCII letter": spec(
        edit("aws+{name}@example.com", "aws+{name}@exämple.com"),
        "lz.yaml:9: account_email_pattern:",
        ("outside 7-bit ASCII",),
        ("6-64 ASCII characters",),
    ),
    "AWS would reject: e-mail with a character CreateAccount forbids": spec(
        edit("  - name: audit\n    ou: Security\n", "  - name: audit\n    ou: Security\n    email: a(b@example.com\n"),
        "lz.yaml:24: accounts[1].email:",
        ("AWS forbids '(' before the '@'",),
        ("none of space",),
    ),
    "AWS would reject: account id in full-width digits": spec(
        edit('"123456789012"', f'"{FULL_WIDTH_ID}"'),
        "lz.yaml:4: organization.management_account_id:",
        ("digits that are not ASCII 0-9",),
        ("12 ASCII digits in quotes",),
    ),
    "AWS would reject: account id in Arabic-Indic digits": spec(
        edit("    ou: Security\n  - name: audit", '    ou: Security\n    id: "١٢٣٤٥٦٧٨٩٠١١"\n  - name: audit'),
        "lz.yaml:22: accounts[0].id:",
        ("digits that are not ASCII 0-9",),
        ("12 ASCII digits in quotes",),
    ),
    "AWS would reject: role name with a non-ASCII letter": spec(
        edit("  home_region: us-east-1\n", "  home_region: us-east-1\n  bootstrap_role: Bootströp\n"),
        "lz.yaml:6: organization.bootstrap_role:",
        ("not an IAM role name",),
        ("at most 64 ASCII letters",),
    ),
    "AWS would reject: role name of 65 characters": spec(
        edit("  home_region: us-east-1\n", "  home_region: us-east-1\n  break_glass_role: " + "R" * 65 + "\n"),
        "lz.yaml:6: organization.break_glass_role:",
        ("is 65 characters; IAM role names are at most 64",),
        ("at most 64 ASCII letters",),
    ),
    "AWS would reject: bucket name in IP-address form": spec(
        bucket("192.168.1.10"), "lz.yaml:25: logging.bucket_name:", ("formatted as an IP address",), ("no IP-address",)
    ),
    "AWS would reject: bucket name with prefix xn--": spec(
        bucket("xn--logs"), "lz.yaml:25: logging.bucket_name:", ("'xn--'",)
    ),
    "AWS would reject: bucket name with prefix sthree-": spec(
        bucket("sthree-logs"), "lz.yaml:25: logging.bucket_name:", ("'sthree-'",)
    ),
    "AWS would reject: bucket name with prefix amzn-s3-demo-": spec(
        bucket("amzn-s3-demo-logs"), "lz.yaml:25: logging.bucket_name:", ("'amzn-s3-demo-', a prefix S3 reserves",)
    ),
    "AWS would reject: bucket name with suffix --x-s3": spec(
        bucket("logs--x-s3"), "lz.yaml:25: logging.bucket_name:", ("'--x-s3'",)
    ),
    "AWS would reject: bucket name with suffix -s3alias": spec(
        bucket("logs-s3alias"), "lz.yaml:25: logging.bucket_name:", ("'-s3alias', a suffix S3 reserves",)
    ),
    "AWS would reject: bucket name with suffix --ol-s3": spec(
        bucket("logs--ol-s3"), "lz.yaml:25: logging.bucket_name:", ("'--ol-s3'",)
    ),
    "AWS would reject: access-log bucket with two adjacent periods": spec(
        with_logging("  access_log_bucket_name: logs..access\n"),
        "lz.yaml:25: logging.access_log_bucket_name:",
        ("two adjacent periods",),
    ),
    "AWS would reject: region of the right shape that does not exist": spec(
        edit("    - eu-west-1\n", "    - eu-west-9\n"),
        "lz.yaml:8: organization.allowed_regions[1]:",
        ("'eu-west-9' is not an AWS region (did you mean eu-west-",),
        ("us-east-1 or eu-west-1",),
    ),
    "AWS would reject: two accounts with the same id": spec(
        edit(
            "    ou: Security\n  - name: audit\n    ou: Security\n",
            '    ou: Security\n    id: "111111111111"\n  - name: audit\n    ou: Security\n    id: "111111111111"\n',
        ),
        "lz.yaml:25: accounts[1].id:",
        ("accounts log-archive and audit both have the id 111111111111",),
        ("correct the id of one of them",),
    ),
    "AWS would reject: more OUs than an organization may hold": spec(
        nested_ous(1000),
        "lz.yaml:10: organizational_units:",
        ("1004 OUs (parents included); an organization holds at most 1000",),
        ("Use fewer OUs",),
    ),
    "AWS would reject: OUs nested six deep": spec(
        edit("Workloads/Prod", "A/B/C/D/E/F"),
        "lz.yaml:15: organizational_units[1].path:",
        ("nests 6 OUs deep; AWS allows at most 5",),
        ("at most 5 levels deep",),
    ),
    # Silently wrong.
    "silently wrong: a duplicate key (the last one would strip the guardrails)": spec(
        edit(
            "  - path: Workloads/Prod\n    guardrails:\n",
            "  - path: Workloads/Prod\n    guardrails: []\n    guardrails:\n",
        ),
        "lz.yaml:17:",
        ("'organizational_units[1].guardrails' appears twice", "first on line 16"),
        ("Keep one 'guardrails:'",),
    ),
    "silently wrong: a duplicate top-level key": spec(
        BASE + "organization: {}\n",
        "lz.yaml:24:",
        ("'organization' appears twice", "first on line 2"),
        ("Keep one 'organization:'",),
    ),
    "silently wrong: true as retention days": spec(
        with_logging("  log_group_retention_days: true\n"),
        "lz.yaml:25: logging.log_group_retention_days:",
        ("YAML reads the unquoted true as the boolean true", "takes a number"),
        ("Write a number for logging.log_group_retention_days",),
    ),
    "silently wrong: no as an account name": spec(
        edit("  - name: audit", "  - name: no"),
        "lz.yaml:22: accounts[1].name:",
        ("YAML reads the unquoted no as the boolean false", "takes text"),
        ('Quote the value exactly as written: name: "no"',),
    ),
    "AWS would reject: a password policy minimum length below 6": spec(
        BASE + "baseline:\n  password_policy:\n    minimum_length: 5\n",
        "lz.yaml:26: baseline.password_policy.minimum_length:",
        ("5 is out of range: it must be at least 6",),
        ("Set baseline.password_policy.minimum_length to a value at least 6",),
    ),
    "AWS would reject: password reuse prevention above 24": spec(
        BASE + "baseline:\n  password_policy:\n    reuse_prevention: 25\n",
        "lz.yaml:26: baseline.password_policy.reuse_prevention:",
        ("25 is out of range: it must be at most 24",),
    ),
    "AWS would reject: a password max age above 1095 days": spec(
        BASE + "baseline:\n  password_policy:\n    max_age_days: 2000\n",
        "lz.yaml:26: baseline.password_policy.max_age_days:",
        ("2000 is out of range: it must be at most 1095",),
    ),
    "AWS would reject: an alternate contact's phone with letters": spec(
        BASE + CONTACT.replace("+1 206 555 0100", "call the SOC"),
        "lz.yaml:30: baseline.alternate_contacts.security.phone:",
        ("'call the SOC' is not a phone number AWS accepts",),
        ("digits, spaces",),
    ),
    "AWS would reject: an alternate contact's e-mail without a domain": spec(
        BASE + CONTACT.replace("soc@example.org", "soc@localhost"),
        "lz.yaml:29: baseline.alternate_contacts.security.email:",
        ("'soc@localhost' is not an e-mail address AWS accepts",),
    ),
    "AWS would reject: an alternate contact's title over 50 characters": spec(
        BASE + CONTACT.replace("CISO", "C" * 51),
        "lz.yaml:28: baseline.alternate_contacts.security.title:",
        ("must be 1 to 50 characters",),
    ),
    "silently wrong: days written as text": spec(
        with_logging("  object_lock:\n    days: '30'\n"),
        "lz.yaml:26: logging.object_lock.days:",
        ("'30' is text; this field takes a number",),
        ("without quotes",),
    ),
    # Crashes that reached the catch-all.
    "crash: a file that is not UTF-8": spec(
        BASE.replace("name: acme", "name: acm\xe9").encode("latin-1"),
        "lz.yaml:3:",
        ("not UTF-8 text (byte 0xe9 on line 3)",),
        ("Save the file as UTF-8",),
    ),
    "crash: a 5,000-digit integer": spec(
        with_logging("  log_group_retention_days: " + "9" * 5000 + "\n"),
        "lz.yaml:25: logging.log_group_retention_days:",
        ("a number of 5,000 digits",),
        ("No field of the spec takes a number this long",),
    ),
    "crash: deeply nested flow collections": spec(
        BASE + "x: " + "[" * 5000 + "]" * 5000 + "\n",
        "lz.yaml:24:",
        ("nested more than 64 levels deep",),
        ("brackets",),
    ),
    "crash: an alias bomb": spec(
        ALIAS_BOMB, "lz.yaml:6:", ("aliases (*name) expand to more than 500,000 values",), ("fewer nested aliases",)
    ),
    "crash: a saved plan that is a JSON list": saved_plan("[]\n", "plan.json:", ("not a plan file",)),
    "crash: a saved plan whose changes are not a list": saved_plan(
        plan_json().replace('"changes": []', '"changes": "all"'),
        "plan.json:",
        ("'changes' is missing or of the wrong kind",),
    ),
    "crash: a saved plan whose labels are a list": saved_plan(
        plan_json().replace('"labels": {}', '"labels": []'), "plan.json:", ("'labels' is of the wrong kind",)
    ),
    "crash: a saved plan that is not JSON": saved_plan("plan: yes\n", "plan.json:", ("not JSON: line 1",)),
    "crash: a saved plan that is not UTF-8": saved_plan(b"\xff\xfe{}", "plan.json:", ("not UTF-8",)),
    "crash: an unknown flag": Case("validate --nope", {}, "", ("No such option: --nope",)),
    "crash: an unknown command": Case("valdate", {}, "", ("No such command 'valdate'",)),
    "crash: a flag without its value": Case("validate --spec", {}, "", ("Option '--spec' requires an argument",)),
    "crash: an extra argument": Case("validate extra", {}, "", ("unexpected extra argument",)),
    "crash: a spec that is a folder": Case(
        "validate --spec {dir}", {}, "", ("is a folder, not a spec file",), ("Pass the path",)
    ),
    "crash: a spec that does not exist": Case(
        "validate --spec {dir}/none.yaml", {}, "", ("no such spec file",), ("bootstrap init",)
    ),
    "crash: no arguments at all": Case("", {}, "", ("Usage: bootstrap",)),
    # An AWS call before the input is refused.
    "AWS call first: init --answers whose spec would be refused": Case(
        "init --answers {dir}/answers.yaml --spec {dir}/out.yaml",
        {"answers.yaml": ANSWERS_ACCOUNTS},
        "accounts[2].name:",
        ("AWS accepts account e-mails of 6-64",),
        ("Shorten account_email_pattern or the account name",),
    ),
    "AWS call first: apply of a plan made from another spec": saved_plan(
        plan_json(spec_digest="0" * 64), "plan.json:", ("made from another version of the spec",)
    ),
    "AWS call first: apply of a plan made for another management account": saved_plan(
        plan_json(management_account_id="210987654321"), "plan.json:", ("management account 210987654321",)
    ),
    "AWS call first: plan --out into a folder that does not exist": Case(
        "plan --spec {dir}/lz.yaml --out {dir}/missing/plan.json",
        {"lz.yaml": BASE},
        "--out",
        ("missing does not exist",),
        ("Create the folder first",),
    ),
    # Wrong exit code or wrong fix.
    "exit code: render -o onto a file": Case(
        "render --spec {dir}/lz.yaml -o {dir}/lz.yaml",
        {"lz.yaml": BASE},
        "--output",
        ("is a file, not a folder",),
        ("folder you can write to",),
    ),
    "exit code: a --region that does not exist": Case(
        "--region us-east-7 plan --spec {dir}/lz.yaml",
        {"lz.yaml": BASE},
        "--region:",
        ("not an AWS region",),
        ("region code such as us-east-1",),
    ),
    "exit code: an --endpoint-url that is not a URL": Case(
        "plan --spec {dir}/lz.yaml --endpoint-url localhost:5000",
        {"lz.yaml": BASE},
        "--endpoint-url:",
        ("not an http:// or https:// URL",),
        ("http://127.0.0.1:5000",),
    ),
    "exit code: an --endpoint-url with a bad port": Case(
        "--endpoint-url http://127.0.0.1:99999 status --spec {dir}/lz.yaml",
        {"lz.yaml": BASE},
        "--endpoint-url:",
        ("not a URL",),
        ("full URL",),
    ),
    "exit code: an AWS_ENDPOINT_URL that is not a URL": Case(
        "plan --spec {dir}/lz.yaml",
        {"lz.yaml": BASE},
        "AWS_ENDPOINT_URL:",
        ("not an http:// or https:// URL",),
        ("unset it",),
        env=(("AWS_ENDPOINT_URL", "127.0.0.1:5000"),),
    ),
    "exit code: --profile naming a profile the AWS config files lack": profile_case(
        "--profile prod-admn plan --spec {dir}/lz.yaml",
        "--profile:",
        ("no profile named 'prod-admn'", "did you mean prod-admin?"),
        ("Pass --profile with a profile `aws configure list-profiles` shows",),
    ),
    "exit code: --profile naming a profile, for init (which asks AWS for the caller)": profile_case(
        "init --defaults --spec {dir}/out.yaml --profile nobody",
        "--profile:",
        ("no profile named 'nobody'", "profiles there: default, prod-admin"),
        ("aws configure --profile nobody",),
    ),
    "exit code: an AWS_PROFILE the AWS config files lack": profile_case(
        "apply --yes --spec {dir}/lz.yaml",
        "AWS_PROFILE:",
        ("no profile named 'prod-admn'", "did you mean prod-admin?"),
        ("unset it",),
        env=(("AWS_PROFILE", "prod-admn"),),
    ),
    # Wrong place.
    "wrong place: an unquoted octal-looking account id": spec(
        edit('"123456789012"', "012345670123"),
        "lz.yaml:4: organization.management_account_id:",
        ("YAML reads the unquoted 012345670123 as the octal number 1402433619",),
        ('management_account_id: "012345670123"',),
    ),
    "wrong place: reserved_attachments leaving no slot": spec(
        edit(
            "  home_region: us-east-1\n",
            "  home_region: us-east-1\n  policy_limits:\n    scps_per_target: 2\n    reserved_attachments: 6\n",
        ),
        "lz.yaml:8: organization.policy_limits.reserved_attachments:",
        ("reserved_attachments is 6, which leaves none of the 2 SCP slots",),
        ("below scps_per_target",),
    ),
    "wrong place: an unclosed quote": spec(
        edit("  name: acme\n", '  name: "acme\n'),
        "lz.yaml:3:",
        ("a quoted value starts on line 3 and its closing quote is missing",),
        ("Close the quote",),
    ),
    "wrong place: a NUL byte": spec(
        edit("  name: acme\n", "  name: ac\x00me\n"), "lz.yaml:3:", ("a NUL byte",), ("Remove it from line 3",)
    ),
    "wrong place: a tab used for indentation": spec(
        edit("  name: acme\n", "\tname: acme\n"), "lz.yaml:3:", ("a tab character",), ("Replace the tabs",)
    ),
    # Answers files.
    "answers file: an answers file with a misspelt key": Case(
        "init --answers {dir}/answers.yaml --spec {dir}/out.yaml --management-account-id 123456789012",
        {"answers.yaml": "home_region: us-east-1\norganisation_name: acme\n"},
        "answers.yaml:2: organisation_name:",
        ("did you mean 'organization_name'?",),
        ("Rename 'organisation_name' to 'organization_name'",),
    ),
    "answers file: an answers file with a bad region": Case(
        "init --answers {dir}/answers.yaml --spec {dir}/out.yaml",
        {"answers.yaml": "organization_name: acme\nhome_region: eu-wset-1\n"},
        "answers.yaml:2: home_region:",
        ("'eu-wset-1' is not an AWS region (did you mean eu-west-1?)",),
        ("us-east-1 or eu-west-1",),
    ),
    "answers file: a public address pool": Case(
        "init --answers {dir}/answers.yaml --spec {dir}/out.yaml --management-account-id 123456789012",
        {"answers.yaml": "organization_name: acme\nvpc_ip_pool: 8.8.0.0/16\n"},
        "answers.yaml:2: vpc_ip_pool:",
        ("8.8.0.0/16 is not private address space",),
        ("for example 10.0.0.0/8",),
    ),
    "answers file: a bad --management-account-id": Case(
        "init --defaults --spec {dir}/out.yaml --management-account-id 12345",
        {},
        "--management-account-id:",
        ("not a 12-digit account id (5 digits)",),
        ("12-digit id",),
    ),
    # Generic fixes and library words.
    "generic fix: a spec version this toolkit does not read": spec(
        edit("version: 1", "version: 2"), "lz.yaml:1: version:", ("version 2 is not a spec version",), ("version: 1",)
    ),
    "generic fix: a list where a mapping is expected": spec(
        with_logging("  object_lock: [on]\n"),
        "lz.yaml:25: logging.object_lock:",
        ("takes a mapping of fields, not a list",),
        ("indented below it",),
    ),
    # The network section (all checked by validate, no AWS call).
    "network: a public ip_pool": spec(
        with_network("  ip_pool: 8.8.0.0/16\n"),
        "lz.yaml:25: network.ip_pool:",
        ("8.8.0.0/16 is not private address space",),
        ("10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918), or 100.64.0.0/10",),
    ),
    "network: an ip_pool that is not a network": spec(
        with_network("  ip_pool: 10.0.0.0/33\n"),
        "lz.yaml:25: network.ip_pool:",
        ("'10.0.0.0/33' is not an IPv4 block in CIDR notation",),
        ("Set network.ip_pool to a block of",),
    ),
    "network: an ip_pool with host bits set": spec(
        with_network("  ip_pool: 10.1.2.0/8\n"),
        "lz.yaml:25: network.ip_pool:",
        ("'10.1.2.0/8' has address bits set past its prefix length: the block is 10.0.0.0/8",),
    ),
    "network: two explicit cidrs that overlap": spec(
        with_network(
            "  vpcs:\n"
            + vpc("cidr: 10.1.0.0/16", name="first")
            + vpc("cidr: 10.1.4.0/22", "accounts: [log-archive]", name="second")
        ),
        "lz.yaml:30: network.vpcs[1].cidr:",
        ("VPC second's cidr 10.1.4.0/22 overlaps VPC first's cidr 10.1.0.0/16 (network.vpcs[0])",),
        ("blocks that do not overlap",),
    ),
    "network: an explicit cidr outside private address space": spec(
        with_network("  vpcs:\n" + vpc("cidr: 11.0.0.0/16")),
        "lz.yaml:28: network.vpcs[0].cidr:",
        ("11.0.0.0/16 is not private address space",),
        ("for example 10.20.0.0/20",),
    ),
    "network: an explicit cidr that is not a block": spec(
        with_network("  vpcs:\n" + vpc("cidr: 10.0.0.300/16")),
        "lz.yaml:28: network.vpcs[0].cidr:",
        ("'10.0.0.300/16' is not an IPv4 block in CIDR notation",),
    ),
    "network: an explicit cidr of a size AWS refuses": spec(
        with_network("  vpcs:\n" + vpc("cidr: 10.0.0.0/12")),
        "lz.yaml:28: network.vpcs[0].cidr:",
        ("10.0.0.0/12 is a /12; AWS accepts VPC blocks from /16 to /28",),
        ("/16 (65,536 addresses) to /28",),
    ),
    "network: an explicit cidr on a VPC in several account-regions": spec(
        with_network("  vpcs:\n" + vpc("ous: [Security]", "cidr: 10.0.0.0/20")),
        "lz.yaml:28: network.vpcs[0].cidr:",
        ("VPC apps lands in 2 account-regions (log-archive / us-east-1, audit / us-east-1)",),
        ("Remove `cidr`",),
    ),
    "network: a pool too small for every VPC": spec(
        with_network(
            "  ip_pool: 10.0.0.0/20\n  vpcs:\n" + vpc("ous: [Security]", "regions: [us-east-1, eu-west-1]", "size: 21")
        ),
        "lz.yaml:25: network.ip_pool:",
        ("the VPCs need 4 /21 blocks and the pool 10.0.0.0/20 holds 2: short by 2",),
        ("a /19 at least",),
    ),
    "network: subnet tiers that do not fit the VPC": spec(
        with_network(
            "  vpcs:\n"
            + vpc("size: 22", "subnets: [{tier: public, size: 24}, {tier: private, size: 23}]", "nat_gateways: one")
        ),
        "lz.yaml:29: network.vpcs[0].subnets:",
        ("2 x /24 (public) + 2 x /23 (private) = 1,536 addresses; the /22 VPC holds 1,024",),
        ("Make the subnets smaller",),
    ),
    "network: a subnet larger than its VPC": spec(
        with_network("  vpcs:\n" + vpc("size: 24", "subnets: [{tier: private, size: 20}]")),
        "lz.yaml:29: network.vpcs[0].subnets[0].size:",
        ("a /20 subnet is larger than its /24 VPC",),
    ),
    "network: a VPC size AWS refuses": spec(
        with_network("  vpcs:\n" + vpc("size: 12")),
        "lz.yaml:28: network.vpcs[0].size:",
        ("/12 is a size AWS refuses: VPC and subnet blocks are /16 (65,536 addresses) to /28",),
        ("prefix length from 16 to 28",),
    ),
    "network: a subnet size AWS refuses": spec(
        with_network("  vpcs:\n" + vpc("subnets: [{tier: private, size: 29}]")),
        "lz.yaml:28: network.vpcs[0].subnets[0].size:",
        ("/29 is a size AWS refuses",),
    ),
    "network: more availability zones than the region has": spec(
        with_network(
            "  vpcs:\n" + vpc("regions: [us-west-1]", "availability_zones: 3"),
            edit("    - eu-west-1\n", "    - eu-west-1\n    - us-west-1\n"),
        ),
        "lz.yaml:30: network.vpcs[0].availability_zones:",
        ("us-west-1 has 2 availability zones; the VPC asks for 3",),
        ("Set availability_zones: 2",),
    ),
    "network: a public tier without an internet gateway": spec(
        with_network("  vpcs:\n" + vpc("subnets: [{tier: public}]", "internet_gateway: false")),
        "lz.yaml:29: network.vpcs[0].internet_gateway:",
        ("a public tier with internet_gateway: false has no route to the internet",),
        ("Remove internet_gateway",),
    ),
    "network: a NAT gateway without a public tier": spec(
        with_network("  vpcs:\n" + vpc("nat_gateways: per_az")),
        "lz.yaml:28: network.vpcs[0].nat_gateways:",
        ("nat_gateways: per_az, but a NAT gateway sits in a public subnet and the VPC has no public tier",),
        ("Add a public tier",),
    ),
    "network: a VPC targeting an OU the spec does not have": spec(
        with_network("  vpcs:\n" + vpc("ous: [Workload/Prod]")),
        "lz.yaml:27: network.vpcs[0].ous[0]:",
        ("OU 'Workload/Prod' is not listed in organizational_units",),
        ("Did you mean 'Workloads/Prod'?",),
    ),
    "network: a VPC targeting an account the spec does not have": spec(
        with_network("  vpcs:\n" + vpc("accounts: [adit]")),
        "lz.yaml:27: network.vpcs[0].accounts[0]:",
        ("account 'adit' is not in accounts",),
        ("Did you mean 'audit'?",),
    ),
    "network: a VPC region the region guardrail denies": spec(
        with_network("  vpcs:\n" + vpc("regions: [us-west-2]")),
        "lz.yaml:28: network.vpcs[0].regions[0]:",
        ("us-west-2 is not in organization.allowed_regions, where the region guardrail denies the VPC",),
        ("Add us-west-2 to organization.allowed_regions",),
    ),
    "network: two VPCs of the same name": spec(
        with_network("  vpcs:\n" + vpc() + vpc("accounts: [log-archive]")),
        "lz.yaml:28: network.vpcs[1].name:",
        ("network.vpcs lists a VPC named apps twice (also network.vpcs[0])",),
        ("Give each VPC its own name",),
    ),
    "network: the same subnet tier twice": spec(
        with_network("  vpcs:\n" + vpc("subnets: [{tier: private}, {tier: private, size: 26}]")),
        "lz.yaml:28: network.vpcs[0].subnets[1].tier:",
        ("subnets lists the private tier twice",),
    ),
    "network: default VPCs kept in an account the spec does not have": spec(
        with_network("  remove_default_vpcs:\n    except_accounts: [managment]\n"),
        "lz.yaml:26: network.remove_default_vpcs.except_accounts[0]:",
        ("account 'managment' is not in accounts",),
        ("Did you mean 'management'?",),
    ),
    "network: a flow-log retention CloudWatch Logs refuses": spec(
        with_network("  vpcs:\n" + vpc("flow_logs: {destination: cloudwatch, retention_days: 100}")),
        "lz.yaml:28: network.vpcs[0].flow_logs.retention_days:",
        ("100 is not a retention CloudWatch Logs accepts (the nearest is 90)",),
        ("Use one of 1, 3, 5",),
    ),
    "network: flow logs to s3 with no log archive": spec(
        with_network("  vpcs:\n" + vpc("flow_logs: {destination: s3}"), BASE + "logging:\n  enabled: false\n"),
        "lz.yaml:30: network.vpcs[0].flow_logs.destination:",
        ("flow logs to s3 go to the log archive bucket, and this spec builds no logging layer",),
        ("Set flow_logs.destination: cloudwatch",),
    ),
    # The billing section (all checked by validate, no AWS call).
    "billing: a margin outside 10-20 %": spec(
        with_billing("margin_percent: 25"),
        "lz.yaml:28: billing.margin_percent:",
        ("25 is out of range: it must be at most 20",),
        ("Set billing.margin_percent to a value at most 20",),
    ),
    "billing: a subscriber that is not an e-mail address": spec(
        with_billing("emails: [finance@]"),
        "lz.yaml:27: billing.emails[0]:",
        ("finance@",),
    ),
    "billing: enabled without an expected monthly spend": spec(
        BASE + "billing:\n  enabled: true\n  emails: [finance@example.com]\n",
        "lz.yaml:24: billing.monthly_spend:",
        ("the billing layer is enabled but has no expected monthly spend",),
        ("Set billing.monthly_spend to the organization's usual monthly bill in USD",),
    ),
    "billing: enabled with nobody to tell": spec(
        BASE + "billing:\n  enabled: true\n  monthly_spend: 100\n",
        "lz.yaml:24: billing.emails:",
        ("the billing layer is enabled but nobody receives its alarms",),
        ("List at least one address under billing.emails",),
    ),
    "billing: an account alarm for an account the spec does not have": spec(
        with_billing("account_alarms: [{account: adit, monthly_spend: 40}]"),
        "lz.yaml:28: billing.account_alarms[0].account:",
        ("account 'adit' is not in accounts",),
        ("Did you mean 'audit'?",),
    ),
    "billing: an account budget for an account the spec does not have": spec(
        with_billing("budget: {accounts: [{account: log-archiv, monthly_spend: 40}]}"),
        "lz.yaml:28: billing.budget.accounts[0].account:",
        ("account 'log-archiv' is not in accounts",),
        ("Did you mean 'log-archive'?",),
    ),
    "billing: an account alarm's margin outside 10-20 %": spec(
        with_billing("account_alarms: [{account: audit, monthly_spend: 40, margin_percent: 5}]"),
        "lz.yaml:28: billing.account_alarms[0].margin_percent:",
        ("5 is out of range: it must be at least 10",),
    ),
    "billing: a negative expected monthly spend": spec(
        with_billing("monthly_spend: -5"),
        "lz.yaml:26: billing.monthly_spend:",
        ("-5 is out of range: it must be at least 0",),
    ),
    # The identity section (all checked by validate, no AWS call).
    "identity: a permission set the library does not have": spec(
        with_identity("  permission_sets: [administator]\n"),
        "lz.yaml:26: identity.permission_sets[0]:",
        ("'administator' is not a permission set of the library",),
        ("Did you mean 'administrator'?",),
    ),
    "identity: an assignment to a group the spec does not have": spec(
        with_identity(assignment(group="developer", ous="[Sandbox]")),
        "lz.yaml:28: identity.assignments[0].group:",
        ("group 'developer' is not in identity.groups",),
        ("Did you mean 'developers'?",),
    ),
    "identity: an assignment of a permission set the spec does not list": spec(
        with_identity(assignment(permission_set="readonly", ous="[Sandbox]")),
        "lz.yaml:28: identity.assignments[0].permission_set:",
        ("permission set 'readonly' is not in identity.permission_sets",),
        ("Did you mean 'read-only'?",),
    ),
    "identity: an assignment to an OU the spec does not have": spec(
        with_identity(assignment(ous="[Workload/Prod]")),
        "lz.yaml:28: identity.assignments[0].ous[0]:",
        ("OU 'Workload/Prod' is not listed in organizational_units",),
        ("Did you mean 'Workloads/Prod'?",),
    ),
    "identity: an assignment to an account the spec does not have": spec(
        with_identity(assignment(accounts="[adit]")),
        "lz.yaml:28: identity.assignments[0].accounts[0]:",
        ("account 'adit' is not in accounts",),
        ("Did you mean 'audit'?",),
    ),
    "identity: an assignment to the management account without the flag": spec(
        with_identity(assignment(accounts="[management]")),
        "lz.yaml:28: identity.assignments[0].accounts[0]:",
        ("an assignment to the management account: AWS advises against",),
        ("set identity.allow_management_account: true",),
    ),
    "identity: a session duration that is not ISO 8601": spec(
        with_identity(own_set("session_duration: 4 hours")),
        "lz.yaml:28: identity.permission_sets[0].session_duration:",
        ("'4 hours' is not an ISO 8601 duration of hours and minutes",),
        ("PT1H or PT4H30M",),
    ),
    "identity: a session longer than 12 hours": spec(
        with_identity(own_set("session_duration: PT13H")),
        "lz.yaml:28: identity.permission_sets[0].session_duration:",
        ("PT13H is 13 hours; AWS allows sessions of 1 to 12 hours",),
        ("Use PT1H to PT12H",),
    ),
    "identity: an inline policy that is not JSON": spec(
        with_identity(own_set('inline_policy: \'{"Version": "2012-10-17",\'')),
        "lz.yaml:28: identity.permission_sets[0].inline_policy:",
        ("the inline policy is not valid JSON",),
        ('Write an IAM policy: {"Version": "2012-10-17"',),
    ),
    "identity: an inline policy that is not an IAM policy": spec(
        with_identity(own_set("inline_policy: {Version: '2012-10-17', Statement: [{Effect: Allow, Resource: '*'}]}")),
        "lz.yaml:28: identity.permission_sets[0].inline_policy:",
        ("Statement[0] of the inline policy needs exactly one of Action and NotAction",),
    ),
    "identity: an inline policy over AWS's size": spec(
        with_identity(
            own_set(
                "inline_policy: {Statement: [{Effect: Allow, Action: '*', Resource: ["
                + ", ".join(f"'arn:aws:s3:::bucket-{n:05d}/*'" for n in range(1200))
                + "]}]}"
            )
        ),
        "lz.yaml:28: identity.permission_sets[0].inline_policy:",
        ("characters without white space; AWS allows 32,768",),
        ("Move statements into customer managed policies",),
    ),
    "identity: more managed policies than a permission set takes": spec(
        with_identity(
            own_set("managed_policies: [" + ", ".join(f"'arn:aws:iam::aws:policy/P{n}'" for n in range(21)) + "]")
        ),
        "lz.yaml:28: identity.permission_sets[0].managed_policies:",
        ("21 managed policies; a permission set takes at most 20",),
        ("Remove 1",),
    ),
    "identity: a permission set name AWS refuses": spec(
        with_identity("  permission_sets:\n    - name: data analyst\n"),
        "lz.yaml:27: identity.permission_sets[0].name:",
        ("'data analyst' is not a permission set name AWS accepts",),
        ("Rename it",),
    ),
}
