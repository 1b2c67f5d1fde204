"""``/api/persons`` and ``/api/patients``: masked on the server, every read audited."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.api.people import services
from backend.api.people.schemas import (
    PatientLookup,
    PatientPage,
    PatientView,
    PersonLookup,
    PersonPage,
    PersonView,
    RevealRequest,
)
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.guards import AUTHENTICATED, needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool


class PersonController(Controller):
    """Block-data persons."""

    path = "/api/persons"
    tags = ["people"]  # noqa: RUF012

    @get("/", opt=needs(Permission.PERSON_READ), summary="Persons in your jurisdiction, masked")
    async def list_persons(
        self,
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
        address_id: Annotated[
            str | None, QueryParameter(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> PersonPage:
        """Optionally only those registered at one address."""
        async with pool.acquire() as conn, conn.transaction():
            items = await services.list_persons(
                conn, cipher, auditor, address_id=address_id, limit=limit
            )
        return PersonPage(items=items)

    @post(
        "/lookup",
        opt=needs(Permission.PERSON_LOOKUP),
        status_code=200,
        summary="Find a resident by ID number or own phone, masked; audited",
    )
    async def lookup_persons(
        self,
        data: JSONBody[PersonLookup],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> PersonPage:
        """For a counsellor, a case worker or a grid worker who has the person in front of them
        (a grid worker may look up, not browse: person:lookup without person:read). Exact match
        after normalisation; 404 naming the field when nobody in your jurisdiction has it."""
        async with pool.acquire() as conn:  # no outer transaction: a denial stays recorded
            items = await services.lookup_persons(conn, cipher, auditor, data)
        return PersonPage(items=items)

    @get("/{person_id:str}", opt=needs(Permission.PERSON_READ), summary="One person, masked")
    async def get_person(
        self,
        person_id: FromPath[str],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> PersonView:
        """404 when unknown or outside your jurisdiction."""
        async with pool.acquire() as conn:
            return await services.read_person(conn, cipher, auditor, person_id)

    @post(
        "/{person_id:str}/reveal",
        opt=needs(Permission.PERSON_REVEAL),
        status_code=200,
        summary="Unmask one record, with a written reason (audited)",
    )
    async def reveal(
        self,
        person_id: FromPath[str],
        data: JSONBody[RevealRequest],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> PersonView:
        """The reason is kept in the audit log beside your name."""
        async with pool.acquire() as conn:
            return await services.reveal_person(conn, cipher, auditor, person_id, data.reason)


class PatientController(Controller):
    """Patients under severe-mental-disorder management."""

    path = "/api/patients"
    tags = ["people"]  # noqa: RUF012

    @get(
        "/",
        opt=needs(Permission.PATIENT_READ),
        summary="Patients in your jurisdiction, highest risk first",
    )
    async def list_patients(
        self,
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
        risk_min: Annotated[int, QueryParameter(ge=0, le=5)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        address_id: Annotated[
            str | None, QueryParameter(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
        ] = None,
    ) -> PatientPage:
        """Masked by role; each record read is audited. ``address_id``: only the patients
        registered at that address (the console offers them when an incident is placed there)."""
        async with pool.acquire() as conn, conn.transaction():
            items = await services.list_patients(
                conn, cipher, auditor, risk_min=risk_min, limit=limit, address_id=address_id
            )
        return PatientPage(items=items)

    @post(
        "/lookup",
        opt=needs(Permission.PATIENT_READ),
        status_code=200,
        summary="Find a patient by ID number or phone (own or guardian's), masked; audited",
    )
    async def lookup_patients(
        self,
        data: JSONBody[PatientLookup],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> PatientPage:
        """For identifying an incident's subject: the ID card read out over the radio, or the
        number the call came from (a guardian's phone). Exact match after normalisation (spaces,
        full-width digits; for a phone also dashes and the +86 country code); 404 naming the
        field when nobody in your jurisdiction has it."""
        async with pool.acquire() as conn:  # no transaction: a denial stays recorded on the 404
            items = await services.lookup_patients(conn, cipher, auditor, data)
        return PatientPage(items=items)

    # AUTHENTICATED, not PATIENT_READ: a responder without that permission may still read a patient
    # while a need-to-know grant (an accepted incident) lasts; the service decides.
    @get("/{patient_id:str}", opt=AUTHENTICATED, summary="One patient, masked for you")
    async def get_patient(
        self,
        patient_id: FromPath[str],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> PatientView:
        """404 when unknown, outside your jurisdiction, and not covered by a grant."""
        async with pool.acquire() as conn:
            return await services.read_patient(conn, cipher, auditor, patient_id)
