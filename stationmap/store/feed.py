"""The change feed: every committed audit entry after a position, exactly once.

A follower (the finder's index in each worker, later ``GET /stations/changes``)
keeps a :class:`FeedPosition` and calls :func:`read_changes` with it; the answer
names what changed and the position to ask from next time.

Why reading ``id > last seen`` skips: PostgreSQL draws a sequence id when a row is
written, not when it commits. A slow writer holding id 7 can commit after a fast
one holding id 8; a reader that saw 8 then asks for ``id > 8`` and never sees 7.

What a position is. Every audit entry records the transaction that wrote it
(``audit_entries.tx``, the top-level transaction even inside a savepoint). A
position is the database snapshot of the follower's last read, kept as two things:
``next`` (the snapshot's xmax: every transaction numbered below it had finished
when the snapshot was taken, unless listed as running, and every transaction
started later is numbered ``next`` or above) and ``running`` (the transactions
still in progress then). An entry was visible to that snapshot exactly when its
transaction committed, ``tx < next`` and ``tx`` is not in ``running``.

One read is ONE statement: it takes the statement's snapshot S' (from
``pg_current_snapshot()``, the snapshot the statement itself reads with) and every
entry visible in S' with ``tx >= next`` or ``tx`` in ``running`` of the old
position S, i.e. every entry visible in S' but not in S. The rows and the new
position must come from the same snapshot: were the position taken a moment later,
an entry committed in between would count as read without having been returned.
This is the rule Skytools PgQ cuts its event batches by.

Why it cannot skip, and never repeats. Take an entry whose transaction commits, and
the follower's positions S0 (where it started), S1, S2, ... (each read after the one
before). Visibility only grows: once a transaction has committed, every later
snapshot sees it. So there is a first Sk that sees the entry, k >= 1 unless S0
already did (then the follower's starting copy has it). Sk-1 did not see it, so its
``tx`` was ``>= next`` or ``running`` there, and read k returns it (it matches
exactly what Sk-1 did not see and Sk does). Every later read j > k asks only for
what Sj-1 did not see, and Sj-1 saw it, so it is not returned again. Rolled-back
entries are never visible, so never returned. Batches come in commit order
(everything in batch k committed before anything in batch k+1 became visible);
entries within a batch come in id order.

Why not "ids below the oldest running transaction, plus a set of ids already
sent": a transaction that holds xmin back (anyone's, the snapshot is
cluster-wide; a forgotten psql session will do) makes that set grow, and every
read re-read everything above xmin, for as long as it runs. Here the long
transaction costs one number in ``running`` and delays nothing: entries of
other transactions are returned as soon as they commit.

SQLite: writers take turns under the database's one write lock and draw ids while
holding it, so id order is commit order. There, ``next`` is the next audit id, the
key compared is ``id`` instead of ``tx`` (``tx`` stays NULL) and nothing is ever
running (see :class:`.backend.feed_key`, :class:`.backend.audit_snapshot`). This
needs audit entries never to be deleted, which nothing does.

Entries written before migration 0003 have no ``tx`` and are never returned on
PostgreSQL: they predate every position a follower can hold.

Waking followers (LISTEN/NOTIFY) belongs above this module: a notification only
says "read now"; what is read, and that nothing is skipped, stays here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Select, or_, select

from ..errors import BadRequest
from .backend import audit_snapshot, feed_key
from .schema import audit_entries

CURSOR_VERSION = "p1"
"""First part of a serialised position; a new form gets a new prefix."""
MAX_RUNNING = 10_000
"""The most running transactions a cursor may list (far above a usual max_connections)."""
BIGINT_MAX = 2**63 - 1
"""The largest transaction id a position can hold (``tx`` is a signed 64-bit integer)."""


@dataclass(frozen=True)
class FeedPosition:
    """How far a follower has read: the database snapshot of its last read."""

    next: int = 0
    """Every writer numbered below this had finished by that read, unless running."""
    running: tuple[int, ...] = ()
    """Writers still in progress at that read (PostgreSQL only), ascending."""

    @classmethod
    def from_snapshot(cls, snapshot: str) -> FeedPosition:
        """The position of a snapshot in PostgreSQL's text form ``xmin:xmax:running,...``."""
        _xmin, xmax, running = snapshot.split(":")
        return cls(int(xmax), tuple(sorted(int(x) for x in running.split(",") if x)))

    def to_cursor(self) -> str:
        """A short URL-safe text form, e.g. ``p1.7421.7400.7415`` (next, then running)."""
        return ".".join([CURSOR_VERSION, str(self.next), *map(str, self.running)])

    @classmethod
    def from_cursor(cls, cursor: str) -> FeedPosition:
        """The position :meth:`to_cursor` wrote; :class:`BadRequest` for anything else."""
        version, *numbers = cursor.split(".")
        if version != CURSOR_VERSION or not 1 <= len(numbers) <= 1 + MAX_RUNNING:
            raise _bad_cursor(cursor)
        if not all(n.isascii() and n.isdigit() and len(n) <= 19 for n in numbers):
            raise _bad_cursor(cursor)
        next_, *running = (int(n) for n in numbers)
        if not _is_snapshot(next_, running):
            raise _bad_cursor(cursor)
        return cls(next_, tuple(running))


