"""Edge validation of position reports, and the codes the index stores."""

from __future__ import annotations

import msgspec
import pytest

from dispatch.errors import DispatchError, IndexConfigError
from dispatch.keys import (
    CAPABILITY_CODE,
    MODE_CODE,
    STATUS_CODE,
    KeySpace,
    decode_capabilities,
    encode_capabilities,
)
from dispatch.models import Capability, CellCount, DutyStatus, PositionReport
from dispatch.wall import parse_counts

GOOD = {
    "responder_id": "r-17",
    "lat": 22.7,
    "lon": 114.35,
    "accuracy_m": 8.0,
    "ts": 1_800_000_000.5,
}


def decode(**changes: object) -> PositionReport:
    return msgspec.json.decode(msgspec.json.encode({**GOOD, **changes}), type=PositionReport)


def test_a_good_report_decodes_with_optional_fields_absent() -> None:
    report = decode()
    assert report.speed_mps is None
    assert report.heading_deg is None
    assert decode(future_field="ignored", speed_mps=3.5).speed_mps == 3.5  # old servers, new phones


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat", 90.5),
        ("lon", -181.0),
        ("accuracy_m", -1.0),
        ("accuracy_m", 5001.0),
        ("speed_mps", 101.0),
        ("heading_deg", 361.0),
        ("ts", 1_800_000_000_000),  # milliseconds are refused, not misread
        ("ts", 12.0),
        ("responder_id", "a:b"),  # would break a Redis key
        ("responder_id", ""),
    ],
)
def test_out_of_range_values_are_refused_with_the_field_named(field: str, value: object) -> None:
    with pytest.raises(msgspec.ValidationError, match=field):
        decode(**{field: value})


def test_codes_are_single_characters_and_round_trip() -> None:
    for table in (STATUS_CODE, CAPABILITY_CODE, MODE_CODE):
        assert all(len(code) == 1 for code in table.values())
        assert len(set(table.values())) == len(table)
    caps = frozenset({Capability.police, Capability.guardian})
    assert decode_capabilities(encode_capabilities(caps)) == caps
    assert encode_capabilities(caps) == encode_capabilities(frozenset(reversed(list(caps))))


@pytest.mark.parametrize("prefix", ["", "a{b", "x}", "with space", "glob*"])
def test_prefixes_that_would_break_hash_tags_or_scans_are_refused(prefix: str) -> None:
    with pytest.raises(IndexConfigError) as caught:
        KeySpace(prefix)
    assert isinstance(caught.value, DispatchError)


def test_every_key_of_a_shard_shares_one_hash_tag() -> None:
    keys = KeySpace("t:1")
    shard = "84411c1ffffffff"
    tags = {
        key[key.index("{") : key.index("}") + 1]
        for key in (
            keys.responder(shard, "r1"),
            keys.cell(shard, "88411c1117fffff", Capability.police),
            keys.seen(shard),
            keys.aggregates(shard),
            keys.base(shard) + "o:x",
        )
    }
    assert tags == {"{84411c1ffffffff}"}
    assert keys.pointer("r1") == "t:1:p:{r1}"


def test_counters_parse_into_rows_per_cell_status_and_capability() -> None:
    rows = parse_counts(
        {
            "88411c1117fffff|1|*": 3,
            "88411c1117fffff|1|p": 2,
            "87411c111ffffff|5|a": 1,
            "87411c111ffffff|5|u": 0,
        }
    )
    assert rows == [
        CellCount(
            cell="87411c111ffffff",
            resolution=7,
            status=DutyStatus.on_scene,
            capability=Capability.ambulance,
            count=1,
        ),
        CellCount(
            cell="88411c1117fffff",
            resolution=8,
            status=DutyStatus.available,
            capability=None,
            count=3,
        ),
        CellCount(
            cell="88411c1117fffff",
            resolution=8,
            status=DutyStatus.available,
            capability=Capability.police,
            count=2,
        ),
    ]
