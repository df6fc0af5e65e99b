"""Decide whether a request is denied by the landing zone's SCPs and RCPs, offline.

Neither the sandbox nor moto enforces organization policies, so what the guardrails promise (who is
exempt, what is denied) is proven by evaluating the rendered documents here. The evaluator implements the
parts of IAM's policy language the guardrail library uses, as the IAM User Guide specifies them
("Policy evaluation logic", "IAM JSON policy elements: Condition operators"):

- `Action`/`NotAction`: case-insensitive, `*` and `?` wildcards;
- `Resource`/`NotResource`: ARNs matched segment by segment (a wildcard never spans a `:` between the
  first five segments), case-sensitive;
- condition operators: String(Not)Equals, String(Not)Like, Arn(Not)Like, Arn(Not)Equals, Bool, Null and
  Numeric*, each with `IfExists`. Condition keys are case-insensitive, values case-sensitive. A missing
  key makes a positive operator false and a negated one (`...Not...`) true; `IfExists` makes any
  operator true when its key is missing. Several keys under an operator, and several operators, must all
  match; several values of one key match if any does (a negated operator: if none does).

Any other operator (set operators such as `ForAnyValue:`, dates, IP addresses) raises
`UnsupportedPolicy`: the evaluator refuses to guess, and the library test proves every shipped guardrail
uses only what it knows. Only Deny statements matter: SCPs and RCPs grant nothing, and the AWS-managed
FullAWSAccess and RCPFullAWSAccess allow everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


class UnsupportedPolicy(ValueError):
    """A policy uses a part of the policy language this evaluator does not implement."""


@dataclass(frozen=True)
class Request:
    """One request as IAM sees it: who, what, on which resource, with which context keys.

    `principal_arn` becomes `aws:PrincipalArn` (for a role session that is the role's ARN, path included;
    for the root user `arn:aws:iam::<account>:root`)."""

    principal_arn: str
    action: str
    resource: str = "*"
    context: Mapping[str, str] = field(default_factory=dict)

    def value(self, key: str) -> str | None:
        wanted = key.lower()
        if wanted == "aws:principalarn":
            return self.principal_arn
        for name, value in self.context.items():
            if name.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class Denial:
    """The statement that denied a request, and the policy it is in."""

    policy: str
    sid: str


def denials(policies: Mapping[str, Mapping[str, Any]], request: Request) -> list[Denial]:
    """Every Deny statement of `policies` (name -> document) that matches `request`."""
    return [
        Denial(name, str(statement.get("Sid", f"#{index}")))
        for name, document in policies.items()
        for index, statement in enumerate(_statements(document))
        if statement_denies(statement, request)
    ]


def statement_denies(statement: Mapping[str, Any], request: Request) -> bool:
    """Whether one statement is a Deny that applies to `request`."""
    unknown = set(statement) - {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Principal",
    }
    if unknown:
        raise UnsupportedPolicy(f"statement elements {sorted(unknown)} are not supported")
    if statement.get("Effect") != "Deny":
        return False
    if "Principal" in statement and statement["Principal"] != "*":
        raise UnsupportedPolicy(f'Principal {statement["Principal"]!r} is not supported (only "*", as in RCPs)')
    if not _element_matches(statement, "Action", request.action, _action_matches):
        return False
    if not _element_matches(statement, "Resource", request.resource, _resource_matches):
        return False
    return all(
        _operator_matches(operator, keys, request) for operator, keys in (statement.get("Condition") or {}).items()
    )


def operators_used(documents: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every condition operator the documents use."""
    return {op for document in documents for s in _statements(document) for op in (s.get("Condition") or {})}


def supports(operator: str) -> bool:
    try:
        _parse_operator(operator)
    except UnsupportedPolicy:
        return False
    return True


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _element_matches(statement: Mapping[str, Any], name: str, value: str, matches: Any) -> bool:
    if name in statement and f"Not{name}" in statement:
        raise UnsupportedPolicy(f"a statement has both {name} and Not{name}")
    if name in statement:
        return any(matches(pattern, value) for pattern in _as_list(statement[name]))
    if f"Not{name}" in statement:
        return not any(matches(pattern, value) for pattern in _as_list(statement[f"Not{name}"]))
    if name == "Resource":
        raise UnsupportedPolicy("a statement has neither Resource nor NotResource")
    raise UnsupportedPolicy(f"a statement has neither {name} nor Not{name}")


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM's wildcards: `*` any run of characters (including none), `?` one character; nothing else."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case).match(value) is not None


def _action_matches(pattern: str, action: str) -> bool:
    return _like(pattern, action, ignore_case=True)


def _arn_like(pattern: str, value: str) -> bool:
    """ARN matching: the six segments (`arn:partition:service:region:account:resource`) one by one."""
    if pattern == "*":
        return True
    wanted, got = pattern.split(":", 5), value.split(":", 5)
    if len(wanted) != 6 or len(got) != 6:
        return False
    return all(_like(w, g) for w, g in zip(wanted, got, strict=True))


def _resource_matches(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    if resource == "*":
        return False
    return _arn_like(pattern, resource)


_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "NumericEquals": lambda a, b: a == b,
    "NumericLessThan": lambda a, b: a < b,
    "NumericLessThanEquals": lambda a, b: a <= b,
    "NumericGreaterThan": lambda a, b: a > b,
    "NumericGreaterThanEquals": lambda a, b: a >= b,
}
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda p, v: p == v,
    "StringLike": lambda p, v: _like(p, v),
    "ArnLike": _arn_like,
    "ArnEquals": _arn_like,
    "Bool": lambda p, v: p.lower() == v.lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "ArnNotLike": "ArnLike",
    "ArnNotEquals": "ArnEquals",
}


def _parse_operator(operator: str) -> tuple[str, bool]:
    """(base operator, if-exists); raises for what is not implemented."""
    if ":" in operator:
        raise UnsupportedPolicy(f"the set operator {operator} is not supported")
    base, if_exists = (operator[: -len("IfExists")], True) if operator.endswith("IfExists") else (operator, False)
    if base not in {*_POSITIVE, *_NEGATED, *_NUMERIC, "NumericNotEquals", "Null"}:
        raise UnsupportedPolicy(f"the condition operator {operator} is not supported")
    if base == "Null" and if_exists:
        raise UnsupportedPolicy("NullIfExists is not a condition operator")
    return base, if_exists


def _operator_matches(operator: str, keys: Mapping[str, Any], request: Request) -> bool:
    base, if_exists = _parse_operator(operator)
    for key, raw in keys.items():
        patterns = _as_list(raw)
        value = request.value(key)
        if base == "Null":
            if not all(p.lower() in ("true", "false") for p in patterns):
                raise UnsupportedPolicy(f"Null takes true or false, not {patterns}")
            if not any((value is None) == (p.lower() == "true") for p in patterns):
                return False
            continue
        if value is None:
            if if_exists or base in _NEGATED or base == "NumericNotEquals":
                continue
            return False
        if base == "NumericNotEquals":
            matched = not any(float(value) == float(p) for p in patterns)
        elif base in _NUMERIC:
            matched = any(_NUMERIC[base](float(value), float(p)) for p in patterns)
        elif base in _NEGATED:
            matched = not any(_POSITIVE[_NEGATED[base]](p, value) for p in patterns)
        else:
            matched = any(_POSITIVE[base](p, value) for p in patterns)
        if not matched:
            return False
    return True
