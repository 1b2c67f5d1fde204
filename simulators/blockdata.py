"""Synthetic block data for Pingshan at the seed's scale, written as files the importers load.

At ``scale=1`` it produces the figures the seed reports for the district: 595,500 unified
addresses, 43,900 buildings, 551,600 houses, 707,700 people and 77,500 legal persons, plus
governance events and key places. Buildings cluster around the villages (城中村) and industrial
parks of :mod:`simulators.geography`; villages are mostly rental houses, parks have dormitories and
most enterprises. About 0.5 % of adult residents are severe-mental-disorder patients, most of risk
grade 0–1 and few of 3–5. The same seed (and end date) gives the same files, byte for byte.

Files (``write_blockdata``): boundaries.geojson, addresses.csv, buildings.csv, houses.csv,
persons.jsonl, patients.jsonl, enterprises.csv, events.jsonl, places.geojson. Nothing here touches
the database.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import h3
import msgspec

from simulators.geography import (
    CELL_RES,
    DISTRICT_CODE,
    ROADS,
    Geography,
    _jitter,
    generate_geography,
)

FULL = {
    "addresses": 595_500,
    "buildings": 43_900,
    "houses": 551_600,
    "persons": 707_700,
    "enterprises": 77_500,
    "events": 150_000,
}
DEFAULT_END = date(2026, 11, 1)
PATIENT_RATE = 0.005  # of all residents, drawn among those 16 and over
ADULT_SHARE = 0.85
RISK_WEIGHTS = (0.42, 0.33, 0.13, 0.07, 0.035, 0.015)  # grades 0..5
# Days between follow-up visits by grade (the default rule of backend/followups/policy.py), and
# the share of patients whose last visit is older than that: a few, as in a district that works.
FOLLOW_UP_DAYS = (90, 30, 30, 14, 14, 14)
OVERDUE_SHARE = 0.02
ORDER = (
    "addresses",
    "buildings",
    "houses",
    "persons",
    "patients",
    "enterprises",
    "events",
    "places",
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红志春燕国金海林文云辉鹏斌宇浩凯晨欣怡子轩梓涵雨婷佳琪思远嘉俊晓东丹梅"
VILLAGES = [
    "老围",
    "新村",
    "上洋",
    "下洋",
    "田寮",
    "石陂头",
    "大万",
    "沙壆",
    "江边",
    "竹坑",
    "汤坑",
    "金龟",
    "三洲田",
    "黄沙坑",
    "丹梓",
    "对面岭",
    "坪围",
    "沙湖",
    "荣田",
    "南布",
    "田头",
    "六联",
    "和平",
    "碧岭",
    "秀新",
    "金沙",
    "沙田",
    "老坑",
    "田心",
    "石井",
]
# Where migrants come from: prefixes of ID numbers (Guangdong first, then the usual provinces).
REGIONS = (
    "440310", "440307", "441581", "441522", "440882", "441402", "430524", "431021", "360731",
    "362426", "450881", "452123", "510922", "511323", "420982", "410526", "350524", "522121",
)  # fmt: skip
TAGS = (  # (tag, share of residents)
    ("low_income", 0.02),
    ("disabled", 0.015),
    ("veteran", 0.005),
    ("released_prisoner", 0.001),
    ("community_correction", 0.0005),
    ("drug_rehab", 0.0005),
)
DIAGNOSES = ("F20.0", "F20.3", "F25.0", "F22.0", "F31.2", "F06.2", "F71")
EVENT_TYPES = ("hotline", "complaint", "dispute", "police", "hazard")
EVENT_WEIGHTS = (0.35, 0.2, 0.2, 0.15, 0.1)
EVENT_SUMMARY = {
    "hotline": "12345热线来电",
    "complaint": "噪音扰民投诉",
    "dispute": "邻里纠纷调解",
    "police": "110警情",
    "hazard": "安全隐患上报",
}
HOSPITALS = (  # (name, beds, psychiatric)
    ("深圳市坪山区人民医院", 1200, False),
    ("深圳市坪山区中心医院", 800, False),
    ("深圳市坪山区中医院", 600, False),
    ("深圳市坪山区妇幼保健院", 300, False),
    ("深圳市康宁医院坪山院区", 400, True),
    ("坪山区精神卫生中心", 120, True),
)
FACILITIES = ("加油站", "燃气调压站", "变电站", "危化品仓库", "学校", "水库", "地铁站")


@dataclass
class Building:
    """A generated building: its base address and what it is."""

    id: str
    address_id: str
    text: str
    lat: float
    lon: float
    use: str
    floors: int
    houses: int
    org_path: str


def counts_for(scale: float) -> dict[str, int]:
    """The figures of a data set at ``scale`` (1 = the seed's Pingshan)."""
    out = {k: max(1, round(v * scale)) for k, v in FULL.items()}
    out["houses"] = max(out["houses"], out["buildings"])
    out["addresses"] = out["buildings"] + out["houses"]
    return out


def _shares(rng: random.Random, n: int, total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into ``n`` integers ≥ 1 proportional to ``weights`` (exact sum)."""
    spare = total - n
    w = sum(weights)
    raw = [x / w * spare for x in weights]
    out = [1 + int(r) for r in raw]
    short = total - sum(out)
    order = sorted(range(n), key=lambda i: (raw[i] - int(raw[i]), rng.random()), reverse=True)
    for i in order[:short]:
        out[i] += 1
    return out


def generate_buildings(geo: Geography, count: int, houses: int, seed: int) -> list[Building]:
    """``count`` buildings clustered on the hotspots, holding ``houses`` houses in all."""
    rng = random.Random(seed + 11)
    spots = geo.hotspots
    weights = [s[2] for s in spots]
    district = geo.units[DISTRICT_CODE]
    used: set[str] = set()
    sized: list[tuple[float, float, str, str, float]] = []
    while len(sized) < count:
        if rng.random() < 0.08:
            lat, lon = _jitter(rng, h3.cell_to_latlng(rng.choice(district.cells)), 60)
            kind, village = "sparse", ""
        else:
            i = rng.choices(range(len(spots)), weights)[0]
            slat, slon, _, spread, kind = spots[i]
            lat, lon = _jitter(rng, (slat, slon), spread)
            village = VILLAGES[i % len(VILLAGES)]
        grid = geo.grid_of_cell.get(h3.latlng_to_cell(lat, lon, CELL_RES))
        if grid is None:
            continue
        community = geo.units[geo.units[grid].parent_path or ""]
        street = geo.units[community.parent_path or ""]
        prefix = f"深圳市坪山区{street.name_zh}{community.name_zh}"
        if kind == "village":
            text = f"{prefix}{village}村{rng.randint(1, 40)}巷{rng.randint(1, 60)}号"
            use = "village"
            size = rng.uniform(8, 24)
        else:
            road = ROADS[rng.randrange(len(ROADS))]
            text = f"{prefix}{road}{rng.randint(1, 399)}号{rng.randint(1, 30)}栋"
            use = (
                rng.choice(("industrial", "industrial", "mixed"))
                if kind == "industrial"
                else rng.choices(("residential", "commercial", "mixed", "public"), (6, 2, 2, 1))[0]
            )
            size = rng.uniform(4, 40) if use == "residential" else rng.uniform(2, 16)
        if text in used:
            continue
        used.add(text)
        sized.append((round(lat, 6), round(lon, 6), text, use, size))
    per = _shares(rng, count, houses, [s[4] for s in sized])
    out: list[Building] = []
    for n, ((lat, lon, text, use, _), rooms) in enumerate(zip(sized, per, strict=True), 1):
        bid = f"B{DISTRICT_CODE}{n:07d}"
        floors = max(1, min(200, math.ceil(rooms / (6 if use == "residential" else 4))))
        grid = geo.grid_of_cell[h3.latlng_to_cell(lat, lon, CELL_RES)]
        out.append(Building(bid, f"{bid}-000", text, lat, lon, use, floors, rooms, grid))
    return out


def _room(building: Building, room: int) -> tuple[str, str, int]:
    per_floor = max(1, math.ceil(building.houses / building.floors))
    floor, unit = divmod(room - 1, per_floor)
    return f"{building.id}-{room:03d}", f"{building.text}{floor + 1}{unit + 1:02d}房", floor + 1


def address_rows(buildings: list[Building]) -> Iterator[tuple[Any, ...]]:
    """(id, text, lat, lon, building_id): each building's base address, then its houses'."""
    for b in buildings:
        yield (b.address_id, b.text, b.lat, b.lon, b.id)
        for room in range(1, b.houses + 1):
            aid, text, _ = _room(b, room)
            yield (aid, text, b.lat, b.lon, b.id)


HOUSE_USE = {
    "village": (("residence", "dormitory", "shop"), (8, 2, 1), 0.85),
    "industrial": (("dormitory", "office", "other"), (6, 3, 1), 0.6),
    "mixed": (("residence", "shop", "office"), (6, 2, 2), 0.45),
    "commercial": (("shop", "office", "residence"), (4, 4, 2), 0.3),
    "residential": (("residence",), (1,), 0.3),
    "public": (("office", "other"), (1, 1), 0.05),
}


def house_rows(buildings: list[Building], seed: int) -> Iterator[tuple[Any, ...]]:
    """(id, building_id, address_id, floor, area_m2, use, is_rental, rental_grade, weight)."""
    rng = random.Random(seed + 13)
    for b in buildings:
        uses, weights, rental_share = HOUSE_USE[b.use]
        red = 0.12 if b.use == "village" else 0.04
        for room in range(1, b.houses + 1):
            aid, _, floor = _room(b, room)
            use = rng.choices(uses, weights)[0]
            rental = rng.random() < rental_share
            grade = None
            if rental:
                x = rng.random()
                grade = "red" if x < red else "yellow" if x < red + 0.2 else "green"
            area = round(rng.uniform(12, 40) if use == "dormitory" else rng.uniform(25, 140), 1)
            occupancy = {"dormitory": 4.0, "residence": 1.6, "shop": 0.4, "office": 0.1}.get(
                use, 0.2
            )
            yield (f"H{aid[1:]}", b.id, aid, floor, area, use, rental, grade, occupancy)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random, birth: date) -> str:
    """A well-formed resident ID number (region, birth date, sequence, GB 11643 check digit)."""
    first = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first, _ID_WEIGHTS, strict=True)) % 11]
    return first + check


def phone(rng: random.Random) -> str:
    """A mainland mobile number."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def name(rng: random.Random) -> str:
    """A plausible Chinese name of two or three characters."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _birth_year(rng: random.Random, end: date) -> int:
    # A young, working district: most residents 20–45, children and elders fewer.
    age = rng.choices(
        (
            rng.randint(0, 17),
            rng.randint(18, 30),
            rng.randint(31, 45),
            rng.randint(46, 60),
            rng.randint(61, 90),
        ),
        (0.17, 0.33, 0.3, 0.13, 0.07),
    )[0]
    return end.year - age


class PersonRow(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A resident as persons.jsonl carries it."""

    external_id: str
    name: str
    gender: str
    birth_year: int
    id_number: str
    phone: str | None = None
    address_id: str | None = None
    address: str | None = None
    tags: list[str] = []


class PatientRow(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A patient under management as patients.jsonl carries it."""

    person_external_id: str
    risk_grade: int
    diagnosis: str
    guardian_name: str
    guardian_phone: str
    managed_since: date
    last_follow_up_at: datetime


def variant_text(rng: random.Random, text: str) -> str:
    """The same address as a person might write it: full-width digits, prefixes dropped, 号楼."""
    out = text
    if rng.random() < 0.5:
        out = out.replace("深圳市坪山区", "")
    if rng.random() < 0.5:
        out = out.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    if rng.random() < 0.5:
        out = out.replace("栋", "号楼").replace("房", "室")
    return out


def person_rows(
    houses: list[tuple[Any, ...]], texts: dict[str, str], count: int, seed: int, end: date
) -> Iterator[tuple[PersonRow, PatientRow | None]]:
    """``count`` residents over the houses (by occupancy), each with a patient record or None."""
    rng = random.Random(seed + 17)
    picks = rng.choices(houses, weights=[h[8] for h in houses], k=count)
    debt, threshold = 0.0, rng.uniform(0.5, 1.5)
    for n, house in enumerate(picks, 1):
        year = _birth_year(rng, end)
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
        age = end.year - year
        tags = [t for t, share in TAGS if rng.random() < share]
        if age >= 70 and rng.random() < 0.15:
            tags.append("elderly_alone")
        if age < 16 and rng.random() < 0.02:
            tags.append("left_behind_child")
        aid = house[2]
        # One row in a thousand names its address in words, as another system would send it.
        in_words = rng.random() < 0.001
        person = PersonRow(
            external_id=f"P{n:08d}",
            name=name(rng),
            gender=rng.choice(("male", "female")),
            birth_year=year,
            id_number=id_number(rng, birth),
            phone=phone(rng) if age >= 14 else None,
            address_id=None if in_words else aid,
            address=variant_text(rng, texts[aid]) if in_words else None,
            tags=sorted(tags),
        )
        patient = None
        if age >= 16:
            # Error diffusion with a jittered threshold: the share is steady at any scale.
            debt += PATIENT_RATE / ADULT_SHARE
        if age >= 16 and debt >= threshold:
            debt -= threshold
            threshold = rng.uniform(0.5, 1.5)
            since = end - timedelta(days=rng.randint(30, 3650))
            grade = rng.choices(range(6), RISK_WEIGHTS)[0]
            gap_h = 24 * FOLLOW_UP_DAYS[grade]
            if rng.random() < OVERDUE_SHARE:
                seen_h = gap_h + rng.randint(1, 24 * 21)  # up to three weeks overdue
            else:
                seen_h = rng.randint(1, gap_h)
            patient = PatientRow(
                person_external_id=person.external_id,
                risk_grade=grade,
                diagnosis=rng.choice(DIAGNOSES),
                guardian_name=name(rng),
                guardian_phone=phone(rng),
                managed_since=since,
                last_follow_up_at=datetime(end.year, end.month, end.day, tzinfo=UTC)
                - timedelta(hours=seen_h),
            )
        yield person, patient


INDUSTRY = {
    "industrial": (("manufacturing", "logistics", "chemicals", "construction"), (7, 2, 1, 1)),
    "commercial": (("retail", "catering", "services"), (4, 3, 3)),
    "mixed": (("retail", "catering", "services", "manufacturing"), (3, 3, 3, 1)),
}
_CODE = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def enterprise_rows(buildings: list[Building], count: int, seed: int) -> Iterator[tuple[Any, ...]]:
    """(id, name, industry, employees, hazardous, registered_on, address_id), in parks and shops."""
    rng = random.Random(seed + 19)
    weight = {
        "industrial": 12.0,
        "commercial": 6.0,
        "mixed": 3.0,
        "village": 0.6,
        "residential": 0.3,
        "public": 0.1,
    }
    hosts = rng.choices(buildings, weights=[weight[b.use] for b in buildings], k=count)
    for n, b in enumerate(hosts, 1):
        industries, w = INDUSTRY.get(b.use, (("retail", "services", "other"), (3, 3, 1)))
        industry = rng.choices(industries, w)[0]
        code = "91440310" + "".join(rng.choice(_CODE) for _ in range(9)) + _CODE[n % len(_CODE)]
        employees = int(rng.lognormvariate(2.3 if b.use == "industrial" else 1.2, 1.0))
        founded = date(2000, 1, 1) + timedelta(days=rng.randint(0, 9400))
        title = f"深圳市{rng.choice(VILLAGES)}{rng.choice(('实业', '科技', '贸易', '电子', '餐饮', '物流'))}有限公司{n}"
        hazardous = industry == "chemicals" or (industry == "manufacturing" and rng.random() < 0.05)
        yield (
            code,
            title,
            industry,
            employees,
            "true" if hazardous else "false",
            founded.isoformat(),
            b.address_id,
        )


def event_rows(
    houses: list[tuple[Any, ...]], buildings: list[Building], count: int, seed: int, end: date
) -> Iterator[dict[str, Any]]:
    """Governance events over the year before ``end``: most where people live, hazards in parks."""
    rng = random.Random(seed + 23)
    stop = datetime(end.year, end.month, end.day, tzinfo=UTC)
    homes = rng.choices(houses, weights=[h[8] for h in houses], k=count)
    parks = [b for b in buildings if b.use in ("industrial", "mixed")] or buildings
    # Some addresses call again and again (the data model "repeated calls" looks for them).
    frequent = [h[2] for h in rng.sample(houses, min(len(houses), max(1, count // 500)))]
    for n, home in enumerate(homes, 1):
        kind = rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0]
        if kind == "hazard":
            address = rng.choice(parks).address_id
        elif kind == "hotline" and rng.random() < 0.1:
            address = rng.choice(frequent)
        else:
            address = home[2]
        at = stop - timedelta(seconds=rng.randint(0, 365 * 86400))
        yield {
            "id": f"EV{n:09d}",
            "type": kind,
            "occurred_at": at,
            "status": "closed"
            if at < stop - timedelta(days=14)
            else rng.choice(("open", "handling", "closed")),
            "summary": EVENT_SUMMARY[kind],
            "source": {"hotline": "12345", "police": "110"}.get(kind, "grid"),
            "address_id": address,
        }


def place_features(
    geo: Geography, buildings: list[Building], scale: float, seed: int
) -> list[dict[str, Any]]:
    """Key areas (villages), key facilities, safety posts (per community) and receiving hospitals."""
    rng = random.Random(seed + 29)
    places: list[tuple[str, str, str, Building, int | None, bool]] = []
    villages = [b for b in buildings if b.use == "village"]
    for i, (_, _, _, _, kind) in enumerate(geo.hotspots):
        if kind == "village" and villages:
            b = rng.choice(villages)
            places.append(
                (
                    "key_area",
                    "urban_village",
                    f"{VILLAGES[i % len(VILLAGES)]}村城中村",
                    b,
                    None,
                    False,
                )
            )
    for n in range(max(6, round(400 * scale))):
        b = rng.choice(buildings)
        facility = rng.choice(FACILITIES)
        places.append(("key_facility", facility, f"{facility}{n + 1}", b, None, False))
    communities = sorted(u.path for u in geo.units.values() if u.level == "community")
    by_unit: dict[str, list[Building]] = {}
    for b in buildings:
        by_unit.setdefault(b.org_path.rsplit(".", 1)[0], []).append(b)
    for path in communities:
        hosts = by_unit.get(path)
        for k in range(3 if hosts else 0):
            name_zh = geo.units[path].name_zh
            places.append(
                (
                    "safety_post",
                    "police_post",
                    f"{name_zh}平安岗亭{k + 1}",
                    rng.choice(hosts or buildings),
                    None,
                    False,
                )
            )
    for title, beds, psychiatric in HOSPITALS:
        places.append(
            (
                "hospital",
                "psychiatric" if psychiatric else "general",
                title,
                rng.choice(buildings),
                beds,
                psychiatric,
            )
        )
    features = []
    for n, (kind, category, title, b, capacity, psychiatric) in enumerate(places, 1):
        props: dict[str, Any] = {
            "id": f"KP{n:06d}",
            "kind": kind,
            "category": category,
            "name": title,
            "address_id": b.address_id,
            "psychiatric": psychiatric,
        }
        if capacity is not None:
            props["capacity"] = capacity
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [b.lon, b.lat]},
            }
        )
    return features


def _write_csv(path: Path, header: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def write_blockdata(
    folder: Path, *, scale: float = 0.05, seed: int = 2026, end: date = DEFAULT_END
) -> dict[str, Path]:
    """Write the whole data set for ``scale`` into ``folder``; returns kind → file, import order."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = counts_for(scale)
    geo = generate_geography(seed)
    files = {k: folder / f for k, f in (
        ("boundaries", "boundaries.geojson"), ("addresses", "addresses.csv"), ("buildings", "buildings.csv"),
        ("houses", "houses.csv"), ("persons", "persons.jsonl"), ("patients", "patients.jsonl"),
        ("enterprises", "enterprises.csv"), ("events", "events.jsonl"), ("places", "places.geojson"),
    )}  # fmt: skip
    files["boundaries"].write_bytes(msgspec.json.encode(geo.feature_collection()))
    buildings = generate_buildings(geo, counts["buildings"], counts["houses"], seed)
    _write_csv(
        files["addresses"], ("id", "text", "lat", "lon", "building_id"), address_rows(buildings)
    )
    _write_csv(
        files["buildings"],
        ("id", "address_id", "use", "floors", "name"),
        ((b.id, b.address_id, b.use, b.floors, "") for b in buildings),
    )
    houses = list(house_rows(buildings, seed))
    _write_csv(
        files["houses"],
        ("id", "building_id", "address_id", "floor", "area_m2", "use", "is_rental", "rental_grade"),
        ((*h[:6], "true" if h[6] else "false", h[7] or "") for h in houses),
    )
    texts = {aid: text for aid, text, *_ in address_rows(buildings)}
    encoder = msgspec.json.Encoder()
    with files["persons"].open("wb") as pf, files["patients"].open("wb") as tf:
        for person, patient in person_rows(houses, texts, counts["persons"], seed, end):
            pf.write(encoder.encode(person) + b"\n")
            if patient is not None:
                tf.write(encoder.encode(patient) + b"\n")
    del texts
    _write_csv(
        files["enterprises"],
        ("id", "name", "industry", "employees", "hazardous", "registered_on", "address_id"),
        enterprise_rows(buildings, counts["enterprises"], seed),
    )
    with files["events"].open("wb") as ef:
        for event in event_rows(houses, buildings, counts["events"], seed, end):
            ef.write(encoder.encode(event) + b"\n")
    collection = {
        "type": "FeatureCollection",
        "features": place_features(geo, buildings, scale, seed),
    }
    files["places"].write_bytes(msgspec.json.encode(collection))
    return files
