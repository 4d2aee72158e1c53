"""A city's landmarks come from a GeoJSON file the centre keeps: each Point's name and aliases
become places the map's look-up finds; a mistake names the file and the line or feature."""

from __future__ import annotations

import json

import pytest

from coordination import InvalidInput
from coordination.landmarks import load_landmarks


def point(name, longitude=77.6101, latitude=12.9345, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": {"name": name, **properties}}


def write(tmp_path, features) -> object:
    path = tmp_path / "landmarks.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1))
    return path


def test_each_name_and_alias_is_a_landmark_at_its_point(tmp_path):
    path = write(tmp_path, [point("Forum Mall", aliases=["Forum", "The Forum, Koramangala"]),
                            point(" St. John's Hospital ", 77.6190, 12.9298)])
    assert load_landmarks(path) == (
        ("Forum Mall", 77.6101, 12.9345), ("Forum", 77.6101, 12.9345), ("The Forum, Koramangala", 77.6101, 12.9345),
        ("St. John's Hospital", 77.619, 12.9298))


@pytest.mark.parametrize("features, told", [
    ([point("Forum Mall"), point("forum  mall", 77.7)], "feature 1: the name 'forum  mall' is also feature 0's"),
    ([point("")], "feature 0: each name (and alias) is text of 1 to 200 characters"),
    ([point("Forum", aliases="Forum Mall")], "feature 0: aliases must be a list of names"),
    ([point("Forum", 12.93, 97.61)], "feature 0: [12.93, 97.61] is not [longitude, latitude] on the Earth"),
    ([{**point("Forum"), "geometry": {"type": "Polygon", "coordinates": []}}],
     "feature 0: the geometry must be a Point [longitude, latitude]"),
    ([point("Forum"), "Forum"], "feature 1: not a GeoJSON Feature"),
])
def test_a_mistake_names_the_file_and_the_feature(tmp_path, features, told):
    path = write(tmp_path, features)
    with pytest.raises(InvalidInput) as raised:
        load_landmarks(path)
    assert str(raised.value) == f"ICCC_LANDMARKS: {path}: {told}" and raised.value.field == "ICCC_LANDMARKS"


def test_a_file_that_is_not_json_is_told_with_its_line(tmp_path):
    path = tmp_path / "landmarks.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",}\n]}')
    with pytest.raises(InvalidInput, match=r"landmarks.geojson:3: not JSON"):
        load_landmarks(path)


def test_json_that_is_not_a_feature_collection_is_refused(tmp_path):
    path = tmp_path / "landmarks.geojson"
    path.write_text('[{"name": "Forum Mall"}]')
    with pytest.raises(InvalidInput, match="not a GeoJSON FeatureCollection"):
        load_landmarks(path)
