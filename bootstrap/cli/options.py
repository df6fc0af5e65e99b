"""Options every command shares, and the helpers that turn them into a spec and AWS sessions.

Global flags follow AWS CLI habits: `--profile`, `--region`, `--endpoint-url` (or `AWS_ENDPOINT_URL`),
`--parallelism` (or `BOOTSTRAP_PARALLELISM`) and `--debug` may stand anywhere on the command line;
`normalize_argv` moves them before the command. boto3 and the spec models are imported only when a
command asks for sessions or a spec, so that commands that need neither start at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bootstrap.spec.flags import check_global_flags

if TYPE_CHECKING:
    from bootstrap.aws.session import AwsTarget, Sessions
    from bootstrap.spec.model import LandingZoneSpec


DEFAULT_PARALLELISM = 32
"""As `bootstrap.aws.session.DEFAULT_PARALLELISM` (a test keeps them equal; importing it would load boto3)."""
PARALLELISM_ENV = "BOOTSTRAP_PARALLELISM"

GLOBAL_VALUE_FLAGS = ("--profile", "--region", "--endpoint-url", "--parallelism")
GLOBAL_BOOL_FLAGS = ("--debug",)

SpecOption = Annotated[
    Path,
    typer.Option("--spec", "-s", help="The landing-zone spec file.", show_default=True),
]
DEFAULT_SPEC = Path("landing-zone.yaml")


@dataclass
class GlobalOptions:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    debug: bool = False
    parallelism: int = DEFAULT_PARALLELISM

    def __post_init__(self) -> None:
        """Malformed global flags, and a profile the AWS config files lack, are bad input: refused (exit 2)
        before any command runs."""
        check_global_flags(self.region, self.endpoint_url)
        if self.profile is not None:
            from bootstrap.aws.profiles import check_profile  # loads botocore: only when a profile is named

            check_profile(self.profile, "--profile")

    def target(self) -> AwsTarget:
        from bootstrap.aws.profiles import check_profile, profile_from_environment
        from bootstrap.aws.session import AwsTarget

        check_global_flags(None, self.endpoint_url, environment=True)  # AWS_ENDPOINT_URL: read when calling AWS
        selected = None if self.profile is not None else profile_from_environment()  # AWS_PROFILE: likewise
        if selected is not None:
            check_profile(selected[1], selected[0])
        return AwsTarget(
            profile=self.profile, region=self.region, endpoint_url=self.endpoint_url, parallelism=self.parallelism
        )

    def sessions(self, spec: LandingZoneSpec) -> Sessions:
        from bootstrap.aws.session import Sessions
        from bootstrap.workflow import member_roles  # the workflow's imports are loaded only by live commands

        return Sessions(
            self.target(),
            default_region=spec.organization.home_region,
            member_roles=member_roles(spec),
        )


def normalize_argv(argv: list[str]) -> list[str]:
    """Move global flags, wherever they stand, in front of the sub-command (before a `--`, if any)."""
    globals_: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_VALUE_FLAGS:
            if "=" in arg:
                globals_.append(arg)
            elif i + 1 < len(argv):
                globals_.extend(argv[i : i + 2])
                i += 1
            else:
                rest.append(arg)  # let the parser report the missing value
        elif arg in GLOBAL_BOOL_FLAGS:
            globals_.append(arg)
        else:
            rest.append(arg)
        i += 1
    return globals_ + rest


def read_spec(path: Path) -> LandingZoneSpec:
    """Load and validate the spec; errors are `SpecError` (exit 2) before any AWS call."""
    from bootstrap.spec.load import load_spec

    return load_spec(path)
