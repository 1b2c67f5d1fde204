from __future__ import annotations

from playbooks.events import (
    NotifyLeader,
    NotifySupervisor,
    OfferAccepted,
    RaisePriority,
    TimerFired,
    WidenSearch,
    WithdrawOffers,
)

from .support import HEADER, SMALL, alerts, at_steps, book, feed, logged, start, timers

BOOK = book(SMALL.removeprefix(HEADER))


def test_the_first_miss_widens_the_search_for_short_roles_and_retries() -> None:
    state, _ = start(BOOK)
    state, _ = feed(
        state,
        [(10, OfferAccepted(step_id="alert_team", role="community_doctor", responder_id="d1"))],
    )
    state, effects = feed(state, [(120, TimerFired(timer_id="run-1:alert_team:1"))])
    assert logged(effects, "deadline_missed")[0]["attempt"] == 1
    assert [e for e in effects if isinstance(e, WidenSearch)] == [
        WidenSearch(step_id="alert_team", role="police", radius_m=6000, k=4)
    ]
    assert next(e for e in effects if isinstance(e, NotifySupervisor)).role == "police"
    (retry,) = alerts(effects)
    assert (retry.role, retry.count, retry.radius_m, retry.k, retry.reason) == (
        "police",
        2,
        6000,
        4,
        "retry",
    )
    assert [t.timer_id for t in timers(effects)] == ["run-1:alert_team:2"]
    assert at_steps(state) == ["alert_team"]
    assert not any(isinstance(e, WithdrawOffers) for e in effects)  # resuming keeps offers open


def test_later_misses_climb_the_ladder_and_stay_on_its_last_rung() -> None:
    state, _ = start(BOOK)
    state, _ = feed(state, [(120, TimerFired(timer_id="run-1:alert_team:1"))])
    state, effects = feed(state, [(240, TimerFired(timer_id="run-1:alert_team:2"))])
    assert (
        NotifyLeader(level="street", step_id="alert_team", reason="deadline missed at alert_team")
        in effects
    )
    assert RaisePriority(priority=2, step_id="alert_team") in effects
    assert not any(isinstance(e, WidenSearch) for e in effects)  # factor 1.0: nothing to widen
    state, effects = feed(state, [(360, TimerFired(timer_id="run-1:alert_team:3"))])
    assert RaisePriority(priority=1, step_id="alert_team") in effects
    state, effects = feed(state, [(480, TimerFired(timer_id="run-1:alert_team:4"))])
    assert not any(isinstance(e, RaisePriority) for e in effects)  # already the most urgent
    assert state.priority == 1
    assert state.misses == {"alert_team": 4}


def test_widening_stops_at_the_maximum_radius() -> None:
    capped = book(
        SMALL.removeprefix(HEADER).replace(
            "    k: 3\n", "    k: 3\n    radius_m: 4000\n    max_radius_m: 5000\n"
        )
    )
    state, _ = start(capped)
    _, effects = feed(state, [(120, TimerFired(timer_id="run-1:alert_team:1"))])
    assert {e.radius_m for e in effects if isinstance(e, WidenSearch)} == {5000}


def test_a_timeout_to_another_step_abandons_the_alert_and_withdraws_its_offers() -> None:
    jump = book("""\
steps:
  - id: first
    type: alert
    roles: [{role: police}]
    deadline: 1m
    on_timeout: [fallback]
    next: close
  - id: fallback
    type: alert
    roles: [{role: grid_worker}]
    deadline: 5m
  - {id: close, type: close}
""")
    state, _ = start(jump)
    state, effects = feed(state, [(60, TimerFired(timer_id="run-1:first:1"))])
    assert WithdrawOffers(step_id="first", role="police") in effects
    assert at_steps(state) == ["fallback"]
    assert [a.role for a in alerts(effects)] == ["grid_worker"]


def test_a_missed_record_sheet_escalates_and_restarts_the_24_hours() -> None:
    late = book("""\
steps:
  - {id: close, type: close, deadline: 24h, on_timeout: [remind]}
  - {id: remind, type: escalate, notify_leader: district}
""")
    state, effects = start(late)
    assert timers(effects)[0].purpose == "record_sheet"
    state, effects = feed(state, [(86400, TimerFired(timer_id="run-1:close:1"))])
    assert any(isinstance(e, NotifyLeader) and e.level == "district" for e in effects)
    assert [t.due_at for t in timers(effects)] == [172800.0]
    assert at_steps(state) == ["close"]
