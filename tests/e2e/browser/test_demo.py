"""The living demo from the README's first command, at a reduced scale: the wall shows moving
responders, incidents start, get accepted, move through their playbooks and close, and their
archives appear in the leader view. Ctrl-C stops everything cleanly.

The demo runs as the README runs it (``python -m backend demo``) on a database of its own, with
the simulators sped up (``--time-scale``) so a whole incident cycle fits in the test."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, Page

from backend.cli.demo import DEMO_PASSWORD
from backend.storage.postgres.dsn import with_database
from tests.conftest import ROOT, backend_env, free_port
from tests.e2e.browser.conftest import screenshot_path
from tests.e2e.browser.helpers import wait_connection, wait_map_ready

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(600)]

RESPONDERS = 60
# Generous bounds: the test counts what happened, it does not time it; a loaded 2-core CI
# machine runs a backend, the simulators and a software-GL browser at once.
START_S = 180.0
CYCLE_S = 300.0


class Demo:
    """``python -m backend demo`` in its own process group, its output in a file."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log
        self._log = log.open("wb")
        command = [
            sys.executable,
            "-m",
            "backend",
            "demo",
            "--port",
            str(port),
            "--addresses",
            "1500",
            "--responders",
            str(RESPONDERS),
            "--incident-rate",
            "6",
            "--time-scale",
            "120",
            "--duty-share",
            "1",
        ]
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"the demo exited with {self.proc.returncode}:\n{self.output()[-6000:]}"
                )
            # Ready means both: the server answers and the terminal has been told where to look
            # (the URLs are printed once the server is bound, which can trail /readyz a moment).
            try:
                ready = httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                ready = False
            if ready and "Ctrl-C stops everything" in self.output():
                return
            time.sleep(0.5)
        pytest.fail(f"the demo was not ready within {timeout_s:.0f} s:\n{self.output()[-6000:]}")

    def interrupt(self, timeout_s: float = 40) -> int:
        """Ctrl-C as a terminal sends it: SIGINT to the whole process group."""
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            pytest.fail(f"Ctrl-C did not stop the demo within {timeout_s:.0f} s")
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
async def demo_database(pg_admin_dsn: str) -> AsyncIterator[str]:
    """An empty database of the demo's own: it loads its district there on the first run."""
    name = f"pingan_demo_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield with_database(pg_admin_dsn, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def demo(
    demo_database: str, redis_url: str, redis_prefix: str, tmp_path: Path, built_frontend: Path
) -> Iterator[Demo]:
    del built_frontend
    env = backend_env(
        demo_database,
        redis_url,
        PINGAN_REDIS_PREFIX=redis_prefix,
        PINGAN_DATA_DIR=str(tmp_path / "data"),
        PINGAN_LOG_LEVEL="WARNING",
    )
    running = Demo(env, free_port(), tmp_path / "demo.log")
    try:
        running.wait_ready(START_S)
        yield running
    finally:
        running.kill()


