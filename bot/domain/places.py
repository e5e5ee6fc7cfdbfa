"""A proposal's place: a shared location checked against the district, the 동 it suggests
and the map link that shows it.

A place in a proposal is published, so it is kept to 4 decimals (about 10 m), never more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

DECIMALS = 4  # about 11 m of latitude, 9 m of longitude in Seoul
EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = 111.32
# Without centre points: anywhere in South Korea (Jeju and Ulleungdo included).
KOREA_BOX = (33.0, 124.5, 38.7, 131.0)


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float

    def rounded(self) -> GeoPoint:
        return GeoPoint(round(self.latitude, DECIMALS), round(self.longitude, DECIMALS))


@dataclass(frozen=True)
class AreaCentre:
    """The centre point of one 동 (its 주민센터, or the middle of the 동)."""

    name: str
    point: GeoPoint


class PlaceRejection(StrEnum):
    INVALID = "invalid"  # not a number, or not a place on Earth
    OUTSIDE = "outside"  # a real place, but not in or near the district


@dataclass(frozen=True)
class District:
    """Where the district is: its 동 centre points, how near a place must be to a centre for
    that 동 to be suggested, and how far around the centres a place is still accepted."""

    centres: tuple[AreaCentre, ...] = ()
    suggest_within_km: float = 1.5
    margin_km: float = 3.0

    def check(self, latitude: object, longitude: object) -> GeoPoint | PlaceRejection:
        """The place rounded to ~10 m, or why it is refused."""
        if not _finite(latitude) or not _finite(longitude):
            return PlaceRejection.INVALID
        point = GeoPoint(float(latitude), float(longitude))  # type: ignore[arg-type]
        if not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
            return PlaceRejection.INVALID
        south, west, north, east = self.bounds()
        if not (south <= point.latitude <= north and west <= point.longitude <= east):
            return PlaceRejection.OUTSIDE
        return point.rounded()

    def bounds(self) -> tuple[float, float, float, float]:
        """South, west, north, east: the box around the centres widened by the margin."""
        if not self.centres:
            return KOREA_BOX
        latitudes = [c.point.latitude for c in self.centres]
        longitudes = [c.point.longitude for c in self.centres]
        d_lat = self.margin_km / KM_PER_DEGREE
        d_lon = d_lat / math.cos(math.radians(sum(latitudes) / len(latitudes)))
        return (min(latitudes) - d_lat, min(longitudes) - d_lon,
                max(latitudes) + d_lat, max(longitudes) + d_lon)

    def nearest_area(self, point: GeoPoint) -> str | None:
        """The 동 whose centre is nearest, if it is within `suggest_within_km`."""
        if not self.centres:
            return None
        nearest = min(self.centres, key=lambda c: distance_km(point, c.point))
        near = distance_km(point, nearest.point) <= self.suggest_within_km
        return nearest.name if near else None


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance (haversine)."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    d_lat = lat2 - lat1
    d_lon = math.radians(b.longitude - a.longitude)
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(d_lon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def map_url(point: GeoPoint, label: str) -> str:
    """A Kakao Map link with a pin named `label` (Kakao reads commas as separators)."""
    name = quote(" ".join(label.replace(",", " ").split())[:40] or "공감", safe="")
    shown = point.rounded()
    return (f"https://map.kakao.com/link/map/{name},"
            f"{shown.latitude:.{DECIMALS}f},{shown.longitude:.{DECIMALS}f}")


def parse_centres(raw: str) -> tuple[AreaCentre, ...]:
    """`이름:위도:경도` separated by commas: `구로1동:37.4900:126.8716, 항동:37.4800:126.8240`."""
    centres = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        pieces = [p.strip() for p in item.split(":")]
        if len(pieces) != 3 or not pieces[0]:
            raise ValueError(f"{item!r} is not name:latitude:longitude")
        checked = District().check(_number(pieces[1]), _number(pieces[2]))
        if not isinstance(checked, GeoPoint):
            raise ValueError(f"{item!r} is not a place in South Korea")
        centres.append(AreaCentre(pieces[0], checked))
    return tuple(centres)


def _number(raw: str) -> float | None:
    try:
        return float(raw)
    except ValueError:
        return None


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
