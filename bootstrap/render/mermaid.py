"""A Mermaid flowchart of the organization: root -> OUs (nested) -> accounts, with the SCPs and RCPs of the
root and of each OU, and the root's AI services opt-out policy.

Node ids are built from names but reduced to letters and digits and capitalised, so no name can turn
into Mermaid syntax, a keyword (`end`) or an `o`/`x` edge head; clashes get a numeric suffix. Labels are
always quoted, with the characters Mermaid or HTML would interpret replaced by Mermaid's entity codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bootstrap.guardrails.library import RCP
from bootstrap.guardrails.packing import PackedPolicy
from bootstrap.spec.model import ROOT, LandingZoneSpec

_ENTITIES = str.maketrans(
    {
        '"': "#34;",
        "#": "#35;",
        "&": "#38;",
        "<": "#60;",
        ">": "#62;",
        "`": "#96;",
        "\n": " ",
        "\r": " ",
    }
)
BREAK = "<br/>"


def escape(text: str) -> str:
    """Text made safe inside a quoted Mermaid label (one pass, so entity codes are never re-escaped)."""
    return text.translate(_ENTITIES)


def label(*lines: str) -> str:
    """A quoted label of escaped lines joined by line breaks."""
    return '"' + BREAK.join(escape(line) for line in lines) + '"'


class NodeIds:
    """Hands out unique, alphanumeric node ids in call order, so the same spec gives the same ids."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def new(self, prefix: str, name: str) -> str:
        words = re.split(r"[^A-Za-z0-9]+", name)
        base = prefix + "".join(w[:1].upper() + w[1:] for w in words if w)
        candidate, n = base, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{base}{n}"
        self._taken.add(candidate)
        return candidate


def org_chart(spec: LandingZoneSpec, policies: Sequence[PackedPolicy]) -> str:
    """The flowchart source (without the Markdown fence), ending in a newline."""
    ids = NodeIds()
    org = spec.organization
    root = ids.new("Root", "")
    lines = [
        "flowchart TD",
        f"    {root}[{label('Root', org.name)}]",
    ]
    management = ids.new("Management", "")
    lines.append(f"    {management}[{label('management account', org.management_account_id)}]")
    lines.append(f"    {root} --> {management}")
    ou_ids: dict[str, str] = {ROOT: root}
    for path in spec.all_ou_paths():
        node = ids.new("Ou", path)
        ou_ids[path] = node
        parent = path.rsplit("/", 1)[0] if "/" in path else ROOT
        lines.append(f"    {node}[{label('OU ' + path.rsplit('/', 1)[-1])}]")
        lines.append(f"    {ou_ids[parent]} --> {node}")
    for account in spec.accounts:
        node = ids.new("Account", account.name)
        lines.append(f"    {node}[{label('account ' + account.name)}]")
        lines.append(f"    {ou_ids.get(account.ou, root)} --> {node}")
    scp_nodes = []
    for policy in policies:
        kind = "RCP" if policy.policy_type == RCP else "SCP"
        node = ids.new(kind.title(), policy.name)
        scp_nodes.append(node)
        lines.append(f"    {node}[{label(kind + ' ' + policy.name, *policy.guardrail_ids)}]")
        lines.append(f"    {ou_ids.get(policy.ou_path, root)} -.- {node}")
    if org.ai_services_opt_out:
        node = ids.new("AiOptOut", "")
        scp_nodes.append(node)
        lines.append(
            f"    {node}[{label('AI services opt-out ' + org.name + '-ai-services-opt-out', 'all services: optOut')}]"
        )
        lines.append(f"    {root} -.- {node}")
    if scp_nodes:
        lines.append("    classDef scp stroke-dasharray: 4 3")
        lines.append(f"    class {','.join(scp_nodes)} scp")
    return "\n".join(lines) + "\n"
