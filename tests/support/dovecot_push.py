"""A Dovecot that tells foimail of each delivered message at once: the push_notification plugin's `ox` driver.

Real mail reaches a mailbox through the LDA or LMTP, not APPEND; on delivery the plugin PUTs a small JSON
document to a URL, here foimail's `http.listen` + `/wake`. The driver only speaks for users whose INBOX
carries the METADATA entry below (`enable_push`), and only for deliveries (MessageNew), which `deliver` makes
with Dovecot's own LDA as Postfix's `mailbox_command` would.

    push_dovecot  (function)  PushDovecot: the server, and the loopback port its pushes go to.
"""

from __future__ import annotations

import imaplib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support import LOOPBACK, free_ports, unavailable
from tests.support.dovecot import PASSWORD_AUTH, DovecotServer, _running

PUSH_CONFIG = """\
mail_plugins = $mail_plugins notify push_notification
mail_attribute_dict = file:%h/dovecot-attributes
protocol imap {{
  imap_metadata = yes
}}
plugin {{
  push_notification_driver = ox:url={url} user_from_metadata
}}
"""
METADATA_KEY = "/private/vendor/vendor.dovecot/http-notify"
LDA_SEARCH_PATH = "/usr/lib/dovecot:/usr/libexec/dovecot:/usr/sbin"


@dataclass
class PushDovecot:
    server: DovecotServer
    wake_port: int  # where the pushes go: set foimail's http.listen to 127.0.0.1:<wake_port>

    def enable_push(self, user: str) -> None:
        """The METADATA the ox driver requires before it pushes anything for `user`."""
        imaplib.Commands.setdefault("SETMETADATA", ("AUTH", "SELECTED"))  # RFC 5464; imaplib lacks it
        with self.server.client(user) as imap:
            status, data = imap._imap._simple_command("SETMETADATA", '""', f'({METADATA_KEY} "user={user}")')
        assert status == "OK", data

    def deliver(self, user: str, raw: bytes, sender: str = "citizen@example.ge") -> None:
        """Deliver `raw` into `user`'s INBOX through Dovecot's LDA; returns once it is stored."""
        lda = shutil.which("dovecot-lda", path=LDA_SEARCH_PATH)
        if lda is None:
            unavailable("dovecot-lda not found (it comes with dovecot-core)")
        config = self.server.log_path.parent / "dovecot.conf"
        result = subprocess.run(
            [lda, "-c", str(config), "-d", user, "-f", sender], input=raw, capture_output=True, timeout=30
        )
        assert result.returncode == 0, result.stderr.decode(errors="replace")


@pytest.fixture
def push_dovecot() -> Iterator[PushDovecot]:
    (wake_port,) = free_ports(1)
    url = f"http://{LOOPBACK}:{wake_port}/wake"
    with _running(PASSWORD_AUTH, extra_config=PUSH_CONFIG.format(url=url)) as server:
        yield PushDovecot(server, wake_port)
