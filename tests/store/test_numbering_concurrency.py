"""Two daemons on one database never hand out the same registration number, and leave no gap."""

from __future__ import annotations

import threading

from sqlalchemy import select

from foimail.store.db import unit_of_work
from foimail.store.models import Case
from foimail.usecases.intake import process_one
from tests.support.mails import request_mail


def test_two_daemons_register_concurrently(make_app) -> None:  # type: ignore[no-untyped-def]
    # Two contexts = two engines and connection pools, as two processes would have.
    daemons = [make_app(), make_app()]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def register(ctx, offset: int) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            for i in range(25):
                process_one(ctx, request_mail(sender=f"c{offset + i}@example.org", body=f"{offset + i}"), source="t")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(ctx, n * 100)) for n, ctx in enumerate(daemons)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with unit_of_work(daemons[0].sessions) as session:
        seqs = sorted(session.execute(select(Case.seq)).scalars())
    assert seqs == list(range(1, 51))  # unique and gap-free
