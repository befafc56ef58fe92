"""Plugin: a private Dovecot for the test session (IMAP with STARTTLS, and IMAPS), never the system one.

Fixtures:
    dovecot  (session)   DovecotServer: host, port, ssl_port, users, log_path, cert_path and helpers.
    mailbox  (function)  the same server, after ``reset`` of every user: tests start from an empty INBOX.
    oauth_dovecot  (session)   a second instance that accepts only XOAUTH2 and OAUTHBEARER, checking each
                               token at our loopback authorization server (``passdb { driver = oauth2 }``,
                               RFC 7662 introspection); its helpers log in with tokens minted there.
    oauth_mailbox  (function)  that instance after ``reset``, and the authorization server after its own.
    restartable_dovecot  (function)  a Dovecot of the test's own with ``restart()`` on the same ports.

The instance has its own base_dir, config file, maildirs and log in a temp dir, listens on free loopback
ports and is stopped at session end. A failing test that used it gets the log lines it caused in its report.
UIDs are not reset between tests: compare with ``folder_uids``, never assume the first UID is 1.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.support import LOOPBACK, free_ports, self_signed_cert, unavailable
from tests.support.oauth_server import TokenEndpoint

USERS = {"foi@batumi.ge": "secret", "other@example.org": "secret"}
NOT_INSTALLED = "Dovecot not installed: apt-get install -y dovecot-imapd"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
START_ATTEMPTS = 3  # a free port can be taken between choosing it and Dovecot binding it

CONFIG = """\
# Written by tests/support/dovecot.py for one pytest session.
base_dir = {root}/run
state_dir = {root}/state
instance_name = foimail-test-{port}
login_greeting = {greeting}
listen = {host}
protocols = {protocols}
log_path = {log_path}
auth_verbose = yes
disable_plaintext_auth = no
auth_mechanisms = {auth_mechanisms}
# No 2 s delay after a failed login and no growing per-IP penalty: every test logs in from 127.0.0.1.
auth_failure_delay = 0
ssl = yes
ssl_cert = <{cert_path}
ssl_key = <{key_path}
default_login_user = dovenull
default_internal_user = dovecot
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
mail_location = maildir:~/Maildir
mail_fsync = never
{passdb}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
protocol imap {{
  mail_max_userip_connections = 100  # default 10: a few leaked clients would lock a user out
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {ssl_port}
    ssl = yes
  }}
}}
{extra_config}
"""

PASSWORD_AUTH = {
    "auth_mechanisms": "plain login",
    "passdb": "passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {users_path}\n}}",
}
# Dovecot 2.3's oauth2 passdb: POST token=<token> to the introspection URL, accept when active is true and
# the username attribute names the user logging in. No auth cache, so a revoked token fails at once.
OAUTH_AUTH = {
    "auth_mechanisms": "xoauth2 oauthbearer",
    "passdb": "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {oauth2_conf}\n}}",
}
OAUTH2_CONF = """\
introspection_mode = post
introspection_url = {introspection_url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""

_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


@dataclass
class DovecotServer:
    host: str
    port: int
    ssl_port: int
    log_path: Path
    cert_path: Path
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))
    token_for: Callable[[str], str] | None = None  # an OAuth-only instance: mints an access token for a user

    def client(self, user: str) -> IMAPClient:
        """Logged in over plain IMAP; use it as a context manager so it logs out."""
        imap = IMAPClient(self.host, self.port, ssl=False, timeout=10)
        if self.token_for is None:
            imap.login(user, self.users[user])
        else:
            imap.oauth2_login(user, self.token_for(user))
        return imap

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> int:
        """Store ``raw`` as it is in ``folder`` (created if missing) and return its UID."""
        with self.client(user) as imap:
            if not imap.folder_exists(folder):
                imap.create_folder(folder)
            response = imap.append(folder, raw)
        match = _APPENDUID.search(response)
        assert match is not None, f"no APPENDUID in {response!r}"
        return int(match.group(1))

    def append_many(self, user: str, raws: list[bytes], folder: str = "INBOX") -> list[bytes]:
        """APPEND each message on one connection; return those the server accepted (it may refuse some)."""
        accepted = []
        with self.client(user) as imap:
            for raw in raws:
                try:
                    imap.append(folder, raw)
                except imaplib.IMAP4.error:
                    continue
                accepted.append(raw)
        return accepted

    def folder_uids(self, user: str, folder: str) -> list[int]:
        with self.client(user) as imap:
            imap.select_folder(folder, readonly=True)
            return sorted(imap.search("ALL"))

    def fetch_all(self, user: str, folder: str) -> list[bytes]:
        """Every message's raw bytes in UID order, without setting \\Seen."""
        with self.client(user) as imap:
            imap.select_folder(folder, readonly=True)
            uids = sorted(imap.search("ALL"))
            if not uids:
                return []
            fetched = imap.fetch(uids, ["BODY.PEEK[]"])
            return [fetched[uid][b"BODY[]"] for uid in uids]

    def reset(self, user: str) -> None:
        """Delete every folder but INBOX, drop all subscriptions but INBOX's, and empty INBOX."""
        with self.client(user) as imap:
            selectable = [
                name
                for flags, _, name in imap.list_folders()
                if name.upper() != "INBOX" and not {b"\\Noselect", b"\\NonExistent"} & set(flags)
            ]
            for name in sorted(selectable, key=len, reverse=True):  # children before their parents
                imap.delete_folder(name)
            for _, _, name in imap.list_sub_folders():
                if name.upper() != "INBOX":
                    imap.unsubscribe_folder(name)
            imap.select_folder("INBOX")
            uids = imap.search("ALL")
            if uids:
                imap.delete_messages(uids)
                imap.expunge()

    def kick(self, user: str) -> bool:
        """End every session of ``user`` with BYE, as Microsoft 365 does when a session's access token expires.

        False when ``user`` had no session to end (doveadm's exit status 68).
        """
        config = self.log_path.parent / "dovecot.conf"
        doveadm = shutil.which("doveadm", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/usr/sbin"]))
        assert doveadm is not None, "doveadm not installed (it comes with dovecot-core)"
        result = subprocess.run([doveadm, "-c", str(config), "kick", user], capture_output=True, text=True, timeout=10)
        assert result.returncode in (0, 68), result.stderr
        return result.returncode == 0

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")


def _log_tail(root: Path, lines: int = 30) -> str:
    text = "".join(
        path.read_text(errors="replace") for path in (root / "dovecot.log", root / "stderr.log") if path.exists()
    )
    return "\n".join(text.splitlines()[-lines:]) or "(no log written)"


def _dovecot_binary() -> str:
    search_path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    binary = shutil.which("dovecot", path=search_path)
    if binary is None:
        unavailable(NOT_INSTALLED)
    if os.geteuid() != 0:
        unavailable("The Dovecot fixture runs Dovecot as root (it switches to the dovecot user): run as root")
    return binary


def _prepare(
    root: Path, auth: dict[str, str] = PASSWORD_AUTH, users: dict[str, str] = USERS, **extra: str
) -> dict[str, object]:
    """Users file, maildir root owned by the dovecot user, certificate: what every start attempt shares."""
    mail_owner = pwd.getpwnam("dovecot")
    root.chmod(0o755)  # login and mail processes run as dovenull and dovecot and must reach their files
    (root / "mail").mkdir()
    os.chown(root / "mail", mail_owner.pw_uid, mail_owner.pw_gid)
    users_path = root / "users"
    users_path.write_text("".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in users.items()))
    tls = self_signed_cert(root)
    oauth2_conf = root / "dovecot-oauth2.conf.ext"
    if "introspection_url" in extra:
        oauth2_conf.write_text(OAUTH2_CONF.format(**extra))
    fill = {"users_path": users_path, "oauth2_conf": oauth2_conf}
    return {
        "auth_mechanisms": auth["auth_mechanisms"],
        "passdb": auth["passdb"].format(**fill),
        "host": LOOPBACK,
        "log_path": root / "dovecot.log",
        "users_path": users_path,
        "cert_path": tls.cert_path,
        "key_path": tls.key_path,
        "mail_uid": mail_owner.pw_uid,
        "mail_gid": mail_owner.pw_gid,
        "protocols": extra.get("protocols", "imap"),  # tests/support/real_mta.py adds lmtp
        "extra_config": extra.get("extra_config", ""),  # e.g. tests/support/dovecot_push.py's plugin
    }


