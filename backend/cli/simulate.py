"""``pingan simulate fleet|incidents|all|swarm|flood``: simulators that are real clients of a running backend.

The CLI is the only place where ``backend`` meets ``simulators``: the simulators themselves
speak HTTP and WebSocket to ``--url`` and never touch the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Coroutine
from typing import Any

import click

from backend.cli.common import console
from simulators.casework import CaseworkConfig, CaseworkSimulator
from simulators.fleet import Fleet, FleetConfig
from simulators.http import Api, Session
from simulators.incidents import IncidentConfig, IncidentSimulator
from simulators.load import Flood, FloodConfig, LoadConfigError, Swarm, SwarmConfig
from simulators.responder import Behaviour

DEFAULT_PASSWORD = "Pingan-demo-2026"  # the demo's shared password (backend/cli/demo.py)
Summary = Callable[[], dict[str, int]]

url_option = click.option(
    "--url", default="http://127.0.0.1:8000", show_default=True, help="The backend's base URL."
)
password_option = click.option(
    "--password",
    default=DEFAULT_PASSWORD,
    show_default=True,
    envvar="PINGAN_SIM_PASSWORD",
    help="Password of the simulated accounts.",
)
seed_option = click.option("--seed", type=int, default=2026, show_default=True)
duration_option = click.option(
    "--duration", type=float, default=None, help="Stop after this many seconds (default: Ctrl-C)."
)
status_option = click.option(
    "--status-every",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds between status lines.",
)


def fleet_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The fleet's options (shared by ``fleet`` and ``all``)."""
    options = [
        click.option(
            "--responders", type=click.IntRange(1, 20_000), default=300, show_default=True
        ),
        click.option(
            "--gateway", default="gateway", show_default=True, help="Account reporting positions."
        ),
        click.option(
            "--socket-reporters",
            type=int,
            default=5,
            show_default=True,
            help="Phones reporting over their own socket.",
        ),
        click.option(
            "--accept",
            type=click.FloatRange(0, 1),
            default=0.85,
            show_default=True,
            help="Chance an offer is accepted.",
        ),
        click.option(
            "--decline",
            type=click.FloatRange(0, 1),
            default=0.07,
            show_default=True,
            help="Chance it is declined (the rest ignore it).",
        ),
        click.option(
            "--reaction",
            type=(float, float),
            default=(4.0, 30.0),
            show_default=True,
            help="Seconds before answering an offer (min max).",
        ),
        click.option(
            "--dwell",
            type=(float, float),
            default=(120.0, 420.0),
            show_default=True,
            help="Least seconds on scene (min max).",
        ),
        click.option(
            "--time-scale",
            type=click.FloatRange(0.1, 1000),
            default=1.0,
            show_default=True,
            help="Speed up movement and human delays.",
        ),
        click.option(
            "--hour",
            type=click.FloatRange(0, 24),
            default=None,
            help="Local hour for duty shares (default: now in China).",
        ),
        click.option(
            "--duty-share",
            type=click.FloatRange(0, 1),
            default=None,
            help="Share on duty, overriding the time-of-day table.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def incident_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The incident simulator's options (shared by ``incidents`` and ``all``)."""
    options = [
        click.option(
            "--rate",
            type=click.FloatRange(0, 600),
            default=1.0,
            show_default=True,
            help="Incidents per minute (Poisson).",
        ),
        click.option(
            "--creator", default="hotline", show_default=True, help="Account creating incidents."
        ),
        click.option("--within", default=None, help="Only places under this org path."),
        click.option(
            "--stale-after",
            type=float,
            default=900.0,
            show_default=True,
            help="Cancel incidents idle this long.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _fleet(url: str, password: str, seed: int, operator: str, **o: Any) -> Fleet:
    behaviour = Behaviour(
        accept_p=o["accept"],
        decline_p=min(o["decline"], 1 - o["accept"]),
        reaction_s=o["reaction"],
        dwell_s=o["dwell"],
        time_scale=o["time_scale"],
    )
    return Fleet(
        FleetConfig(
            url=url,
            responders=o["responders"],
            password=password,
            seed=seed,
            operator=operator,
            gateway=o["gateway"],
            socket_reporters=o["socket_reporters"],
            hour=o["hour"],
            duty_share=o["duty_share"],
            behaviour=behaviour,
        )
    )


def _incidents(url: str, password: str, seed: int, operator: str, **o: Any) -> IncidentSimulator:
    return IncidentSimulator(
        IncidentConfig(
            url=url,
            rate_per_min=o["rate"],
            password=password,
            seed=seed,
            creator=o["creator"],
            operator=operator,
            within=o["within"],
            stale_after_s=o["stale_after"],
        )
    )


async def _run_until_stopped(
    runners: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]],
    summaries: dict[str, Summary],
    duration: float | None,
    status_every: float,
) -> None:
    """Run the simulators until SIGINT/SIGTERM, ``duration``, or one of them fails."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(run(stop)) for run in runners]
    started = last_status = time.monotonic()
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
            now = time.monotonic()
            if any(t.done() for t in tasks) or (duration is not None and now - started >= duration):
                stop.set()
            elif now - last_status >= status_every:
                last_status = now
                _print_status(summaries)
    finally:
        stop.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        _print_status(summaries)
    for result in results:
        if isinstance(result, BaseException):
            raise result  # a simulator that failed (at start-up, usually): say why


def _print_status(summaries: dict[str, Summary]) -> None:
    for name, summary in summaries.items():
        shown = " ".join(f"{k}={v}" for k, v in summary().items() if v)
        console.print(f"[dim]{name}:[/dim] {shown}", highlight=False)


def _go(
    runners: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]],
    summaries: dict[str, Summary],
    duration: float | None,
    status_every: float,
) -> None:
    try:
        asyncio.run(_run_until_stopped(runners, summaries, duration, status_every))
    except (PermissionError, RuntimeError, ConnectionError) as exc:
        raise click.ClickException(str(exc)) from None


@click.group("simulate")
def simulate_group() -> None:
    """Simulators that talk to a running backend like real phones and consoles."""


@simulate_group.command("fleet")
@url_option
@password_option
@seed_option
@click.option(
    "--operator", default="operator", show_default=True, help="Account reading the grids."
)
@fleet_options
@duration_option
@status_option
def fleet_cmd(
    url: str,
    password: str,
    seed: int,
    operator: str,
    duration: float | None,
    status_every: float,
    **o: Any,
) -> None:
    """Responders on patrol who answer offers, travel, work the checklist and clear."""
    fleet = _fleet(url, password, seed, operator, **o)
    _go([fleet.run], {"fleet": fleet.summary}, duration, status_every)


@simulate_group.command("incidents")
@url_option
@password_option
@seed_option
@click.option(
    "--operator", default="operator", show_default=True, help="Account closing incidents."
)
@incident_options
@duration_option
@status_option
def incidents_cmd(
    url: str,
    password: str,
    seed: int,
    operator: str,
    duration: float | None,
    status_every: float,
    **o: Any,
) -> None:
    """Incidents at a Poisson rate, closed by a simulated operator once the field is done."""
    sim = _incidents(url, password, seed, operator, **o)
    _go([sim.run], {"incidents": sim.summary}, duration, status_every)


@simulate_group.command("all")
@url_option
@password_option
@seed_option
@click.option("--operator", default="operator", show_default=True)
@fleet_options
@incident_options
@click.option(
    "--casework/--no-casework",
    default=True,
    show_default=True,
    help="Also a counsellor and a case worker at their desks and a grid worker inspecting rental "
    "houses (accounts 'counsellor', 'caseworker' and 'gridworker', as the demo makes them; "
    "skipped with a note when they cannot sign in).",
)
@click.option(
    "--casework-every",
    type=click.FloatRange(1, 3600),
    default=20.0,
    show_default=True,
    help="Seconds between their steps, on average.",
)
@duration_option
@status_option
def all_cmd(
    url: str,
    password: str,
    seed: int,
    operator: str,
    duration: float | None,
    status_every: float,
    casework: bool,
    casework_every: float,
    **o: Any,
) -> None:
    """The fleet and the incidents together (what ``pingan demo`` starts), and the desks."""
    fleet = _fleet(url, password, seed, operator, **o)
    sim = _incidents(url, password, seed, operator, **o)
    runners = [fleet.run]
    summaries = {"fleet": fleet.summary, "incidents": sim.summary}
    if casework:
        api = Api(url)
        desks = CaseworkSimulator(
            CaseworkConfig(seed=seed, step_every_s=casework_every),
            Session(api, "counsellor", password),
            Session(api, "caseworker", password),
            Session(api, "gridworker", password),
        )

        async def at_the_desks(stop: asyncio.Event) -> None:
            try:
                await desks.run(stop)
            except PermissionError as exc:  # no such accounts here: the rest runs on
                console.print(f"[dim]casework: not simulated ({exc})[/dim]", highlight=False)
                await stop.wait()
            finally:
                await api.close()

        runners.append(at_the_desks)
        summaries["casework"] = desks.summary

    async def incidents_after_fleet(stop: asyncio.Event) -> None:
        # Give the fleet a head start so the first incidents find responders on the map.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 15)
        if not stop.is_set():
            await sim.run(stop)

    _go([*runners, incidents_after_fleet], summaries, duration, status_every)


@simulate_group.command("swarm")
@url_option
@password_option
@click.option(
    "--username",
    "usernames",
    multiple=True,
    default=("district.leader", "operator"),
    show_default=True,
    help="Accounts holding the sockets (repeat; the backend caps sockets per account).",
)
@click.option("--clients", type=int, required=True, help="Sockets to open (1-20,000).")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    default=("wall",),
    show_default=True,
    help="Topics each socket subscribes to (repeat).",
)
@click.option("--duration", type=float, default=60.0, show_default=True, help="Seconds to hold.")
@click.option(
    "--connect-rate", type=float, default=200.0, show_default=True, help="New sockets per second."
)
@status_option
def swarm_cmd(
    url: str,
    password: str,
    usernames: tuple[str, ...],
    clients: int,
    topics: tuple[str, ...],
    duration: float,
    connect_rate: float,
    status_every: float,
) -> None:
    """Wall and leader subscribers by the thousand (loopback only, bounded): fan-out load."""
    config = SwarmConfig(
        url=url,
        usernames=usernames,
        password=password,
        clients=clients,
        topics=topics,
        duration_s=duration,
        connect_per_s=connect_rate,
    )
    try:
        swarm = Swarm(config)
    except LoadConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    _go([swarm.run], {"swarm": swarm.summary}, duration + 30, status_every)


@simulate_group.command("flood")
@url_option
@password_option
@click.option("--gateway", default="gateway", show_default=True, help="Position gateway account.")
@click.option(
    "--operator", default="operator", show_default=True, help="Account listing who is on duty."
)
@click.option("--rate", type=float, required=True, help="Position reports per second.")
@click.option("--duration", type=float, default=30.0, show_default=True, help="Seconds to run.")
@click.option("--batch", type=int, default=500, show_default=True, help="Reports per request.")
@seed_option
@status_option
def flood_cmd(
    url: str,
    password: str,
    gateway: str,
    operator: str,
    rate: float,
    duration: float,
    batch: int,
    seed: int,
    status_every: float,
) -> None:
    """Position reports at a steady rate for the on-duty fleet (loopback only, bounded): ingest load."""
    config = FloodConfig(
        url=url,
        gateway=gateway,
        operator=operator,
        password=password,
        rate_per_s=rate,
        duration_s=duration,
        batch=batch,
        seed=seed,
    )
    try:
        flood = Flood(config)
    except LoadConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    _go([flood.run], {"flood": flood.summary}, duration + 30, status_every)
