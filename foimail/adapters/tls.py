"""TLS for the mail servers we talk to (IMAP and SMTP share one policy)."""

from __future__ import annotations

import ssl


def tls_context(verify: bool) -> ssl.SSLContext:
    """The system's default context; `verify=False` only for a server on a trusted network with its own CA."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
