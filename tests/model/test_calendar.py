from datetime import date

import pytest

from core.model.calendar import NoMeetingScheduled, WorkingDayCalendar, due_on
from core.model.deadlines import CalendarDays, NextMeeting, SameWorkingDay, WorkingDays

SCOTLAND = WorkingDayCalendar("SCT")
ENGLAND = WorkingDayCalendar("ENG")
FRIDAY_27_NOV_2026 = date(2026, 11, 27)


def test_one_working_day_from_friday_skips_st_andrews_day_in_scotland():
    assert due_on(WorkingDays(1), FRIDAY_27_NOV_2026, SCOTLAND) == date(2026, 12, 1)


def test_one_working_day_from_friday_is_monday_in_england():
    assert due_on(WorkingDays(1), FRIDAY_27_NOV_2026, ENGLAND) == date(2026, 11, 30)


def test_an_event_at_the_weekend_counts_from_the_next_working_day():
    saturday = date(2026, 11, 28)
    assert due_on(SameWorkingDay(), saturday, ENGLAND) == date(2026, 11, 30)
    assert due_on(WorkingDays(1), saturday, ENGLAND) == date(2026, 12, 1)


def test_same_working_day_is_day_zero():
    assert due_on(SameWorkingDay(), date(2026, 11, 24), ENGLAND) == date(2026, 11, 24)


def test_second_of_january_is_a_holiday_in_scotland_only():
    assert not SCOTLAND.is_working_day(date(2026, 1, 2))
    assert ENGLAND.is_working_day(date(2026, 1, 2))


def test_england_has_easter_monday_and_the_late_august_holiday():
    assert not ENGLAND.is_working_day(date(2026, 4, 6))
    assert not ENGLAND.is_working_day(date(2026, 8, 31))
    assert ENGLAND.is_working_day(date(2026, 8, 3))
    assert not SCOTLAND.is_working_day(date(2026, 8, 3))


def test_council_closure_days_are_not_working_days():
    closed = WorkingDayCalendar("ENG", frozenset({date(2026, 12, 1)}))
    assert due_on(WorkingDays(1), FRIDAY_27_NOV_2026, closed) == date(2026, 11, 30)
    assert due_on(WorkingDays(2), FRIDAY_27_NOV_2026, closed) == date(2026, 12, 2)


def test_calendar_days_count_every_day():
    assert due_on(CalendarDays(14), FRIDAY_27_NOV_2026, SCOTLAND) == date(2026, 12, 11)


def test_a_calendar_day_deadline_on_a_non_working_day_stays_or_moves_as_the_council_chooses():
    saturday = date(2026, 11, 14)   # 14 days on is Saturday 28 November; Monday 30th is St Andrew's Day
    assert due_on(CalendarDays(14), saturday, SCOTLAND) == date(2026, 11, 28)
    assert due_on(CalendarDays(14, next_working_day=True), saturday, SCOTLAND) == date(2026, 12, 1)
    assert due_on(CalendarDays(14, next_working_day=True), saturday, ENGLAND) == date(2026, 11, 30)


def test_next_meeting_is_the_first_meeting_on_or_after_the_start():
    meetings = [date(2026, 11, 10), date(2026, 12, 8), date(2027, 1, 12)]
    assert due_on(NextMeeting("cp-dissents-group"), FRIDAY_27_NOV_2026, ENGLAND, meetings) == date(2026, 12, 8)
    with pytest.raises(NoMeetingScheduled):
        due_on(NextMeeting("cp-dissents-group"), date(2027, 2, 1), ENGLAND, meetings)


def test_the_meeting_day_rule_is_one_setting_the_engine_reads():
    meetings = [date(2026, 12, 8), date(2027, 1, 12)]
    meeting_day = date(2026, 12, 8)
    assert due_on(NextMeeting("group"), meeting_day, ENGLAND, meetings) == date(2027, 1, 12)
    assert due_on(NextMeeting("group", same_day=True), meeting_day, ENGLAND, meetings) == meeting_day
    assert due_on(NextMeeting("group"), date(2026, 12, 7), ENGLAND, meetings) == meeting_day


def test_deadlines_describe_themselves_in_words():
    assert WorkingDays(10, from_="conference_date").describe() == "within 10 working days of the conference"
    assert WorkingDays(1).describe() == "within 1 working day of the case reaching this stage"
    assert SameWorkingDay().describe() == "on the same working day as the case reaching this stage"
    assert CalendarDays(14, since="the dissent being acknowledged").describe() == (
        "within 14 calendar days of the dissent being acknowledged, even if the last day is not a working day")
    assert CalendarDays(14, next_working_day=True).describe() == (
        "within 14 calendar days of the case reaching this stage, "
        "moved to the next working day if the last day is not one")
    assert NextMeeting("cp-dissents-group", since="the referral").describe() == (
        "at the next meeting of the cp dissents group after the referral, "
        "not that day's meeting if the referral is on a meeting day")
    assert NextMeeting("panel", since="the referral", same_day=True).describe() == (
        "at the next meeting of the panel on or after the referral, that day's meeting if it is a meeting day")
