"""The kinds of block data ``pingan import KIND FILE`` loads, beside ``addresses``.

Each kind is a msgspec Struct for one row (checked at the edge), a ``prepare`` that shapes it for
staging (personal fields encrypted with the field cipher, blind-indexed for exact lookup) and an
idempotent merge keyed by the natural key. Rows link to a unified address by ``address_id`` or by
its ``address`` in words (matched, see ``backend.api.places.matching``); org unit and H3 cells come
from the address.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from backend.api.map.rollup import folder
from backend.api.places.normalise import normalise_address
from backend.imports.addresses import ADDRESSES, cell_of
from backend.imports.engine import Context, KindSpec, Ref, RowError, upsert_sql
from backend.security.crypto import FieldCipher
from backend.validation import SAFE_TEXT

Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Text = Annotated[str, Meta(min_length=1, max_length=200, pattern=SAFE_TEXT)]
LongText = Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)]
AddressText = Annotated[str, Meta(min_length=2, max_length=500, pattern=SAFE_TEXT)]
IdNumber = Annotated[str, Meta(pattern=r"^[0-9]{17}[0-9Xx]$")]
Phone = Annotated[str, Meta(pattern=r"^\+?[0-9 -]{7,20}$")]
Tag = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
CreditCode = Annotated[str, Meta(pattern=r"^[0-9A-Z]{18}$")]
RiskGrade = Annotated[int, Meta(ge=0, le=5)]
EarliestEvent = datetime(2000, 1, 1, tzinfo=UTC)

ADDRESS_COLUMNS = (("address_id", "text"), ("address_text", "text"), ("address_norm", "text"))


class Addressed(msgspec.Struct, frozen=True, kw_only=True):
    """A row that names its unified address by id or in words (at least one)."""

    address_id: Id | None = None
    address: AddressText | None = None


def address_fields(item: Addressed) -> tuple[str | None, str | None, str | None]:
    """(address_id, address_text, address_norm) for staging; a RowError when neither is given."""
    if item.address_id is None and item.address is None:
        raise RowError("address_id", "address_id or address is required")
    norm = normalise_address(item.address) if item.address else None
    return item.address_id, item.address, norm


def seal(
    cipher: FieldCipher | None, value: str | None, kind: str
) -> tuple[bytes | None, bytes | None]:
    """(ciphertext, blind index) of a personal field, as backend.api.people.services stores it."""
    if value is None:
        return None, None
    if cipher is None:
        raise RuntimeError("importing personal fields needs the field cipher")
    return cipher.encrypt(value, context=kind.encode()), cipher.blind_index(value, kind=kind)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The check character of a mainland resident ID number (GB 11643)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


# --- buildings ---------------------------------------------------------------------------------


class BuildingInput(Addressed, frozen=True, kw_only=True):
    """A building, at its own (base) address."""

    id: Id
    use: Literal["residential", "village", "commercial", "industrial", "mixed", "public"]
    name: Text | None = None
    floors: Annotated[int, Meta(ge=1, le=200)] | None = None
    built_year: Annotated[int, Meta(ge=1900, le=2100)] | None = None


def _building(item: BuildingInput, _ctx: Context) -> tuple[Any, ...]:
    return (item.id, item.use, item.name, item.floors, item.built_year, *address_fields(item))


_B = ["id", "address_id", "name", "use", "floors", "built_year", "org_path"]
BUILDINGS = KindSpec(
    name="buildings",
    table="buildings",
    row_type=BuildingInput,
    columns=(
        ("id", "text"),
        ("use", "text"),
        ("name", "text"),
        ("floors", "smallint"),
        ("built_year", "smallint"),
        *ADDRESS_COLUMNS,
    ),
    key="id",
    prepare=_building,
    required=("id", "use"),
    resolves_address=True,
    unique=(("address_id", "buildings"),),
    merge_sql=upsert_sql(
        "buildings",
        "id",
        _B,
        "SELECT s.id, s.address_id, s.name, s.use, s.floors, s.built_year, a.org_path "
        "FROM {stage} s JOIN addresses a ON a.id = s.address_id",
    ),
    after=(folder("buildings"),),
)

# --- houses ------------------------------------------------------------------------------------


class HouseInput(Addressed, frozen=True, kw_only=True):
    """One house (unit) of a building; rental houses may carry a grade (出租屋分级)."""

    id: Id
    building_id: Id
    use: Literal["residence", "dormitory", "shop", "office", "other"] = "residence"
    floor: Annotated[int, Meta(ge=-10, le=200)] | None = None
    area_m2: Annotated[float, Meta(gt=0, lt=100_000)] | None = None
    is_rental: bool = False
    rental_grade: Literal["green", "yellow", "red"] | None = None


def _house(item: HouseInput, _ctx: Context) -> tuple[Any, ...]:
    if item.rental_grade is not None and not item.is_rental:
        raise RowError("rental_grade", "only a rental house has a rental grade")
    return (
        item.id,
        item.building_id,
        item.floor,
        item.area_m2,
        item.use,
        item.is_rental,
        item.rental_grade,
        *address_fields(item),
    )


_H = [
    "id",
    "building_id",
    "address_id",
    "floor",
    "area_m2",
    "use",
    "is_rental",
    "rental_grade",
    "org_path",
]
HOUSES = KindSpec(
    name="houses",
    table="houses",
    row_type=HouseInput,
    columns=(
        ("id", "text"),
        ("building_id", "text"),
        ("floor", "smallint"),
        ("area_m2", "real"),
        ("use", "text"),
        ("is_rental", "boolean"),
        ("rental_grade", "text"),
        *ADDRESS_COLUMNS,
    ),
    key="id",
    prepare=_house,
    required=("id", "building_id"),
    resolves_address=True,
    refs=(Ref(column="building_id", table="buildings", target="id", what="building"),),
    unique=(("address_id", "houses"),),
    merge_sql=upsert_sql(
        "houses",
        "id",
        _H,
        "SELECT s.id, s.building_id, s.address_id, s.floor, s.area_m2, s.use, s.is_rental, "
        "s.rental_grade, a.org_path FROM {stage} s JOIN addresses a ON a.id = s.address_id",
    ),
    after=(folder("houses", "rentals"),),
)

# --- persons -----------------------------------------------------------------------------------


class PersonInput(Addressed, frozen=True, kw_only=True):
    """A resident (实有人口) registered at a house's address; tags mark special groups."""

    external_id: Id
    name: Annotated[str, Meta(min_length=1, max_length=100, pattern=SAFE_TEXT)]
    gender: Literal["male", "female", "unknown"] | None = None
    birth_year: Annotated[int, Meta(ge=1900, le=2100)] | None = None
    id_number: IdNumber | None = None
    phone: Phone | None = None
    tags: Annotated[list[Tag], Meta(max_length=20)] = msgspec.field(default_factory=list)


