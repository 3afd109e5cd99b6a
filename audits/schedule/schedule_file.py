"""Strict reading of `cron/schedule.yml`.

A schedule mistake shows up a week later as an email that never came, so the file is checked
completely when it is loaded: unknown keys, a cron expression that is not 5 fields, an unknown
time zone or site, a malformed address. Every problem names `file:line`, the job and the field,
and all problems are reported at once rather than one per edit-and-retry.
"""
from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import ref_to_obj

from audits.defaults import DEFAULT_TIMEZONE
from audits.mail.recipients import Recipient
from govaudit.yamlsource import YamlDoc, YamlError, load_yaml
from crawler.sites import SiteConfigError, load_site, resolve_site_path

SCHEDULE_PATH_ENV = "GOVAUDIT_SCHEDULE"
DEFAULT_SCHEDULE_PATH = Path("cron/schedule.yml")
DEFAULT_JOB_FUNCTION = "audits.schedule.jobs:run_job"
DEFAULT_MISFIRE_GRACE = 86400  # a weekly run missed by less than a day is still worth sending
DEFAULT_SUBJECT = "{site} 政府信息公开检查周报 {date}（严重问题 {critical} 项）"
SUBJECT_FIELDS = ("site", "date", "critical", "warning", "total", "job")
LANGS = ("zh", "en")

TOP_KEYS = ("jobs", "timezone", "misfire_grace_time", "job_function")
JOB_KEYS = ("id", "kind", "site", "units", "cron", "timezone", "recipients", "subject", "lang", "workers")
WORKER_SCHEMES = ("redis://", "rediss://", "unix://")
# audit: crawl, audit, report and email (the default); probe: an availability probe of the site's
# home page and unit catalogs (crawler.probe), stored for the audit's 站点无法访问 check, no email.
JOB_KINDS = ("audit", "probe")
RECIPIENT_KEYS = ("email", "name", "units")

_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DURATION = re.compile(r"^(\d+)\s*([smhd]?)$")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    site: str  # a site name under crawler/sites, or an absolute path to a site file
    cron: str
    timezone: str
    recipients: tuple[Recipient, ...]
    subject: str = DEFAULT_SUBJECT
    units: tuple[str, ...] | None = None
    lang: str = "zh"
    line: int = 0
    kind: str = "audit"
    workers: str | None = None  # Redis URL: the crawl runs on the `govaudit worker` processes serving it

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=ZoneInfo(self.timezone))


