"""The static table of availability zones `validate` and the CIDR plan use, against moto's zone data (which mirrors
AWS's own): the same regions, and the same zone letters in the same order."""

from __future__ import annotations

from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

from bootstrap.spec.network_zones import ZONE_LETTERS, zone_count, zone_names


def test_the_table_matches_motos_zones_region_by_region() -> None:
    moto = {
        region: "".join(zone.name.removeprefix(region) for zone in zones)
        for region, zones in RegionsAndZonesBackend.zones.items()
    }
    assert moto == ZONE_LETTERS


def test_zone_names_and_counts() -> None:
    assert zone_names("us-west-1") == ("us-west-1a", "us-west-1b")
    assert zone_names("ap-northeast-1", 2) == ("ap-northeast-1a", "ap-northeast-1c")
    assert zone_count("us-east-1") == 6
    assert zone_names("xx-newer-1", 3) == ("xx-newer-1a", "xx-newer-1b", "xx-newer-1c")