def _person(item: PersonInput, ctx: Context) -> tuple[Any, ...]:
    id_number = item.id_number.upper() if item.id_number else None
    if id_number is not None and id_check_char(id_number[:17]) != id_number[17]:
        raise RowError("id_number", "the check digit does not match")
    id_enc, id_idx = seal(ctx.cipher, id_number, "id_number")
    phone_enc, phone_idx = seal(ctx.cipher, item.phone, "phone")
    return (
        item.external_id,
        item.name,
        item.gender,
        item.birth_year,
        id_enc,
        id_idx,
        phone_enc,
        phone_idx,
        " ".join(sorted(set(item.tags))),  # text, not text[]: see ADDRESSES' grams
        *address_fields(item),
    )


_P = [
    "external_id",
    "name",
    "gender",
    "birth_year",
    "id_number_enc",
    "id_number_idx",
    "phone_enc",
    "phone_idx",
    "address_id",
    "org_path",
    "tags",
]
PERSONS = KindSpec(
    name="persons",
    table="persons",
    row_type=PersonInput,
    columns=(
        ("external_id", "text"),
        ("name", "text"),
        ("gender", "text"),
        ("birth_year", "smallint"),
        ("id_number_enc", "bytea"),
        ("id_number_idx", "bytea"),
        ("phone_enc", "bytea"),
        ("phone_idx", "bytea"),
        ("tags", "text"),
        *ADDRESS_COLUMNS,
    ),
    key="external_id",
    prepare=_person,
    required=("external_id", "name"),
    resolves_address=True,
    merge_sql=upsert_sql(
        "persons",
        "external_id",
        _P,
        "SELECT s.external_id, s.name, s.gender, s.birth_year, s.id_number_enc, s.id_number_idx, "
        "s.phone_enc, s.phone_idx, s.address_id, a.org_path, string_to_array(s.tags, ' ') AS tags "
        "FROM {stage} s JOIN addresses a ON a.id = s.address_id",
        # Ciphertexts carry a fresh nonce each time: compare the blind indexes instead.
        compare=[c for c in _P if c not in ("external_id", "id_number_enc", "phone_enc")],
    ),
    # A person who is a patient and moves moves the patient's count too.
    after=(folder("people", "groups", "patients"),),
)

