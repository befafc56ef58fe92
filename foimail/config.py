"""Settings: TOML file -> FOIMAIL_<SECTION>_<KEY> environment -> <key>_file secrets -> one frozen Settings.

The only module that reads the environment or configuration files. Every problem becomes a
ConfigError naming the key and the file, so start-up stops with one clear line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from foimail.config_checks import check_settings
from foimail.errors import ConfigError
from foimail.oauth_providers import with_oauth_provider

DEFAULT_CONFIG_PATH = Path("config/foimail.toml")


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:////var/lib/foimail/foimail.db"


@dataclass(frozen=True)
class ImapSettings:
    host: str = ""  # empty: no IMAP source (Maildir or `foimail ingest` only)
    port: int = 993
    security: str = "ssl"
    username: str = ""
    password: str = ""
    auth: str = "password"  # password | xoauth2 | oauthbearer (the token comes from [oauth])
    folder: str = "INBOX"
    processed_folder: str = "FOI/Processed"
    quarantine_folder: str = "FOI/Quarantine"
    idle: bool = True
    poll_seconds: int = 60
    timeout_seconds: int = 60
    verify_certificate: bool = True


@dataclass(frozen=True)
class MaildirSettings:
    path: str = ""  # empty: no Maildir source


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""  # empty: nothing is sent (mail waits in the outbox)
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = ""
    auth: str = "password"  # password | xoauth2 | oauthbearer
    timeout_seconds: int = 60
    verify_certificate: bool = True
    pickup_dir: str = ""  # write .eml files here instead of sending (demo, tests)
    helo_name: str = ""  # the name foimail gives in EHLO; empty: this host's fully qualified name


@dataclass(frozen=True)
class OAuthSettings:
    """OAuth 2 for IMAP and SMTP: RFC 6749 §6 refresh-token grant; the first token by `foimail oauth login`."""

    provider: str = ""  # microsoft | google: fills the three URLs, the scope and empty hosts
    tenant: str = "organizations"  # microsoft only: the directory (tenant) id or domain
    token_url: str = ""
    device_url: str = ""  # RFC 8628 device authorization endpoint, for `foimail oauth login`
    authorize_url: str = ""  # authorization endpoint, for `foimail oauth login --browser`
    client_id: str = ""
    client_secret: str = ""  # empty for a public client
    refresh_token: str = ""  # empty: the one `foimail oauth login` stored in the state directory
    scope: str = ""
    timeout_seconds: int = 30


@dataclass(frozen=True)
class OfficeSettings:
    address: str = "foi@batumi.ge"
    name: str = "ქ. ბათუმის მერია"
    name_en: str = "Batumi City Hall"
    timezone: str = "Asia/Tbilisi"
    officers: tuple[str, ...] = ("*@batumi.ge",)
    notify: tuple[str, ...] = ()
    trusted_authserv_id: str = ""  # Authentication-Results id: dkim, spf (aligned) or auth=pass vouch
    trusted_received_by: str = ""  # our Postfix's myhostname: its "(Authenticated sender: …)" vouches
    trusted_received_hops: int = 0  # how many topmost Received headers our own servers add on the way in
    complaints_to: str = ""  # named in refusals (GAC Art. 41): where an administrative complaint goes
    allow_unauthenticated_officers: bool = False  # obey a From: matching `officers` without authentication
    webform_senders: tuple[str, ...] = ()  # From patterns of web forms: their Reply-To gets the confirmation

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2].lower()

    @property
    def officers_unauthenticated(self) -> str | None:
        """Why officers' mail cannot be authenticated, or None: start-up refuses it unless explicitly allowed."""
        if not self.officers or self.trusted_authserv_id or self.trusted_received_by:
            return None
        return (
            "is empty while office.officers is set, so any forged From: would be obeyed as an officer: set it to "
            "the id your mail server writes in Authentication-Results, or set office.trusted_received_by for "
            "Postfix's Authenticated sender (or allow_unauthenticated_officers = true)"
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class NumberingSettings:
    format: str = "FOI-{year}-{seq:05d}"


@dataclass(frozen=True)
class DeadlineSettings:
    period_days: int = 10
    start_is_day_one: bool = True
    roll_forward: bool = True
    paused_ranges: tuple[tuple[date, date], ...] = ()


@dataclass(frozen=True)
class CalendarSettings:
    extra_days_off: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()


@dataclass(frozen=True)
class OutboxSettings:
    max_confirmations_per_sender_per_hour: int = 5
    retry_hours: int = 72
    batch_size: int = 20
    idle_seconds: int = 5  # the fallback wait: intake wakes the outbox the moment it queues a confirmation
    send_lease_seconds: int = 60  # a claim on an item being sent; renewed while sending, run out after a crash


@dataclass(frozen=True)
class IntakeSettings:
    max_message_bytes: int = 60 * 1024 * 1024


@dataclass(frozen=True)
class ReminderSettings:
    at: time = time(9, 30)
    days_before: tuple[int, ...] = (3, 1)
    set_aside_at: time = time(16, 0)  # the afternoon notice of doubtful set-aside mail, office time


@dataclass(frozen=True)
class StatsSettings:
    export_dir: str = "/var/lib/foimail/stats"
    lang: str = "ka"


@dataclass(frozen=True)
class LogSettings:
    level: str = "INFO"
    format: str = "keyvalue"  # keyvalue | json


@dataclass(frozen=True)
class HttpSettings:
    listen: str = ""  # "127.0.0.1:9187" serves /healthz, /metrics and the mail server's PUT /wake


@dataclass(frozen=True)
class PathSettings:
    templates: str = ""  # empty: the templates/ shipped beside the package
    state_dir: str = "/var/lib/foimail"


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    imap: ImapSettings = field(default_factory=ImapSettings)
    maildir: MaildirSettings = field(default_factory=MaildirSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    oauth: OAuthSettings = field(default_factory=OAuthSettings)
    office: OfficeSettings = field(default_factory=OfficeSettings)
    numbering: NumberingSettings = field(default_factory=NumberingSettings)
    deadlines: DeadlineSettings = field(default_factory=DeadlineSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    stats: StatsSettings = field(default_factory=StatsSettings)
    log: LogSettings = field(default_factory=LogSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    source: str = "(defaults)"  # the file the settings came from, for messages


def config_path(explicit: str | None) -> tuple[Path, bool]:
    """The file to read and whether it must exist: --config, else $FOIMAIL_CONFIG, else ./config/foimail.toml."""
    if explicit:
        return Path(explicit), True
    from_env = os.environ.get("FOIMAIL_CONFIG")
    if from_env:
        return Path(from_env), True
    return DEFAULT_CONFIG_PATH, False


def load_settings(explicit: str | None = None, environ: typing.Mapping[str, str] | None = None) -> Settings:
    """Read, override and check every setting; raise ConfigError on the first problem."""
    env = os.environ if environ is None else environ
    path, required = config_path(explicit)
    data = read_toml(path, required)
    source = str(path) if path.exists() else "(defaults and environment)"
    sections: dict[str, Any] = {}
    hints = typing.get_type_hints(Settings)
    for section in (f for f in dataclasses.fields(Settings) if f.name != "source"):
        raw_section = data.pop(section.name, {})
        if not isinstance(raw_section, dict):
            raise ConfigError(section.name, source, "must be a [section] table")
        sections[section.name] = _build_section(section.name, hints[section.name], raw_section, env, source)
    if data:
        key = sorted(data)[0]
        raise ConfigError(key, source, "unknown section or key at top level")
    _check_environment(env, hints)
    settings = with_oauth_provider(Settings(**sections, source=source))
    check_settings(settings)
    return settings


def _check_environment(env: typing.Mapping[str, str], hints: dict[str, Any]) -> None:
    """A mistyped FOIMAIL_<SECTION>_<KEY> would be ignored silently: refuse it, as a typo in the file is."""
    for name in env:
        for section, cls in hints.items():
            prefix = f"FOIMAIL_{section.upper()}_"
            if section == "source" or not name.startswith(prefix):
                continue
            key = name[len(prefix) :].lower().removesuffix("_file")
            known = {f.name for f in dataclasses.fields(cls)}
            if key not in known:
                raise ConfigError(f"{section}.{key}", name, f"unknown setting (known: {', '.join(sorted(known))})")


def read_toml(path: Path, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError("(file)", str(path), "config file not found")
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("(syntax)", str(path), str(exc)) from None
    except OSError as exc:
        raise ConfigError("(file)", str(path), exc.strerror or str(exc)) from None


def _build_section(name: str, cls: Any, raw: dict[str, Any], env: typing.Mapping[str, str], source: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key in list(raw):
        if key.endswith("_file") and key[: -len("_file")] in known:
            values[key[: -len("_file")]] = _read_secret(f"{name}.{key}", str(raw.pop(key)), source)
        elif key not in known:
            raise ConfigError(f"{name}.{key}", source, f"unknown key (known: {', '.join(sorted(known))})")
    for key in sorted(known):
        dotted = f"{name}.{key}"
        env_name = f"FOIMAIL_{name.upper()}_{key.upper()}"
        if env_name in env:
            values[key] = _coerce(dotted, env_name, hints[key], env[env_name], from_env=True)
        elif f"{env_name}_FILE" in env:
            values[key] = _read_secret(dotted, env[f"{env_name}_FILE"], env_name + "_FILE")
        elif key in raw:
            values[key] = _coerce(dotted, source, hints[key], raw[key], from_env=False)
        elif key in values:
            values[key] = _coerce(dotted, source, hints[key], values[key], from_env=True)
    return cls(**values)


def _read_secret(key: str, path: str, source: str) -> str:
    """A secret from a file (systemd LoadCredential=, Docker secrets): its content, trailing newline dropped."""
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ConfigError(key, source, f"cannot read secret file {path}: {exc.strerror or exc}") from None


def _coerce(key: str, source: str, hint: Any, value: Any, *, from_env: bool) -> Any:
    origin = typing.get_origin(hint)
    try:
        if hint is bool:
            return _to_bool(value)
        if hint is int:
            if isinstance(value, bool):
                raise ValueError("expected a whole number")
            return int(value)
        if hint is str:
            if not isinstance(value, str):
                raise ValueError("expected text")
            return value
        if hint is time:
            return value if isinstance(value, time) else time.fromisoformat(str(value))
        if hint is date:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if origin is tuple:
            items = _to_list(value) if from_env or isinstance(value, str) else value
            if not isinstance(items, list | tuple):
                raise ValueError("expected a list")
            item_hint = typing.get_args(hint)[0]
            return tuple(_coerce(key, source, item_hint, item, from_env=from_env) for item in items)
        if origin is types.UnionType:
            raise ValueError("unsupported type")
    except (ValueError, TypeError) as exc:
        raise ConfigError(key, source, f"{exc} (got {value!r})") from None
    return value


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _to_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    text = str(value).strip()
    if text.startswith("["):
        parsed = json.loads(text)
        if not isinstance(parsed, list):
            raise ValueError("expected a list")
        return parsed
    return [part.strip() for part in text.split(",") if part.strip()]
