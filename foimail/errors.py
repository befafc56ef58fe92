"""The foimail exception tree.

FoimailError
 ├── ConfigError(key, file)       a wrong or missing setting; start-up stops with one line
 ├── MessageRejected(reason)      a message the pipeline sets aside (stored, never lost)
 ├── CaseNotFound(number)         a case number that names no case
 ├── TransientError               worth retrying: IMAP drop, SMTP 4xx/timeout, DB unavailable
 └── PermanentError               not worth retrying: SMTP 5xx, a refused login
      └── OAuthLoginNeeded         the OAuth refresh token is missing, expired or revoked
"""

from __future__ import annotations


class FoimailError(Exception):
    """Base of every error foimail raises on purpose; the CLI turns it into one line."""


class ConfigError(FoimailError):
    """A setting is wrong or missing: names the key and the file it came from."""

    def __init__(self, key: str, file: str, problem: str) -> None:
        self.key = key
        self.file = file
        self.problem = problem
        super().__init__(f"config error: {key} in {file}: {problem}")


class MessageRejected(FoimailError):
    """A message the pipeline cannot register; it is kept with this reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class CaseNotFound(FoimailError):
    """No case has this registration number."""

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"no case {number}")


class SchemaMissing(FoimailError):
    """The database lacks foimail's tables: `foimail db upgrade` has not been run."""


class TransientError(FoimailError):
    """A failure that may pass: retry later (IMAP drop, SMTP 4xx or timeout, database unavailable)."""


class PermanentError(FoimailError):
    """A failure that will not pass by retrying (SMTP 5xx, a refused login)."""


OAUTH_LOGIN_COMMAND = "foimail oauth login"


class OAuthLoginNeeded(PermanentError):
    """No usable OAuth refresh token: an admin must run `foimail oauth login`; the message names it."""