# --- patients ----------------------------------------------------------------------------------


class PatientInput(msgspec.Struct, frozen=True, kw_only=True):
    """A resident registered as a severe-mental-disorder patient under management."""

    person_external_id: Id
    risk_grade: RiskGrade
    diagnosis: Annotated[str, Meta(max_length=200, pattern=SAFE_TEXT)] | None = None
    guardian_name: Annotated[str, Meta(max_length=100, pattern=SAFE_TEXT)] | None = None
    guardian_phone: Phone | None = None
    de_escalation_notes: LongText | None = None
    medication: Annotated[str, Meta(max_length=500, pattern=SAFE_TEXT)] | None = None
    managed_since: date | None = None
    last_follow_up_at: Annotated[datetime, Meta(tz=True)] | None = None


def _patient(item: PatientInput, ctx: Context) -> tuple[Any, ...]:
    phone_enc, phone_idx = seal(ctx.cipher, item.guardian_phone, "phone")
    return (
        item.person_external_id,
        item.risk_grade,
        item.diagnosis,
        item.guardian_name,
        phone_enc,
        phone_idx,
        item.de_escalation_notes,
        item.medication,
        item.managed_since,
        item.last_follow_up_at,
    )


_PT = [
    "person_id",
    "risk_grade",
    "diagnosis",
    "guardian_name",
    "guardian_phone_enc",
    "guardian_phone_idx",
    "de_escalation_notes",
    "medication",
    "managed_since",
    "last_follow_up_at",
    "org_path",
]
PATIENTS = KindSpec(
    name="patients",
    table="patients",
    row_type=PatientInput,
    columns=(
        ("person_external_id", "text"),
        ("risk_grade", "smallint"),
        ("diagnosis", "text"),
        ("guardian_name", "text"),
        ("guardian_phone_enc", "bytea"),
        ("guardian_phone_idx", "bytea"),
        ("de_escalation_notes", "text"),
        ("medication", "text"),
        ("managed_since", "date"),
        ("last_follow_up_at", "timestamptz"),
    ),
    key="person_external_id",
    prepare=_patient,
    required=("person_external_id", "risk_grade"),
    refs=(Ref(column="person_external_id", table="persons", target="external_id", what="person"),),
    merge_sql=upsert_sql(
        "patients",
        "person_id",
        _PT,
        "SELECT p.id AS person_id, s.risk_grade, s.diagnosis, s.guardian_name, s.guardian_phone_enc, "
        "s.guardian_phone_idx, s.de_escalation_notes, s.medication, s.managed_since, "
        "s.last_follow_up_at, p.org_path FROM {stage} s JOIN persons p ON p.external_id = s.person_external_id",
        compare=[c for c in _PT if c not in ("person_id", "guardian_phone_enc")],
    ),
    after=(folder("patients"),),
)

# --- enterprises -------------------------------------------------------------------------------


class EnterpriseInput(Addressed, frozen=True, kw_only=True):
    """A legal person (法人) at its registered address."""

    id: CreditCode
    name: Text
    industry: Literal[
        "manufacturing",
        "retail",
        "catering",
        "logistics",
        "construction",
        "services",
        "chemicals",
        "other",
    ]
    employees: Annotated[int, Meta(ge=0, le=1_000_000)] | None = None
    hazardous: bool = False
    registered_on: date | None = None


def _enterprise(item: EnterpriseInput, _ctx: Context) -> tuple[Any, ...]:
    return (
        item.id,
        item.name,
        item.industry,
        item.employees,
        item.hazardous,
        item.registered_on,
        *address_fields(item),
    )


_E = ["id", "name", "industry", "employees", "hazardous", "registered_on", "address_id", "org_path"]
ENTERPRISES = KindSpec(
    name="enterprises",
    table="enterprises",
    row_type=EnterpriseInput,
    columns=(
        ("id", "text"),
        ("name", "text"),
        ("industry", "text"),
        ("employees", "integer"),
        ("hazardous", "boolean"),
        ("registered_on", "date"),
        *ADDRESS_COLUMNS,
    ),
    key="id",
    prepare=_enterprise,
    required=("id", "name", "industry"),
    resolves_address=True,
    merge_sql=upsert_sql(
        "enterprises",
        "id",
        _E,
        "SELECT s.id, s.name, s.industry, s.employees, s.hazardous, s.registered_on, s.address_id, "
        "a.org_path FROM {stage} s JOIN addresses a ON a.id = s.address_id",
    ),
    after=(folder("enterprises"),),
)

