"""What every use case is given: settings, database, calendar, templates and the clock, built once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from foimail.clock import Clock, utc_now
from foimail.config import Settings
from foimail.core.calendar import DeadlineRules, WorkingCalendar
from foimail.core.classify import ClassifyRules
from foimail.mail.render import TemplateRenderer
from foimail.resources import templates_dir
from foimail.store.db import make_engine, make_session_factory


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    calendar: WorkingCalendar
    deadline_rules: DeadlineRules
    classify_rules: ClassifyRules
    renderer: TemplateRenderer
    clock: Clock

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.office.tz


def build_calendar(settings: Settings) -> WorkingCalendar:
    return WorkingCalendar(
        extra_days_off=settings.calendar.extra_days_off,
        extra_working_days=settings.calendar.extra_working_days,
    )


def build_deadline_rules(settings: Settings) -> DeadlineRules:
    deadlines = settings.deadlines
    return DeadlineRules(
        period_days=deadlines.period_days,
        start_is_day_one=deadlines.start_is_day_one,
        roll_forward=deadlines.roll_forward,
        paused_ranges=deadlines.paused_ranges,
    )


def build_context(settings: Settings, clock: Clock = utc_now, engine: Engine | None = None) -> AppContext:
    engine = engine or make_engine(settings.database.url)
    return AppContext(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        calendar=build_calendar(settings),
        deadline_rules=build_deadline_rules(settings),
        classify_rules=ClassifyRules(
            office_address=settings.office.address, numbering_format=settings.numbering.format
        ),
        renderer=TemplateRenderer(Path(settings.paths.templates) if settings.paths.templates else templates_dir()),
        clock=clock,
    )
