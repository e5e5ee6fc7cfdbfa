"""A proposal's place: checked against the district, rounded, its 동 suggested, its map link."""

from __future__ import annotations

import math

import pytest

from bot.domain.places import (
    AreaCentre,
    District,
    GeoPoint,
    PlaceRejection,
    distance_km,
    map_url,
    parse_centres,
)
from bot.settings import DEFAULT_AREA_CENTRES, DEFAULT_AREAS

pytestmark = pytest.mark.unit

GURO3 = GeoPoint(37.4840, 126.8962)
DISTRICT = District((
    AreaCentre("구로3동", GURO3),
    AreaCentre("가리봉동", GeoPoint(37.4830, 126.8875)),
    AreaCentre("항동", GeoPoint(37.4800, 126.8240)),
))


def test_the_nearest_centre_within_the_distance_is_suggested() -> None:
    assert DISTRICT.nearest_area(GeoPoint(37.4850, 126.8970)) == "구로3동"
    assert DISTRICT.nearest_area(GeoPoint(37.4828, 126.8880)) == "가리봉동"


def test_a_place_far_from_every_centre_suggests_no_area() -> None:
    between = GeoPoint(37.4815, 126.8560)  # about 2.8 km from 항동 and from 가리봉동
    assert DISTRICT.check(between.latitude, between.longitude) == between
    assert DISTRICT.nearest_area(between) is None


def test_the_suggestion_distance_is_a_setting() -> None:
    wide = District(DISTRICT.centres, suggest_within_km=5)
    assert wide.nearest_area(GeoPoint(37.4815, 126.8560)) in ("항동", "가리봉동")


def test_no_centres_no_suggestion_and_anywhere_in_korea_is_accepted() -> None:
    anywhere = District()
    assert anywhere.nearest_area(GURO3) is None
    assert anywhere.check(33.4996, 126.5312) == GeoPoint(33.4996, 126.5312)  # 제주시
    assert anywhere.check(35.6762, 139.6503) is PlaceRejection.OUTSIDE  # 도쿄


@pytest.mark.parametrize("latitude, longitude", [
    (math.nan, 126.9), (37.5, math.inf), (-math.inf, 126.9), (None, 126.9), ("37.5", 126.9),
    (True, 126.9), (91, 126.9), (37.5, 181),
])
def test_what_is_not_a_place_on_earth_is_invalid(latitude: object, longitude: object) -> None:
    assert DISTRICT.check(latitude, longitude) is PlaceRejection.INVALID


def test_a_place_outside_the_box_around_the_district_is_refused() -> None:
    assert DISTRICT.check(37.5665, 126.9780) is PlaceRejection.OUTSIDE  # 서울시청, ~9 km away
    assert DISTRICT.check(0, 0) is PlaceRejection.OUTSIDE
    south, west, north, east = DISTRICT.bounds()
    assert south < 37.48 < north and west < 126.824 < 126.8962 < east


def test_an_accepted_place_is_rounded_to_about_ten_metres() -> None:
    checked = DISTRICT.check(37.48412345, 126.89623456)
    assert checked == GeoPoint(37.4841, 126.8962)
    assert isinstance(checked, GeoPoint)
    assert distance_km(checked, GeoPoint(37.48412345, 126.89623456)) < 0.01


def test_the_map_link_shows_the_rounded_place_and_a_safe_label() -> None:
    url = map_url(GeoPoint(37.48412345, 126.89623456), "공원, 가로등 설치")
    assert url.startswith("https://map.kakao.com/link/map/")
    assert url.endswith(",37.4841,126.8962")
    assert url.count(",") == 2  # the label's comma would split Kakao's fields


def test_centres_are_parsed_from_a_setting() -> None:
    parsed = parse_centres(" 구로3동:37.4840:126.8962 , 항동:37.48:126.824,")
    assert parsed == (AreaCentre("구로3동", GURO3), AreaCentre("항동", GeoPoint(37.48, 126.824)))
    for bad in ("구로3동:37.4840", "구로3동:abc:126.8", ":37.4:126.8", "도쿄:35.67:139.65"):
        with pytest.raises(ValueError):
            parse_centres(bad)


def test_the_sample_district_has_a_centre_for_each_of_its_areas() -> None:
    assert tuple(c.name for c in DEFAULT_AREA_CENTRES) == DEFAULT_AREAS
    guro = District(DEFAULT_AREA_CENTRES)
    for centre in DEFAULT_AREA_CENTRES:
        assert guro.nearest_area(centre.point) == centre.name
