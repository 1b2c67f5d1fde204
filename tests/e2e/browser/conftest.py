"""Browser fixtures: a built frontend, Debian's chromium through Playwright, signed-in pages.

Chromium must be installed (``apt-get install chromium``); Playwright's own browser download
does not work here. A missing browser fails the test with that instruction, never skips it.
The frontend is rebuilt (``npm run build``) once per session when ``frontend/dist`` is missing
or older than its sources.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from redis.asyncio import Redis

from backend.security.policy import Role
from tests.conftest import ROOT, TEST_PASSWORD, BackendProcess, DistrictPaths

FRONTEND = ROOT / "frontend"
DIST_INDEX = FRONTEND / "dist" / "index.html"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CLOSE_TIMEOUT_S = 45
CHROMIUM = os.environ.get("PINGAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_CHROMIUM = (
    "no Chromium at {path}: install Debian's browser with "
    "`apt-get update && apt-get install -y chromium fonts-noto-cjk` "
    "(or set PINGAN_CHROMIUM to its path); Playwright's own download does not work here"
)
# Files whose change needs a new build.
SOURCES = (
    "src",
    "public",
    "index.html",
    "wall",
    "console",
    "leader",
    "responder",
    "casework",
    "psych",
    "ledgers",
    "rentals",
    "disputes",
    "login",
)
SOURCE_FILES = ("vite.config.ts", "package.json", "package-lock.json", "tsconfig.json")

Start = Callable[..., BackendProcess]


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in SOURCES:
        path = FRONTEND / name
        paths = path.rglob("*") if path.is_dir() else [path]
        for p in paths:
            if p.is_file():
                newest = max(newest, p.stat().st_mtime)
    for name in SOURCE_FILES:
        p = FRONTEND / name
        if p.exists():
            newest = max(newest, p.stat().st_mtime)
    return newest


def _run(cmd: list[str]) -> None:
    done = subprocess.run(
        cmd, cwd=FRONTEND, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(cmd)}` failed in frontend/:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )


@pytest.fixture(scope="session")
def built_frontend() -> Path:
    """``frontend/dist``, rebuilt first when missing or older than the sources."""
    if DIST_INDEX.exists() and DIST_INDEX.stat().st_mtime >= _newest_source_mtime():
        return DIST_INDEX.parent
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("frontend/dist is missing or stale and npm is not installed (Node >= 20.19)")
    if not (FRONTEND / "node_modules").exists():
        _run([npm, "ci"])
    _run([npm, "run", "build"])
    return DIST_INDEX.parent


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The browser executable; fails (never skips) with the install command when missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(HOW_TO_CHROMIUM.format(path=CHROMIUM))
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    """Debian's chromium (headless, software WebGL)."""
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
def isolated_backend(start_backend: Start, redis: Redis, redis_prefix: str) -> Start:
    """``start_backend`` with this test's own Redis key prefix: streams and positions of other
    sessions on the same Redis (a demo, another test run) never reach this test's pages. The
    keys are deleted after the test (the ``redis`` fixture)."""
    del redis

    def start(**extra: str) -> BackendProcess:
        return start_backend(PINGAN_REDIS_PREFIX=redis_prefix, **extra)

    return start


@pytest.fixture
async def backend(isolated_backend: Start, built_frontend: Path) -> BackendProcess:
    """A real backend serving the built frontend at ``/``."""
    del built_frontend
    return isolated_backend()


@pytest.fixture
async def users(make_user: Any, paths: DistrictPaths) -> None:
    """A district leader (wall, leader view) and a district operator (wall, console)."""
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("op.d", paths.district, Role.OPERATOR)


Opener = Callable[..., Awaitable[Page]]


@pytest.fixture
async def open_page(browser: Browser, backend: BackendProcess) -> AsyncIterator[Opener]:
    """``await open_page(username, "/wall/", width=1920, height=1080, scale=1, locale=None,
    motion=False)``: a fresh browser context signed in through the login page, on ``path``.

    Without motion (prefers-reduced-motion) nothing pulses, so the map draws only when its data
    changes: a pulsing software-GL map at 1920x1080 keeps a core busy for the whole test and
    starves the tests running beside it. ``motion=True`` gives the pulsing map."""
    contexts: list[BrowserContext] = []

    async def open_(
        username: str,
        path: str,
        *,
        width: int = 1920,
        height: int = 1080,
        scale: float = 1,
        locale: str | None = None,
        motion: bool = False,
    ) -> Page:
        context = await browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=scale,
            reduced_motion="no-preference" if motion else "reduce",
        )
        contexts.append(context)
        if locale is not None:
            await context.add_init_script(f"localStorage.setItem('pingan.locale', {locale!r})")
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors  # type: ignore[attr-defined]
        await sign_in(page, backend.base_url, username, path)
        return page

    yield open_
    for context in contexts:
        # Bounded: once in CI (a 4K software-GL page beside a loaded worker) a close never
        # returned and the test, its assertions all passed, hit the 300 s timeout in teardown.
        try:
            await asyncio.wait_for(context.close(), timeout=CLOSE_TIMEOUT_S)
        except TimeoutError:
            warnings.warn(f"a browser context did not close in {CLOSE_TIMEOUT_S} s", stacklevel=1)
        except Exception as exc:  # already closed by the test, or the browser went away
            warnings.warn(f"closing a browser context: {exc}", stacklevel=1)


async def sign_in(page: Page, base_url: str, username: str, path: str) -> None:
    """Signs in through the login page with ``next=path`` and waits for ``path`` to load."""
    await page.goto(f"{base_url}/login/?next={path}")
    await page.fill("#username", username)
    await page.fill("#password", TEST_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}{path}", timeout=15_000)


def screenshot_path(name: str) -> Path:
    """Where a screenshot goes (``artifacts/screenshots/``, gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name
