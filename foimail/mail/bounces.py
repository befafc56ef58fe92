"""Failed recipients named by a bounce of any shape, read by GNU Mailman's detectors (flufl.bounce).

flufl.bounce knows the plain-text bounces of qmail, Exim, Postfix, Sendmail, Exchange, GroupWise, Yahoo,
AOL and a long tail of others that no header marks, and has been kept for twenty years by the people who
run Mailman's bounce processing: better than a hand-written copy of those formats.
"""

from __future__ import annotations

import email
import logging
from email import policy

from flufl.bounce import all_failures

from foimail.core.evidence import is_usable_address

__all__ = ["MAX_SCANNED_BYTES", "failed_recipients"]

# What a bounce says comes first; the message it returns may be large. Only the head is read, which bounds
# the scan (about 0.1 s here for 64 KiB of text; a whole 1 MiB message took 1.3 s).
MAX_SCANNED_BYTES = 1 << 16
# The detectors log every step at INFO and each failing detector with a traceback: our log is not theirs.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)


def failed_recipients(raw: bytes) -> tuple[str, ...]:
    """The addresses a bounce reports as failed (permanent or temporary), read from its first 64 KiB, sorted;
    () for other mail.

    Never raises: a detector that trips over a malformed message means "no bounce found".
    """
    # Decoded text with str headers: the detectors call str methods on header values, which compat32
    # hands out as Header objects for raw 8-bit bytes.
    head = raw[:MAX_SCANNED_BYTES].decode("utf-8", "replace")
    msg = email.message_from_string(head, policy=policy.compat32)
    if not msg.get_all("from"):  # two detectors index the From addresses
        return ()
    try:
        temporary, permanent = all_failures(msg)
    except Exception:  # one detector's bug (IndexError, AttributeError ...) must not stop intake
        return ()
    found = {address.decode("ascii", "replace").strip().lower() for address in temporary | permanent}
    return tuple(sorted(address for address in found if is_usable_address(address)))  # heuristics misread JSON
