"""When a yearly occasion next comes round, and which calendar days a window of days covers.

A yearly occasion on 29 February falls on 28 February in common years (the last day of the month it
belongs to), so it is never skipped and never counted twice.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

LEAP_DAY = 229  # month_day of 29 February


def month_day(day: date) -> int:
    return day.month * 100 + day.day


def in_year(original: date, year: int) -> date:
    """The anniversary of ``original`` in ``year`` (28 February for a leap day in a common year)."""
    if (original.month, original.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return original.replace(year=year)


def next_date(original: date, recurring: bool, today: date) -> date | None:
    """The occasion's next date on or after ``today``; None for a one-off occasion that has passed."""
    if not recurring:
        return original if original >= today else None
    candidate = in_year(original, today.year)
    return candidate if candidate >= today else in_year(original, today.year + 1)


def window_month_days(today: date, days: int) -> list[int]:
    """The ``month_day`` values whose yearly occasions fall within ``today`` .. ``today + days``."""
    found: list[int] = []
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        found.append(month_day(day))
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            found.append(LEAP_DAY)
    return sorted(set(found))
