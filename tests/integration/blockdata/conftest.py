"""A small synthetic Pingshan block-data set (seed 1, the session district) imported per test."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from backend.imports.blockdata import KINDS
from backend.imports.engine import ImportSummary, Reject, run_import
from backend.imports.readers import read_rows
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.blockdata import write_blockdata
from simulators.geography import Geography

SCALE = 0.004  # ~2,400 addresses, ~2,800 people


class Loaded(msgspec.Struct, frozen=True, kw_only=True):
    """The files of the data set and what importing each did."""

    files: dict[str, Path]
    summaries: dict[str, ImportSummary]


@pytest.fixture(scope="session")
def blockdata_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The generated files, written once per session."""
    return write_blockdata(tmp_path_factory.mktemp("blockdata"), scale=SCALE, seed=1)


@pytest.fixture
def cipher(app_settings: Settings) -> FieldCipher:
    """The field cipher of the app under test (same keys as its API)."""
    return FieldCipher(load_keyring(app_settings))


async def import_file(
    pool: PgPool, kind: str, path: Path, cipher: FieldCipher
) -> tuple[ImportSummary, list[Reject]]:
    """Import one file of ``kind``; returns the summary and the rejects."""
    rejects: list[Reject] = []
    spec = KINDS[kind]
    async with pool.acquire() as conn:
        summary = await run_import(
            conn, spec, read_rows(path, spec.required), cipher=cipher, on_reject=rejects.append
        )
    return summary, rejects


@pytest.fixture
async def loaded(
    clean_db: PgPool,
    district: Geography,
    blockdata_files: dict[str, Path],
    cipher: FieldCipher,
) -> Loaded:
    """Every kind imported in order into the test database (emptied again after the test)."""
    summaries = {}
    for kind in KINDS:
        summary, rejects = await import_file(clean_db, kind, blockdata_files[kind], cipher)
        assert not rejects, f"{kind}: {rejects[:3]}"
        summaries[kind] = summary
    return Loaded(files=blockdata_files, summaries=summaries)