def _greets(host: str, port: int, greeting: str) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            banner = conn.recv(512)
    except OSError:
        return False
    return banner.startswith(b"* OK") and greeting.encode() in banner


def _wait_ready(process: subprocess.Popen[bytes], ports: tuple[int, int], greeting: str) -> bool:
    """Ready when the IMAP port greets as this instance and the IMAPS port accepts; False if Dovecot exits."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        if _greets(LOOPBACK, ports[0], greeting):
            try:
                socket.create_connection((LOOPBACK, ports[1]), timeout=1).close()
                return True
            except OSError:
                pass
        time.sleep(0.02)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only Dovecot's processes
        process.wait(STOP_TIMEOUT)


def _launch(binary: str, root: Path) -> subprocess.Popen[bytes]:
    with (root / "stderr.log").open("ab") as stderr:
        return subprocess.Popen(
            [binary, "-F", "-c", str(root / "dovecot.conf")],
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            start_new_session=True,
        )


def _start(binary: str, root: Path, settings: dict[str, object]) -> tuple[DovecotServer, subprocess.Popen[bytes]]:
    for _ in range(START_ATTEMPTS):
        port, ssl_port = free_ports(2)
        config_path = root / "dovecot.conf"
        greeting = f"foimail test Dovecot {root.name}"  # not some other server that took the port
        config = CONFIG.format(root=root, port=port, ssl_port=ssl_port, greeting=greeting, **settings)
        config_path.write_text(config)
        process = _launch(binary, root)
        if _wait_ready(process, (port, ssl_port), greeting):
            server = DovecotServer(LOOPBACK, port, ssl_port, root / "dovecot.log", root / "cert.pem")
            return server, process
        _stop(process)
        if "Address already in use" not in _log_tail(root):
            break
    unavailable(f"Dovecot did not start ({binary} -F -c {root}/dovecot.conf):\n{_log_tail(root)}")


@contextlib.contextmanager
def _running(auth: dict[str, str], **extra: str) -> Iterator[DovecotServer]:
    binary = _dovecot_binary()
    root = Path(tempfile.mkdtemp(prefix="foimail-dovecot-"))
    try:
        server, process = _start(binary, root, _prepare(root, auth, **extra))
        try:
            yield server
        finally:
            _stop(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class RestartableDovecot:
    """A Dovecot of one test's own, which the test may restart on the same ports (a mail server update)."""

    server: DovecotServer
    binary: str
    root: Path
    process: subprocess.Popen[bytes]

    def restart(self) -> None:
        _stop(self.process)
        self.process = _launch(self.binary, self.root)
        greeting = f"foimail test Dovecot {self.root.name}"
        if not _wait_ready(self.process, (self.server.port, self.server.ssl_port), greeting):
            raise AssertionError(f"Dovecot did not come back on its ports:\n{_log_tail(self.root)}")


