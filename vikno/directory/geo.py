"""Which hromada a point lies in, from the simplified 2020 boundaries (CC BY 4.0) kept in
`data/reference/zakarpattia/`. Used by the channels that receive a location (the portal's map,
Open311's lat/long) so that the point routes like a picked territory.

The boundaries are approximate, not cadastral: a point on the very edge of two hromadas may fall
in either, and a point outside every polygon (abroad, a typo) has no hromada. Loaded once per
process (64 polygons, about 20 ms) and indexed with shapely's STRtree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

HROMADA_BOUNDARIES = Path("data") / "reference" / "zakarpattia" / "boundaries_hromadas_zakarpattia.geojson"


@dataclass(frozen=True)
class _Boundaries:
    tree: STRtree
    shapes: tuple[BaseGeometry, ...]
    codes: tuple[str, ...]


@lru_cache(maxsize=1)
def _boundaries() -> _Boundaries:
    path = Path(settings.BASE_DIR) / HROMADA_BOUNDARIES
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    shapes = tuple(shape(feature["geometry"]) for feature in features)
    codes = tuple(str(feature["properties"]["katottg"]) for feature in features)
    return _Boundaries(tree=STRtree(shapes), shapes=shapes, codes=codes)


def valid_point(lat: float | Decimal, lon: float | Decimal) -> bool:
    """A WGS84 latitude and longitude that exist (not NaN, not infinite, in range)."""
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError, ArithmeticError):
        return False
    return -90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0


def hromada_code_at(lat: float | Decimal, lon: float | Decimal) -> str | None:
    """The KATOTTG code of the hromada whose boundary holds the point, or None (outside the
    region, or not a valid point). Shapely takes x = longitude, y = latitude."""
    if not valid_point(lat, lon):
        return None
    point = Point(float(lon), float(lat))
    data = _boundaries()
    for index in data.tree.query(point, predicate="intersects"):
        return data.codes[int(index)]
    return None
