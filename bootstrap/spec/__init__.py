"""The landing-zone spec: typed, validated, the single source of truth."""

from bootstrap.spec.load import load_spec, parse_spec
from bootstrap.spec.model import AccountSpec, LandingZoneSpec, OrganizationalUnitSpec

__all__ = ["AccountSpec", "LandingZoneSpec", "OrganizationalUnitSpec", "load_spec", "parse_spec"]
