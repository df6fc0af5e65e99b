"""Bootstrap and keep a secure AWS organization: a landing-zone toolkit.

The flow runs one way: spec -> desired state -> (observed state) -> plan -> apply. The spec, render and
plan stages are pure; only `bootstrap.aws`, `bootstrap.observe` and `bootstrap.apply` talk to AWS.
"""

__version__ = "0.1.0"
