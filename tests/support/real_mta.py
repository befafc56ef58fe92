"""A real mail system on loopback, as a city's IT admin runs one: Postfix in front, Dovecot behind it.

Not a plugin: ``running_real_mta(root)`` starts both and yields a ``RealMta``; tests/e2e/test_real_mta.py
holds the fixture. Nothing here is the system's own instance: Postfix runs with ``postfix -c`` on a config
directory, queue and data directory of its own, Dovecot with its own base_dir (tests/support/dovecot.py).

    Postfix  :mx_port          the MX (port 25's role): anyone may send to batumi.ge and example.ge
             :submission_port  STARTTLS required, then AUTH (Dovecot SASL), then mail to anywhere; its
                               Received header names the login (smtpd_sasl_authenticated_header = yes)
             both hand every domain it hosts to Dovecot over LMTP, but for foi@batumi.ge, which goes
             through a pipe to dovecot-lda (Dovecot 2.3's LMTP lacks SMTPUTF8: docs/RELIABILITY.md);
             slow.example.ge goes to a closed port (deferred, with a delay warning after 1 s);
             any other domain gets Postfix's own bounce at once (the error transport: nothing leaves the
             machine, no DNS is asked)
    Dovecot  IMAP (STARTTLS) for the mailboxes, LMTP with Pigeonhole Sieve (vacation), SASL for Postfix;
             its vacation replies go out through the MX port, as Pigeonhole's ``submission_host``.

Postfix retries deferred mail every second here (queue_run_delay, backoff), not every five minutes.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import smtplib
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support import LOOPBACK, free_ports, unavailable
from tests.support.dovecot import DovecotServer, _dovecot_binary, _prepare, _start, _stop

OFFICE = "foi@batumi.ge"
REGISTRY = "registry@batumi.ge"  # office.notify: where foimail tells the office what it set aside
OFFICER = "officer@batumi.ge"
CITIZEN = "giorgi@example.ge"
SPOOFED = "tamar@example.ge"  # a citizen whose case an outsider tries to close with a forged officer's answer
ON_LEAVE = "nino@example.ge"  # has a Sieve vacation reply
USERS = {
    address: "secret-" + address.partition("@")[0]
    for address in (OFFICE, REGISTRY, OFFICER, CITIZEN, SPOOFED, ON_LEAVE)
}
VACATION = 'require ["vacation"];\nvacation :days 1 :subject "შვებულებაში ვარ" "ვბრუნდები ორშაბათს. Back on Monday.";\n'
UNREACHABLE = "slow.example.ge"  # its mail server does not answer: Postfix defers, warns, keeps trying
DOMAINS = ("batumi.ge", "example.ge", UNREACHABLE)
START_TIMEOUT = 20.0

DOVECOT_EXTRA = """\
submission_host = {host}:{mx_port}
service lmtp {{
  inet_listener lmtp {{
    address = {host}
    port = {lmtp_port}
  }}
}}
service auth {{
  unix_listener {root}/auth-postfix {{
    mode = 0666
  }}
}}
postmaster_address = postmaster@batumi.ge
protocol lmtp {{
  mail_plugins = $mail_plugins sieve
}}
plugin {{
  sieve = file:~/sieve;active=~/.dovecot.sieve
}}
"""

MAIN_CF = """\
# Written by tests/support/real_mta.py: a private Postfix on loopback.
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}
myhostname = mail.batumi.ge
mydomain = batumi.ge
myorigin = batumi.ge
mydestination =
inet_interfaces = {host}
inet_protocols = ipv4
mynetworks = {host}/32
smtp_dns_support_level = disabled
relay_domains = {domains}
relay_transport = lmtp:inet:{host}:{lmtp_port}
transport_maps = inline:{{ {office}=dovecot-lda, {unreachable}=lmtp:inet:{host}:{closed_port} }}
delay_warning_time = 1s
default_transport = error:5.1.2 Host or domain name not found (test: no mail leaves loopback)
smtpd_relay_restrictions = reject_unauth_destination
smtpd_tls_cert_file = {cert_path}
smtpd_tls_key_file = {key_path}
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = {auth_socket}
message_size_limit = {size_limit}
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
"""

# The services of Debian's master.cf, unchained (no chroot: the queue is a temp dir), plus the two listeners.
MASTER_CF = """\
{host}:{mx_port} inet n - n - - smtpd
{host}:{submission_port} inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_authenticated_header=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=
  -o smtpd_sender_login_maps=inline:{{{sender_logins}}}
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
dovecot-lda unix - n n - - pipe
  flags=DRhu user=dovecot:dovecot argv={lda} -c {dovecot_config} -o log_path=/dev/stderr
  -f ${{sender}} -d ${{recipient}}
