"""The full-text index in SQL (migration 0014): PostgreSQL's tsvector and GIN, SQLite's FTS5.

Both match every term as a prefix, rank by the index's own score (full name above other names above
e-mail and phone), and rank a row whose full name is the whole text above all others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from gateway.backends.search import HIGHLIGHT_END, HIGHLIGHT_START, exact_text
from gateway.backends.sql import tables as t

DOCS = t.search_documents
_FTS = sa.table("search_fts")
_FTS_ROWID: Any = sa.literal_column("search_fts.rowid")
_DOC_ROWID: Any = sa.literal_column("search_documents.rowid")
_SIMPLE: Any = sa.literal_column("'simple'::regconfig")
_HEADLINE = f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=20, MinWords=6"


class FullText:
    """The match, rank and highlight expressions of one database for one list of terms."""

    def __init__(self, dialect: str, terms: Sequence[str]) -> None:
        self.postgresql = dialect == "postgresql"
        self.query: Any
        if self.postgresql:
            # Inlined (escaped by SQLAlchemy), not bound: a session's reads run with generic plans
            # (engine.for_tenant), and a generic plan cannot see that the GIN index narrows a given
            # query to a few rows: it read every document instead.
            text = " & ".join(f"'{term}':*" for term in terms)
            self.query = sa.func.to_tsquery(_SIMPLE, sa.bindparam("terms", text, literal_execute=True))
        else:
            self.query = sa.literal(" ".join(f'"{term}"*' for term in terms))

    def source(self) -> Any:
        """The rows to select from: the documents, joined on SQLite to their FTS5 entries."""
        if self.postgresql:
            return DOCS
        return DOCS.join(_FTS, _FTS_ROWID == _DOC_ROWID)

    def matches(self) -> Any:
        if self.postgresql:
            return sa.literal_column("search_documents.document").op("@@")(self.query)
        return sa.literal_column("search_fts").op("MATCH")(self.query)

    def rank(self) -> Any:
        if self.postgresql:
            return sa.func.ts_rank(sa.literal_column("search_documents.document"), self.query)
        return -sa.func.bm25(sa.literal_column("search_fts"), 10.0, 3.0, 1.0, 0.5)

    def highlight(self) -> Any:
        if self.postgresql:
            text = sa.func.concat_ws(" · ", DOCS.c.name, sa.func.nullif(DOCS.c.aliases, ""), DOCS.c.channels)
            return sa.func.ts_headline(_SIMPLE, text, self.query, _HEADLINE)
        return sa.func.snippet(sa.literal_column("search_fts"), -1, HIGHLIGHT_START, HIGHLIGHT_END, "…", 16)


def exact_name(text: str) -> Any:
    return sa.case((sa.func.lower(DOCS.c.name) == exact_text(text), 1), else_=0)


def after_hit(exact: Any, rank: Any, after: tuple[Any, ...]) -> Any:
    """Rows after the cursor's (exact, rank, id) in the order exact desc, rank desc, id asc."""
    was_exact, was_rank, was_id = after
    return sa.or_(
        exact < was_exact,
        sa.and_(exact == was_exact, rank < was_rank),
        sa.and_(exact == was_exact, rank == was_rank, DOCS.c.id > was_id),
    )


def matching_ids(full_text: FullText, tenant: str, kind: str) -> Any:
    """The ids of the tenant's rows of ``kind`` that match: for a list's ``search`` argument."""
    where = (DOCS.c.tenant == tenant, DOCS.c.kind == kind, full_text.matches())
    return sa.select(DOCS.c.id).select_from(full_text.source()).where(*where)


def hits_statement(
    full_text: FullText,
    text: str,
    tenant: str,
    kinds: Sequence[Any],
    after: tuple[Any, ...] | None,
    size: int,
) -> Any:
    """One page of hits of the given kinds (each a condition on the document's kind and id)."""
    exact, score = exact_name(text), full_text.rank()
    conditions = [DOCS.c.tenant == tenant, full_text.matches(), sa.or_(*kinds)]
    if after is not None:
        conditions.append(after_hit(exact, score, after))
    columns = (exact.label("exact"), score.label("score"), full_text.highlight().label("highlight"))
    return (
        sa.select(DOCS.c.id, DOCS.c.kind, *columns)
        .select_from(full_text.source())
        .where(*conditions)
        .order_by(sa.desc("exact"), sa.desc("score"), DOCS.c.id)
        .limit(size + 1)
    )
