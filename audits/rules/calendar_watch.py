"""Warn before the working-day calendar runs out.

Working-day limits (条例 第二十六条: 20 working days) are counted with the `chinesecalendar`
package, which only knows the years the State Council has announced (each year's holiday
arrangement is published around December and a new package release follows). After its last
year every working-day rule becomes "could not check". So from `defaults.calendar_warn_days()`
days before the calendar's end, the report header, `govaudit rules check` and the schedule log
say that it needs an update, and how.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from audits import defaults

UPDATE_COMMAND = ".venv/bin/pip install -U chinesecalendar"


@dataclass(frozen=True)
class CalendarNotice:
    end: date  # the last day the calendar knows
    days_left: int  # negative once it has ended

    def message(self) -> str:
        when = (f"ends in {self.days_left} day(s)" if self.days_left >= 0
                else f"ended {-self.days_left} day(s) ago")
        return (f"the holiday calendar (chinesecalendar) {when}, on {self.end.isoformat()}; working-day rules "
                f"cannot be checked after it. Update it once the State Council has published next year's "
                f"holidays: {UPDATE_COMMAND}")


def calendar_end() -> date:
    from audits.rules.workdays import supported_years

    return date(supported_years()[1], 12, 31)


def calendar_notice(today: date | None = None, warn_days: int | None = None) -> CalendarNotice | None:
    """A notice when `today` is within `warn_days` of the calendar's end (or past it), else None."""
    today = today or date.today()
    warn_days = defaults.calendar_warn_days() if warn_days is None else warn_days
    end = calendar_end()
    left = (end - today).days
    return CalendarNotice(end, left) if left <= warn_days else None