"""


@dataclass
class RealMta:
    """Addresses and ports of the running pair, and what a test reads from them."""

    root: Path
    mx_port: int
    submission_port: int
    size_limit: int
    dovecot: DovecotServer

    @property
    def cert_path(self) -> Path:
        return self.dovecot.cert_path

    def tls_context(self) -> ssl.SSLContext:
        """Verifying, trusting only this test's certificate: what SSL_CERT_FILE gives the daemon."""
        return ssl.create_default_context(cafile=str(self.cert_path))

    def submit(self, user: str, raw: bytes, to: list[str], *, mail_from: str | None = None) -> None:
        """As a mail client sends: submission port, STARTTLS, AUTH, then the message as it is."""
        with smtplib.SMTP(LOOPBACK, self.submission_port, timeout=10) as smtp:
            smtp.starttls(context=self.tls_context())
            smtp.login(user, USERS[user])
            smtp.sendmail(mail_from or user, to, raw)

    def deliver_from_outside(
        self, mail_from: str, raw: bytes, to: list[str], options: tuple[str, ...] = (), *, helo: str | None = None
    ) -> None:
        """As another mail server delivers to our MX: no AUTH; STARTTLS since Postfix offers it."""
        with smtplib.SMTP(LOOPBACK, self.mx_port, timeout=10, local_hostname=helo) as smtp:
            smtp.starttls(context=self.tls_context())
            smtp.sendmail(mail_from, to, raw, mail_options=list(options))

    def postfix_log(self) -> str:
        path = self.root / "postfix" / "postfix.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def queue_is_empty(self) -> bool:
        queue = self.root / "postfix" / "queue"
        names = ("maildrop", "incoming", "active", "deferred", "hold")
        return not any(path.is_file() for name in names for path in (queue / name).rglob("*"))

    def drop_deferred(self) -> None:
        """Delete what Postfix is still retrying (mail for UNREACHABLE), so the queue can run empty."""
        postsuper = _binary("postsuper", "postfix")
        subprocess.run([postsuper, "-c", str(self.root / "postfix" / "conf"), "-d", "ALL", "deferred"], check=True)

    def inbox(self, user: str) -> list[bytes]:
        return self.dovecot.fetch_all(user, "INBOX")


def _binary(name: str, package: str) -> str:
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/lib/dovecot"]))
    if found is None:
        unavailable(f"{name} not installed: apt-get install -y {package}")
    return found


def check_installed() -> None:
    """Skip (fail in CI) naming the package when Postfix, Dovecot's LMTP or Pigeonhole is missing."""
    _binary("postfix", "postfix")
    _dovecot_binary()
    _binary("lmtp", "dovecot-lmtpd")
    _binary("dovecot-lda", "dovecot-core")
    if not Path("/usr/lib/dovecot/modules/lib90_sieve_plugin.so").exists():
        unavailable("Pigeonhole Sieve not installed: apt-get install -y dovecot-sieve")