BEGINNING = FeedPosition()
"""The position before every change (a follower there is sent everything, PostgreSQL's
entries from before migration 0003 aside)."""


@dataclass(frozen=True)
class ChangeFeed:
    """What was committed after a position, for readers that keep a copy (the finder)."""

    position: FeedPosition
    """Where the next read starts: the snapshot this one read with."""
    station_ids: tuple[str, ...]
    """Stations created, changed or deleted one by one, each once, in audit-entry order."""


def current_position(conn: Connection) -> FeedPosition:
    """The position of a follower that has read everything committed so far.

    Take it *before* reading the stations a follower starts from: anything committed
    meanwhile is then both read and delivered again, never neither.
    """
    return FeedPosition.from_snapshot(conn.execute(select(audit_snapshot())).scalar_one())


def read_changes(conn: Connection, after: FeedPosition) -> ChangeFeed:
    """Everything committed after ``after``, and the position to read from next.

    Run it on a connection that has written nothing in its transaction.
    """
    rows = conn.execute(_changes_query(after)).all()
    entries = [row for row in rows if row.id is not None]
    return ChangeFeed(
        position=FeedPosition.from_snapshot(rows[0].snapshot),
        station_ids=tuple(dict.fromkeys(r.entity_id for r in entries if r.entity == "station")),
    )


def _changes_query(after: FeedPosition) -> Select:
    """The statement's snapshot, joined to every entry it sees that ``after`` did not.

    The snapshot sits in a one-row subquery, so an empty answer still carries it.
    """
    statement = select(audit_snapshot().label("snapshot")).subquery("statement")
    entry = audit_entries.c
    key = feed_key(entry.tx, entry.id)
    unseen = or_(key >= after.next, key.in_(after.running)) if after.running else key >= after.next
    return (
        select(statement.c.snapshot, entry.id, entry.entity, entry.entity_id)
        .select_from(statement.outerjoin(audit_entries, unseen))
        .order_by(entry.id)
    )


def _is_snapshot(next_: int, running: list[int]) -> bool:
    """Whether these numbers could be a snapshot: running ones ascending, all below next."""
    ascending = running == sorted(set(running))
    return next_ <= BIGINT_MAX and ascending and all(r < next_ for r in running)


def _bad_cursor(cursor: str) -> BadRequest:
    shown = cursor if len(cursor) <= 80 else cursor[:80] + "..."
    return BadRequest(
        f"since: got {shown!r}, expected a cursor from an earlier answer, "
        f"such as {FeedPosition(7421, (7400,)).to_cursor()!r}",
        code="bad_cursor",
    )