@pytest.fixture
def restartable_dovecot() -> Iterator[RestartableDovecot]:
    binary = _dovecot_binary()
    root = Path(tempfile.mkdtemp(prefix="foimail-dovecot-"))
    try:
        server, process = _start(binary, root, _prepare(root))
        own = RestartableDovecot(server, binary, root, process)
        try:
            yield own
        finally:
            _stop(own.process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    with _running(PASSWORD_AUTH) as server:
        yield server


@pytest.fixture
def mailbox(dovecot: DovecotServer) -> DovecotServer:
    for user in dovecot.users:
        dovecot.reset(user)
    return dovecot


@pytest.fixture(scope="session")
def oauth_dovecot(token_endpoint_session: TokenEndpoint) -> Iterator[DovecotServer]:
    with _running(OAUTH_AUTH, introspection_url=token_endpoint_session.introspection_url) as server:
        server.token_for = token_endpoint_session.access_token
        yield server


@pytest.fixture
def oauth_mailbox(oauth_dovecot: DovecotServer, token_endpoint: TokenEndpoint) -> DovecotServer:
    for user in oauth_dovecot.users:
        oauth_dovecot.reset(user)
    return oauth_dovecot


_LOG_OFFSET = pytest.StashKey[int]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    """Attach the Dovecot log lines written during a failed test to its report."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    server = funcargs.get("dovecot") or funcargs.get("oauth_dovecot")
    if isinstance(server, DovecotServer) and isinstance(report, pytest.TestReport):
        if report.when == "setup" and report.passed:
            item.stash[_LOG_OFFSET] = server.log_size()
        elif report.failed:
            offset = item.stash.get(_LOG_OFFSET, None)
            log = server.log_since(offset) if offset is not None else _log_tail(server.log_path.parent)
            report.sections.append(("Dovecot log", log))
    return report
