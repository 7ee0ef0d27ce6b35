from datetime import UTC, datetime, timedelta

from codejury.pay.time import Event, TimeRule, paid_time, total_seconds

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_submit_pays_active_seconds_plus_allowance_when_below_server_window() -> None:
    events = [
        Event("lease", at(0), assignment_id=1),
        Event("submit", at(600), active_seconds=300, assignment_id=1),
    ]
    [span] = paid_time(events, TimeRule(allowance=60))
    assert span.kind == "assignment"
    assert span.server_seconds == 600
    assert span.paid_seconds == 360


def test_submit_is_capped_by_the_server_window() -> None:
    events = [
        Event("lease", at(0), assignment_id=1),
        Event("submit", at(200), active_seconds=900, assignment_id=1),
    ]
    assert paid_time(events)[0].paid_seconds == 200


def test_idle_gaps_are_deducted_beyond_the_threshold_only() -> None:
    events = [
        Event("lease", at(0), assignment_id=1),
        Event("idle", at(100), ended_at=at(400), assignment_id=1),  # 300 s gap, 180 s beyond 120
        Event("idle", at(500), active_seconds=60, assignment_id=1),  # under the threshold
        Event("submit", at(1000), assignment_id=1),  # no timer report: the server window counts
    ]
    [span] = paid_time(events, TimeRule(idle_threshold=120))
    assert span.paid_seconds == 1000 - 180


def test_late_submit_and_skip_are_paid_time() -> None:
    events = [
        Event("lease", at(0), assignment_id=1),
        Event("late_submit", at(3000), active_seconds=1500, assignment_id=1),
        Event("lease", at(0), assignment_id=2),
        Event("skip", at(90), active_seconds=80, assignment_id=2),
    ]
    spans = {s.assignment_id: s for s in paid_time(events)}
    assert (spans[1].kind, spans[1].paid_seconds) == ("late_submit", 1560)
    assert (spans[2].kind, spans[2].paid_seconds) == ("skip", 90)


def test_expired_lease_pays_reported_seconds_only() -> None:
    walked_away = [Event("lease", at(0), ended_at=at(1200), assignment_id=1)]
    worked = [Event("lease", at(0), ended_at=at(1200), active_seconds=700.2, assignment_id=2)]
    assert paid_time(walked_away)[0].paid_seconds == 0
    assert paid_time(worked)[0].paid_seconds == 701
    assert paid_time([Event("lease", at(0), assignment_id=3)]) == []  # still open


def test_failed_qualification_attempt_is_paid_time() -> None:
    attempt = Event(
        "qualification", at(0), ended_at=at(900), active_seconds=840, id=7, meta={"passed": False}
    )
    [span] = paid_time([attempt])
    assert (span.key, span.kind, span.paid_seconds) == ("event:7", "qualification", 900)


def test_reading_guidelines_again_is_paid_again() -> None:
    events = [
        Event("guidelines", at(0), ended_at=at(300), id=1, meta={"version": 1}),
        Event("guidelines", at(5000), ended_at=at(5120), id=2, meta={"version": 2}),
        Event("practice", at(6000), active_seconds=200, id=3),
        Event("rework", at(7000), ended_at=at(9000), active_seconds=100, id=4),
    ]
    spans = paid_time(events, TimeRule(allowance=60))
    assert [s.paid_seconds for s in spans] == [300, 120, 200, 160]
    assert total_seconds(spans) == 780


def test_events_without_any_duration_pay_nothing() -> None:
    assert paid_time([Event("guidelines", at(0))]) == []