def _start_dovecot(root: Path, mx_port: int, lmtp_port: int) -> tuple[DovecotServer, subprocess.Popen[bytes]]:
    binary = _dovecot_binary()
    extra = DOVECOT_EXTRA.format(host=LOOPBACK, mx_port=mx_port, lmtp_port=lmtp_port, root=root)
    settings = _prepare(root, users=USERS, protocols="imap lmtp", extra_config=extra)
    mail_owner = pwd.getpwnam("dovecot")
    home = root / "mail" / ON_LEAVE
    home.mkdir()
    (home / ".dovecot.sieve").write_text(VACATION, encoding="utf-8")
    for path in (home, home / ".dovecot.sieve"):
        os.chown(path, mail_owner.pw_uid, mail_owner.pw_gid)
    server, process = _start(binary, root, settings)
    server.users = dict(USERS)
    return server, process


def _postfix(config_dir: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_binary("postfix", "postfix"), "-c", str(config_dir), command],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _banner(port: int) -> bool:
    with contextlib.suppress(OSError), smtplib.SMTP(LOOPBACK, port, timeout=2) as smtp:
        return smtp.noop()[0] == 250
    return False


def _start_postfix(root: Path, ports: dict[str, int], tls_paths: tuple[Path, Path], auth_socket: Path) -> None:
    (root / "conf").mkdir(parents=True)
    (root / "queue").mkdir()
    (root / "data").mkdir()
    shutil.chown(root / "data", "postfix")
    fill = {
        "root": root,
        "host": LOOPBACK,
        "domains": " ".join(DOMAINS),
        "cert_path": tls_paths[0],
        "key_path": tls_paths[1],
        "auth_socket": auth_socket,
        "sender_logins": ", ".join(f"{user}={user}" for user in USERS),
        "office": OFFICE,
        "unreachable": UNREACHABLE,
        "lda": _binary("dovecot-lda", "dovecot-core"),
        "dovecot_config": auth_socket.parent / "dovecot.conf",
        **ports,
    }
    (root / "conf" / "main.cf").write_text(MAIN_CF.format(**fill))
    (root / "conf" / "master.cf").write_text(MASTER_CF.format(**fill))
    started = _postfix(root / "conf", "start")
    if started.returncode != 0:
        unavailable(f"Postfix did not start (postfix -c {root}/conf start): {started.stdout}{started.stderr}")
    deadline = time.monotonic() + START_TIMEOUT
    while not (_banner(ports["mx_port"]) and _banner(ports["submission_port"])):
        if time.monotonic() > deadline:
            log = (root / "postfix.log").read_text(errors="replace") if (root / "postfix.log").exists() else ""
            unavailable(f"Postfix did not answer on its ports within {START_TIMEOUT} s:\n{log[-3000:]}")
        time.sleep(0.05)


@contextlib.contextmanager
def running_real_mta(root: Path, *, size_limit: int = 2_000_000) -> Iterator[RealMta]:
    """Dovecot, then Postfix, on free loopback ports under ``root``; both stopped on the way out."""
    check_installed()
    mx_port, submission_port, lmtp_port, closed_port = free_ports(4)
    root.chmod(0o755)  # Postfix's daemons run as the postfix user and must reach their files
    dovecot_root = root / "dovecot"
    dovecot_root.mkdir(parents=True)
    server, dovecot = _start_dovecot(dovecot_root, mx_port, lmtp_port)
    postfix_root = root / "postfix"
    try:
        ports = {
            "mx_port": mx_port,
            "submission_port": submission_port,
            "lmtp_port": lmtp_port,
            "closed_port": closed_port,
        }
        tls_paths = (dovecot_root / "cert.pem", dovecot_root / "key.pem")
        _start_postfix(postfix_root, {**ports, "size_limit": size_limit}, tls_paths, dovecot_root / "auth-postfix")
        try:
            yield RealMta(root, mx_port, submission_port, size_limit, server)
        finally:
            _postfix(postfix_root / "conf", "stop")
    finally:
        _stop(dovecot)