class Operator:
    """What the operator sees through the API, to say what went wrong when a wait fails."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=60)
        self.headers: dict[str, str] = {}

    async def get(self, path: str, **params: Any) -> Any:
        if not self.headers:
            r = await self.http.post(
                "/api/auth/login", json={"username": "operator", "password": DEMO_PASSWORD}
            )
            r.raise_for_status()
            self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = await self.http.get(path, params=params, headers=self.headers)
        r.raise_for_status()
        return r.json()

    async def positions(self) -> dict[str, tuple[float, float]]:
        return {
            r["id"]: (r["lat"], r["lon"])
            for r in await self.get("/api/responders", limit=500)
            if r.get("position_known") and r.get("lat") is not None
        }

    async def states(self) -> dict[str, str]:
        page = await self.get("/api/incidents", limit=200)
        return {i["id"]: i["state"] for i in page["items"]}


async def until(
    what: str, check: Callable[[], Awaitable[bool]], seconds: float, demo: Demo
) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}\n{demo.output()[-4000:]}")
        await asyncio.sleep(1)


async def signed_in(browser: Browser, base_url: str, username: str, path: str) -> Page:
    # Reduced motion: nothing pulses, so the software-GL map leaves the page responsive on a
    # loaded CI machine (what is tested is the data, not the animation).
    context = await browser.new_context(
        viewport={"width": 1920, "height": 1080}, reduced_motion="reduce"
    )
    page = await context.new_page()
    await page.goto(f"{base_url}/login/?next={path}")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}{path}", timeout=20_000)
    return page


async def test_the_demo_comes_alive_closes_incidents_and_stops_on_ctrl_c(
    demo: Demo, browser: Browser
) -> None:
    output = demo.output()
    for url in ("/wall/", "/console/", "/leader/", "/responder/", "/casework/"):
        assert f"{demo.base_url}{url}" in output, f"the demo did not print {url}"
    assert "district.leader" in output and "operator" in output and DEMO_PASSWORD in output

    operator = Operator(demo.base_url)
    wall = await signed_in(browser, demo.base_url, "district.leader", "/wall/")
    await wait_map_ready(wall, timeout_s=120)
    await wait_connection(wall, "live", timeout_s=60)

    # Moving responders: the wall holds them, and their positions change between two looks.
    await wall.wait_for_function(
        "() => Number(document.querySelector('.map-view')?.dataset.responders ?? 0) >= 5",
        timeout=START_S * 1000,
    )
    first = await operator.positions()

    async def moved() -> bool:
        now = await operator.positions()
        return sum(1 for rid, at in now.items() if rid in first and at != first[rid]) >= 3

    await until("at least 3 responders moved", moved, 60, demo)

    # Incidents start, get accepted, and close through their playbooks.
    await wall.wait_for_function(
        "() => Number(document.querySelector('.map-view')?.dataset.incidents ?? 0) >= 1",
        timeout=START_S * 1000,
    )
    await wall.screenshot(path=str(screenshot_path("demo-wall-1920x1080.png")))

    async def one_closed() -> bool:
        return "closed" in (await operator.states()).values()

    await until("an incident closed through its playbook", one_closed, CYCLE_S, demo)
    closed = [i for i, s in (await operator.states()).items() if s == "closed"]
    timeline = await operator.get(f"/api/incidents/{closed[0]}/timeline")
    kinds = [e["kind"] for e in timeline]
    assert "assignment.accepted" in kinds, kinds
    assert "incident.closed" in kinds, kinds

    # The archives appear in the leader view. The wall is closed first: two software-GL maps
    # of a live district on two cores starve each other (a click then waited ~40 s for a frame).
    await wall.context.close()
    leader = await signed_in(browser, demo.base_url, "district.leader", "/leader/")
    await wait_connection(leader, "live", timeout_s=60)
    await leader.click(".tabs__btn[data-tab='archives']")
    await leader.click(f".archives__item[data-id='{closed[0]}']", timeout=60_000)
    await leader.wait_for_selector(".archives__page .archives__kpis", timeout=30_000)
    await leader.screenshot(path=str(screenshot_path("demo-leader-1920x1080.png")))

    # The responder login the demo printed opens the responder app, ready to go on duty.
    await leader.context.close()
    phone = await signed_in(browser, demo.base_url, "responder", "/responder/")
    await phone.wait_for_selector(".duty-switch", timeout=30_000)
    await phone.context.close()

    # The case worker's community (the one with the most patients) starts with two high-risk
    # patients overdue (one when it has only one): the rule (each minute) has raised their
    # warnings by now, and the case-work page lists them.
    casework = await signed_in(browser, demo.base_url, "caseworker", "/casework/")
    card = casework.locator(".warning-card[data-rule='follow_up_overdue'][data-patient-id]")
    await card.first.wait_for(timeout=90_000)
    assert await card.count() >= 1  # two on a full-size demo; a tiny one may have one
    row = casework.locator(".work-row[data-patient-id]").first
    await row.wait_for(timeout=30_000)
    await casework.screenshot(path=str(screenshot_path("demo-casework-1920x1080.png")))
    await casework.context.close()

    # Ctrl-C stops the backend and the simulators; nothing is left listening.
    assert demo.interrupt() == 0, demo.output()[-4000:]
    async with httpx.AsyncClient(timeout=2) as http:
        with pytest.raises(httpx.HTTPError):
            await http.get(f"{demo.base_url}/readyz")
    assert simulators_running(demo.port) == [], "simulators outlived Ctrl-C"


def simulators_running(port: int) -> list[str]:
    """Command lines of processes still pointed at the demo's port."""
    needle = f"http://127.0.0.1:{port}"
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if needle in cmd and "pytest" not in cmd:
                found.append(cmd)
    return found