# --- events ------------------------------------------------------------------------------------


class EventInput(Addressed, frozen=True, kw_only=True):
    """A governance event: a dispute, a hotline or police call, a complaint, a hazard."""

    id: Id
    type: Literal["dispute", "hotline", "police", "complaint", "hazard"]
    occurred_at: Annotated[datetime, Meta(tz=True)]
    status: Literal["open", "handling", "closed"] = "open"
    summary: Annotated[str, Meta(max_length=500, pattern=SAFE_TEXT)] | None = None
    source: Annotated[str, Meta(max_length=64, pattern=SAFE_TEXT)] | None = None


def _event(item: EventInput, ctx: Context) -> tuple[Any, ...]:
    if not EarliestEvent <= item.occurred_at <= ctx.now + timedelta(days=1):
        raise RowError("occurred_at", "not a plausible time (before 2000 or in the future)")
    return (
        item.id,
        item.type,
        item.occurred_at,
        item.status,
        item.summary,
        item.source,
        *address_fields(item),
    )


_EV = [
    "id",
    "type",
    "occurred_at",
    "status",
    "summary",
    "source",
    "address_id",
    "org_path",
    "h3_r7",
    "h3_r8",
    "h3_r9",
]
EVENTS = KindSpec(
    name="events",
    table="block_events",
    row_type=EventInput,
    columns=(
        ("id", "text"),
        ("type", "text"),
        ("occurred_at", "timestamptz"),
        ("status", "text"),
        ("summary", "text"),
        ("source", "text"),
        *ADDRESS_COLUMNS,
    ),
    key="id",
    prepare=_event,
    required=("id", "type", "occurred_at"),
    resolves_address=True,
    merge_sql=upsert_sql(
        "block_events",
        "id",
        _EV,
        "SELECT s.id, s.type, s.occurred_at, s.status, s.summary, s.source, s.address_id, "
        "a.org_path, a.h3_r7, a.h3_r8, a.h3_r9 FROM {stage} s JOIN addresses a ON a.id = s.address_id",
    ),
)

# --- key places --------------------------------------------------------------------------------


class PlaceInput(Addressed, frozen=True, kw_only=True):
    """A key area, key facility, safety post or receiving hospital, at a point in the district."""

    id: Id
    kind: Literal["key_area", "key_facility", "safety_post", "hospital"]
    name: Text
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    category: Annotated[str, Meta(max_length=64, pattern=SAFE_TEXT)] | None = None
    capacity: Annotated[int, Meta(ge=0, le=100_000)] | None = None
    psychiatric: bool = False


def _place(item: PlaceInput, ctx: Context) -> tuple[Any, ...]:
    _grid, r9 = cell_of(item.lat, item.lon, ctx)
    return (
        item.id,
        item.kind,
        item.category,
        item.name,
        item.lat,
        item.lon,
        r9,
        item.capacity,
        item.psychiatric,
        *address_fields(item),
    )


_KP = [
    "id",
    "kind",
    "category",
    "name",
    "lat",
    "lon",
    "h3_r9",
    "capacity",
    "psychiatric",
    "address_id",
    "org_path",
]
PLACES = KindSpec(
    name="places",
    table="key_places",
    row_type=PlaceInput,
    columns=(
        ("id", "text"),
        ("kind", "text"),
        ("category", "text"),
        ("name", "text"),
        ("lat", "float8"),
        ("lon", "float8"),
        ("h3_r9", "bigint"),
        ("capacity", "integer"),
        ("psychiatric", "boolean"),
        *ADDRESS_COLUMNS,
    ),
    key="id",
    prepare=_place,
    required=("id", "kind", "name"),
    resolves_address=True,
    needs_cells=True,
    merge_sql=upsert_sql(
        "key_places",
        "id",
        _KP,
        "SELECT s.id, s.kind, s.category, s.name, s.lat, s.lon, s.h3_r9, s.capacity, s.psychiatric, "
        "s.address_id, a.org_path FROM {stage} s JOIN addresses a ON a.id = s.address_id",
    ),
)

# The kinds in the order a full data set must be imported (later ones refer to earlier ones).
KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (ADDRESSES, BUILDINGS, HOUSES, PERSONS, PATIENTS, ENTERPRISES, EVENTS, PLACES)
}
