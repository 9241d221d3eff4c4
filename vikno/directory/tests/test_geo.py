"""A point on the map finds its hromada (the simplified 2020 boundaries)."""

from decimal import Decimal

import pytest

from vikno.directory.geo import hromada_code_at, valid_point

UZHHOROD_CITY = "UA21100230000083101"  # Ужгородська міська територіальна громада
MUKACHEVO_CITY = "UA21040150000092428"  # Мукачівська міська територіальна громада


def test_a_point_in_uzhhorod_finds_the_uzhhorod_hromada():
    # given pl. Poshtova in Uzhhorod
    # when / then
    assert hromada_code_at(Decimal("48.6208"), Decimal("22.2879")) == UZHHOROD_CITY


def test_a_point_in_mukachevo_finds_another_hromada():
    assert hromada_code_at(48.4393, 22.7178) == MUKACHEVO_CITY


@pytest.mark.parametrize("lat, lon", [
    (50.4501, 30.5234),  # Kyiv: outside the region
    (0, 0),
    (91, 22), (48, 181),  # not on the Earth
    (float("nan"), 22.3), (48.6, float("inf")),
])
def test_a_point_outside_the_region_or_not_a_point_has_no_hromada(lat, lon):
    assert hromada_code_at(lat, lon) is None


def test_a_point_must_be_numbers_in_range():
    assert valid_point("48.6", "22.3")
    assert not valid_point("abc", 22)
    assert not valid_point(None, 22)  # type: ignore[arg-type]
