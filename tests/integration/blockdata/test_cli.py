"""``pingan import KIND FILE``: summary on stdout, rejects file with line, field and reason."""

from __future__ import annotations

from pathlib import Path

import msgspec
from click.testing import CliRunner

from backend.cli import main
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography


def test_import_command_writes_summary_and_rejects(
    clean_db: PgPool, district: Geography, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    lat, lon = 22.70, 114.35
    data = tmp_path / "addresses.csv"
    data.write_text(
        f"id,text,lat,lon\nC1,坪山区新路1号1栋,{lat},{lon}\nC2,坪山区新路1号2栋,95,{lon}\n",
        encoding="utf-8",
    )
    env = {
        "PINGAN_DATABASE_URL": database_url,
        "PINGAN_REDIS_URL": redis_url,
        "PINGAN_DATA_DIR": str(tmp_path / "data"),
    }
    result = CliRunner().invoke(main, ["import", "addresses", str(data)], env=env)
    assert result.exit_code == 0, result.output
    summary_line = next(x for x in result.stdout.splitlines() if x.startswith("{"))
    summary = msgspec.json.decode(summary_line)
    assert (summary["read"], summary["inserted"], summary["rejected"]) == (2, 1, 1)
    rejects = [
        msgspec.json.decode(x) for x in data.with_suffix(".rejects.jsonl").read_bytes().splitlines()
    ]
    assert rejects == [{"line": 3, "field": "lat", "reason": rejects[0]["reason"]}]
    assert "95" in rejects[0]["reason"] or "<=" in rejects[0]["reason"]
    again = CliRunner().invoke(main, ["import", "nonsense", str(data)], env=env)
    assert again.exit_code != 0
