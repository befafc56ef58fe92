"""A local Maildir source, for hosts where the MTA delivers to disk: same processing path as IMAP."""

from __future__ import annotations

import mailbox
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from foimail.adapters.source import ArrivedMessage, wait_for_either


class MaildirSource:
    """Messages in new/ and cur/ of a Maildir; processed ones move to its .Processed / .Quarantine folders."""

    uidvalidity = None  # a Maildir key names one file for good

    def __init__(self, path: str, processed_folder: str = "Processed", quarantine_folder: str = "Quarantine") -> None:
        self.path = Path(path)
        self.maildir = mailbox.Maildir(self.path, create=True)
        self.folders = {
            processed_folder: self._folder(processed_folder),
            quarantine_folder: self._folder(quarantine_folder),
        }

    @property
    def source_name(self) -> str:
        return f"maildir://{self.path}"

    def _folder(self, name: str) -> mailbox.Maildir:
        flat = name.replace("/", ".")
        if flat in self.maildir.list_folders():
            return self.maildir.get_folder(flat)
        return self.maildir.add_folder(flat)

    def open(self) -> None:
        """Nothing to connect to: the folder is opened in the constructor."""

    def pending(self) -> Iterator[Sequence[ArrivedMessage]]:
        """One message at a time: a file read costs no round trip, and a batch would only hold more memory."""
        for key in sorted(self.maildir.keys()):
            try:
                raw = self.maildir.get_bytes(key)
                path = self.path / self.maildir._lookup(key)  # type: ignore[attr-defined]  # the file's time: delivery's
                when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except (KeyError, FileNotFoundError):
                continue
            yield (ArrivedMessage(key, raw, when, f"{self.source_name};key={key}"),)

    def move(self, keys: Sequence[str], folder: str) -> None:
        """Copy into the folder, then remove: a crash between leaves a copy that deduplication recognises."""
        for key in keys:
            message = self.maildir.get_message(key)
            self.folders[folder].add(message)
            self.maildir.discard(key)

    def wait_for_mail(self, stop: threading.Event, poll_seconds: float, arrived: threading.Event | None = None) -> None:
        wait_for_either(stop, arrived, poll_seconds)

    def close(self) -> None:
        """Nothing to close."""
