"""What users type into the alert wizard and /settings, read or refused."""

from datetime import UTC, datetime, time

import pytest

from services.alerts import QUESTIONS, InvalidAnswer, next_milestone, parse_answer
from services.domain.alerts import AlertKind
from services.preferences import (
    InvalidQuietHours,
    InvalidTimeZone,
    find_time_zone,
    parse_quiet_hours,
    quiet_until,
)

DROP_CHANGE, DROP_HOURS = QUESTIONS[AlertKind.SUBSCRIBER_DROP]
(SPIKE_FACTOR,) = QUESTIONS[AlertKind.REACTION_SPIKE]
VIEWS, _ = QUESTIONS[AlertKind.POST_VIEWS]


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        pytest.param(DROP_CHANGE, "5%", {"percent": 5}, id="percent"),
        pytest.param(DROP_CHANGE, "2,5 %", {"percent": 2.5}, id="decimal-comma-percent"),
        pytest.param(DROP_CHANGE, "100", {"amount": 100}, id="count"),
        pytest.param(DROP_CHANGE, "5% or 1,000", {"percent": 5, "amount": 1000}, id="both"),
        pytest.param(DROP_HOURS, "24h", {"hours": 24}, id="hours"),
        pytest.param(DROP_HOURS, "2 days", {"hours": 48}, id="days"),
        pytest.param(SPIKE_FACTOR, "2.5x", {"factor": 2.5}, id="factor"),
        pytest.param(VIEWS, "1.5k", {"amount": 1500}, id="thousands"),
        pytest.param(DROP_CHANGE, "5% или 100", {"percent": 5, "amount": 100}, id="both-ru"),
        pytest.param(DROP_HOURS, "24 ч", {"hours": 24}, id="hours-ru"),
        pytest.param(DROP_HOURS, "2 дня", {"hours": 48}, id="days-ru"),
        pytest.param(DROP_HOURS, "1 день", {"hours": 24}, id="a-day-ru"),
        pytest.param(SPIKE_FACTOR, "3х", {"factor": 3}, id="factor-cyrillic-x"),
        pytest.param(SPIKE_FACTOR, "2,5 раза", {"factor": 2.5}, id="factor-ru"),
    ],
)
def test_answers_that_are_read(question, text, expected) -> None:
    assert parse_answer(question, text) == expected


@pytest.mark.parametrize(
    ("question", "text"),
    [
        pytest.param(DROP_CHANGE, "lots", id="words"),
        pytest.param(DROP_CHANGE, "150%", id="over-100-percent"),
        pytest.param(DROP_CHANGE, "5% or 6%", id="two-percents"),
        pytest.param(DROP_HOURS, "0", id="zero-hours"),
        pytest.param(DROP_HOURS, "169", id="over-a-week"),
        pytest.param(DROP_HOURS, "1.5", id="fractional-hours"),
        pytest.param(SPIKE_FACTOR, "1", id="factor-one"),
        pytest.param(VIEWS, "-5", id="negative"),
    ],
)
def test_answers_that_are_refused(question, text) -> None:
    with pytest.raises(InvalidAnswer):
        parse_answer(question, text)


@pytest.mark.parametrize(
    ("subscribers", "milestone"), [(None, 1000), (42, 100), (1480, 2000), (9870, 10000)]
)
def test_next_milestone_is_the_next_round_number(subscribers, milestone) -> None:
    assert next_milestone(subscribers) == milestone


def test_time_zones_by_name_or_city() -> None:
    assert find_time_zone("Europe/Berlin") == "Europe/Berlin"
    assert find_time_zone("europe/berlin") == "Europe/Berlin"
    assert find_time_zone("new york") == "America/New_York"
    with pytest.raises(InvalidTimeZone):
        find_time_zone("Atlantis")


def test_quiet_hours_are_two_times_of_day() -> None:
    assert parse_quiet_hours("22:00-07:00") == (time(22), time(7))
    assert parse_quiet_hours("23 to 6:30") == (time(23), time(6, 30))
    assert parse_quiet_hours("off") is None
    for wrong in ("22:00", "25:00-07:00", "07:00-07:00"):
        with pytest.raises(InvalidQuietHours):
            parse_quiet_hours(wrong)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        pytest.param(datetime(2026, 1, 10, 21, 30, tzinfo=UTC), None, id="before"),
        pytest.param(
            datetime(2026, 1, 10, 23, 30, tzinfo=UTC),
            datetime(2026, 1, 11, 6, 0, tzinfo=UTC),
            id="evening",
        ),
        pytest.param(
            datetime(2026, 1, 11, 5, 0, tzinfo=UTC),
            datetime(2026, 1, 11, 6, 0, tzinfo=UTC),
            id="morning",
        ),
        pytest.param(datetime(2026, 1, 11, 6, 0, tzinfo=UTC), None, id="over"),
    ],
)
def test_quiet_hours_across_midnight_in_the_users_zone(now, until) -> None:
    # 23:00-07:00 in Berlin is 22:00-06:00 UTC in winter.
    assert quiet_until(now, "Europe/Berlin", (time(23), time(7))) == until