@dataclass(frozen=True)
class Schedule:
    path: Path
    jobs: tuple[ScheduledJob, ...]
    misfire_grace_time: int = DEFAULT_MISFIRE_GRACE
    job_function: str = DEFAULT_JOB_FUNCTION

    def job(self, job_id: str) -> ScheduledJob:
        for job in self.jobs:
            if job.id == job_id:
                return job
        known = ", ".join(j.id for j in self.jobs) or "none"
        raise ScheduleError([Problem(self.path, 0, None, None, f"no job {job_id!r} (jobs: {known})")])


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    job: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        parts = [where]
        if self.job:
            parts.append(f"job {self.job}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join(parts + [self.message])


class ScheduleError(ValueError):
    """Every problem found in one schedule file."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_schedule(path: str | Path) -> Schedule:
    path = Path(path)
    if not path.is_file():
        raise ScheduleError([Problem(path, 0, None, None, "no such schedule file; pass --schedule FILE")])
    try:
        doc = load_yaml(path)
    except YamlError as exc:
        raise ScheduleError([Problem(path, exc.line or 0, None, None, exc.message)]) from None
    return _Checker(path, doc).schedule()


Where = tuple[Any, ...]


class _Checker:
    """Checks every field, collecting problems; each check returns a usable value or a default."""

    def __init__(self, path: Path, doc: YamlDoc):
        self.path, self.doc = path, doc
        self.problems: list[Problem] = []

    def fail(self, where: Where, job: str | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.path, self.doc.line(*where) or 0, job, field, message))

    def keys(self, node: dict, where: Where, allowed: tuple[str, ...], job: str | None, what: str) -> None:
        for key in node:
            if key not in allowed:
                self.fail(where + (key,), job, str(key), f"unknown key in {what}; allowed: {', '.join(allowed)}")

    def schedule(self) -> Schedule:
        data = self.doc.data
        if not isinstance(data, dict):
            self.fail((), None, None, "expected a mapping with a 'jobs:' list")
            raise ScheduleError(self.problems)
        self.keys(data, (), TOP_KEYS, None, "the schedule")
        default_tz = self.timezone(data, (), None, DEFAULT_TIMEZONE)
        grace = self.duration(data, "misfire_grace_time", DEFAULT_MISFIRE_GRACE)
        function = self.function(data)
        jobs = data.get("jobs")
        if not isinstance(jobs, list) or not jobs:
            self.fail(("jobs",), None, "jobs", "must be a non-empty list of jobs")
            jobs = []
        parsed: list[ScheduledJob] = []
        for index, item in enumerate(jobs):
            job = self.job(item, ("jobs", index), default_tz)
            if job and any(j.id == job.id for j in parsed):
                self.fail(("jobs", index, "id"), job.id, "id", "another job already has this id")
            elif job:
                parsed.append(job)
        if self.problems:
            raise ScheduleError(self.problems)
        return Schedule(self.path, tuple(parsed), grace, function)

    def job(self, node: Any, where: Where, default_tz: str) -> ScheduledJob | None:
        if not isinstance(node, dict):
            self.fail(where, None, None, "each job must be a mapping (id, site, cron, recipients, ...)")
            return None
        raw_id = node.get("id")
        job_id = raw_id if isinstance(raw_id, str) and _JOB_ID.match(raw_id) else None
        label = job_id or f"#{where[-1] + 1}"
        if job_id is None:
            self.fail(where + ("id",), label, "id",
                      "missing" if raw_id is None else f"{raw_id!r} is not a job id (letters, digits, - _ .)")
        before = len(self.problems)
        self.keys(node, where, JOB_KEYS, label, "a job")
        site, site_units = self.site(node, where, label)
        units = self.units(node, where, label, "units", site_units)
        tz = self.timezone(node, where, label, default_tz)
        cron = self.cron(node, where, label, tz)
        kind = node.get("kind", "audit")
        if kind not in JOB_KINDS:
            self.fail(where + ("kind",), label, "kind", f"{kind!r} is not one of {', '.join(JOB_KINDS)}")
        if kind == "probe":
            for key in ("recipients", "subject", "lang"):
                if key in node:
                    self.fail(where + (key,), label, key, "a probe job sends no email; remove this key")
            if len(self.problems) > before or job_id is None:
                return None
            return ScheduledJob(job_id, site, cron, tz, (), DEFAULT_SUBJECT, units, "zh",
                                self.doc.line(*where) or 0, kind="probe")
        recipients = self.recipients(node, where, label, units or site_units)
        subject = self.subject(node, where, label)
        lang = node.get("lang", "zh")
        if lang not in LANGS:
            self.fail(where + ("lang",), label, "lang", f"{lang!r} is not one of {', '.join(LANGS)}")
        workers = node.get("workers")
        if workers is not None and (not isinstance(workers, str) or not workers.startswith(WORKER_SCHEMES)):
            self.fail(where + ("workers",), label, "workers",
                      f"{workers!r} is not a Redis URL (redis://host:6379/0, rediss://… or unix://…)")
        if len(self.problems) > before or job_id is None:
            return None
        return ScheduledJob(job_id, site, cron, tz, recipients, subject, units, lang, self.doc.line(*where) or 0,
                            workers=workers)

    def text(self, node: dict, where: Where, key: str, job: str | None, required: bool = True) -> str | None:
        value = node.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            message = "missing" if key not in node else f"{value!r} is not a non-empty text"
            self.fail(where + (key,), job, key, message)
            return None
        if _CONTROL.search(value.strip()):
            # CR/LF in a name or subject would forge mail header lines; refused here, not at send time.
            self.fail(where + (key,), job, key, f"{value!r} contains a line break or control character")
            return None
        return value.strip()

    def site(self, node: dict, where: Where, job: str) -> tuple[str, tuple[str, ...] | None]:
        """The site ref passed to the pipeline, and the units its site file defines."""
        ref = self.text(node, where, "site", job)
        if ref is None:
            return "", None
        looks_like_path = "/" in ref or ref.endswith((".yml", ".yaml"))
        candidates = [Path(ref), self.path.parent / ref] if looks_like_path else [ref]
        problem = f"no site file {ref!r} (relative to the working directory or to {self.path.parent})"
        for candidate in candidates:
            try:
                site_path = resolve_site_path(candidate)
                if not site_path.is_file():
                    continue
                config = load_site(site_path)
            except SiteConfigError as exc:
                problem = f"unknown site: {exc.message}" if not looks_like_path else f"site file is invalid: {exc}"
                break
            return (str(site_path.resolve()) if looks_like_path else ref), tuple(u.name for u in config.units)
        self.fail(where + ("site",), job, "site", problem)
        return "", None

    def units(self, node: dict, where: Where, job: str, field: str,
              allowed: tuple[str, ...] | None) -> tuple[str, ...] | None:
        value = node.get(field)
        if value is None and field not in node:
            return None
        if not isinstance(value, list) or not value or not all(isinstance(u, str) and u.strip() for u in value):
            self.fail(where + (field,), job, field, f"must be a non-empty list of unit names, got {value!r}")
            return None
        units = tuple(u.strip() for u in value)
        for index, unit in enumerate(units):
            if allowed is not None and unit not in allowed:
                self.fail(where + (field, index), job, field,
                          f"unit {unit!r} is not in the site (units: {', '.join(allowed)})")
        return units

    def timezone(self, node: dict, where: Where, job: str | None, default: str) -> str:
        value = node.get("timezone", default)
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(where + ("timezone",), job, "timezone",
                      f"{value!r} is not a known time zone (e.g. Asia/Shanghai)")
            return default
        return str(value)

    def cron(self, node: dict, where: Where, job: str, tz: str) -> str:
        expr = self.text(node, where, "cron", job)
        if expr is None:
            return ""
        at, fields = where + ("cron",), expr.split()
        if len(fields) != 5:
            self.fail(at, job, "cron", f"{expr!r} is not a 5-field cron expression (minute hour day month weekday)")
            return ""
        if re.search(r"\d", fields[4]):
            # APScheduler 3 counts weekdays from Monday=0, cron from Sunday=0: a number would
            # silently fire on the wrong day, so only names are accepted.
            self.fail(at, job, "cron",
                      f"weekday {fields[4]!r} must use day names (MON, TUE, ..., SUN, e.g. MON-FRI), not numbers")
            return ""
        try:
            CronTrigger.from_crontab(expr, timezone=ZoneInfo(tz))
        except ValueError as exc:
            self.fail(at, job, "cron", f"{expr!r} is not a valid cron expression: {exc}")
            return ""
        return expr

    def recipients(self, node: dict, where: Where, job: str, units: tuple[str, ...] | None) -> tuple[Recipient, ...]:
        items = node.get("recipients")
        if not isinstance(items, list) or not items:
            self.fail(where + ("recipients",), job, "recipients", "must be a non-empty list of {email, name, units}")
            return ()
        found: list[Recipient] = []
        for index, item in enumerate(items):
            at = where + ("recipients", index)
            if not isinstance(item, dict):
                self.fail(at, job, "recipients", f"each recipient must be a mapping with 'email', got {item!r}")
                continue
            self.keys(item, at, RECIPIENT_KEYS, job, "a recipient")
            email = self.email(item, at, job)
            name = self.text(item, at, "name", job, required=False)
            recipient_units = self.units(item, at, job, "units", units)
            if email and any(r.email == email for r in found):
                self.fail(at + ("email",), job, "email", f"{email} is listed twice")
            elif email:
                found.append(Recipient(email, name, recipient_units))
        return tuple(found)

    def email(self, node: dict, where: Where, job: str) -> str | None:
        value = self.text(node, where, "email", job)
        if value is None:
            return None
        try:
            address = Address(addr_spec=value)
            ok = bool(address.username) and bool(_DOMAIN.match(address.domain)) and value.isascii()
        except (ValueError, IndexError, TypeError):
            ok = False
        if not ok:
            self.fail(where + ("email",), job, "email",
                      f"{value!r} is not an email address (name@example.org, ASCII; punycode for IDN domains)")
            return None
        return value.lower()

    def subject(self, node: dict, where: Where, job: str) -> str:
        value = self.text(node, where, "subject", job, required=False)
        if value is None:
            return DEFAULT_SUBJECT
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            self.fail(where + ("subject",), job, "subject", f"bad placeholder syntax: {exc}")
            return DEFAULT_SUBJECT
        unknown = sorted(n for n in names if n not in SUBJECT_FIELDS)
        if unknown:
            allowed = ", ".join("{" + f + "}" for f in SUBJECT_FIELDS)
            self.fail(where + ("subject",), job, "subject", f"unknown placeholder {{{unknown[0]}}}; allowed: {allowed}")
        return value

    def duration(self, node: dict, key: str, default: int) -> int:
        value = node.get(key, default)
        match = _DURATION.match(str(value).strip()) if not isinstance(value, bool) else None
        if not match or int(match.group(1)) <= 0:
            self.fail((key,), None, key, f"{value!r} is not a positive duration (seconds, or e.g. 12h, 1d)")
            return default
        return int(match.group(1)) * _DURATION_UNITS[match.group(2)]

    def function(self, node: dict) -> str:
        value = node.get("job_function", DEFAULT_JOB_FUNCTION)
        ref = str(value)
        if ":" not in ref and "." in ref:
            module, _, name = ref.rpartition(".")
            ref = f"{module}:{name}"
        try:
            if not callable(ref_to_obj(ref)):
                raise LookupError("not callable")
        except (LookupError, ImportError, ValueError, TypeError) as exc:
            self.fail(("job_function",), None, "job_function", f"{value!r} does not name a function: {exc}")
            return DEFAULT_JOB_FUNCTION
        return ref


def schedule_path(explicit: str | Path | None = None) -> Path:
    """--schedule, else $GOVAUDIT_SCHEDULE, else cron/schedule.yml in the working directory."""
    return Path(explicit or os.environ.get(SCHEDULE_PATH_ENV) or DEFAULT_SCHEDULE_PATH)
