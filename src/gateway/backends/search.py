"""Free-text search: the caller's text read as terms (never as query syntax) and what a hit holds.

Both the ranked ``search`` query and the ``search`` argument of root lists go through these terms and
the one full-text index (``sql/search.py``), so they find the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from gateway.backends.records import Entity

MAX_TERMS = 8
HIGHLIGHT_START, HIGHLIGHT_END = "<mark>", "</mark>"
SEARCHABLE = (Entity.CONTACT, Entity.ACCOUNT, Entity.LEAD)  # what the index holds (migration 0014)

_WORD = re.compile(r"[^\W_]+")  # letters and digits: what both databases' tokenizers keep
_PHONE = re.compile(r"[0-9+\-(). /]*[0-9][0-9+\-(). /]*")  # "+1 (555) 010-2030" is one number


def search_terms(text: str) -> tuple[str, ...]:
    """The words of ``text``, lower-cased, each matched as a prefix; a phone number, however written
    ("+44 20 7946", "(44) 207-946"), becomes one term of its digits.

    Quotes, ``*``, ``:``, ``-``, ``NEAR`` and the like are separators or plain words here, so no input
    can reach the database as query syntax.
    """
    terms: list[str] = []
    number = ""  # the digits of consecutive number-like words
    for word in text.lower().split():
        if _PHONE.fullmatch(word):
            number += re.sub(r"[^0-9]", "", word)
            continue
        if number:
            terms.append(number)
            number = ""
        terms.extend(_WORD.findall(word))
    if number:
        terms.append(number)
    return tuple(dict.fromkeys(terms))[:MAX_TERMS]


def exact_text(text: str) -> str:
    """The text as compared with a full name for the exact-match rank: lower case, single spaces."""
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class SearchHit:
    """One found row: what it is, how well it matched, and a snippet with the matched terms marked."""

    id: UUID
    entity: Entity
    exact: int  # 1 when the text is the row's full name
    rank: float
    highlight: str

    @property
    def key(self) -> tuple[int, float, str]:
        return (self.exact, self.rank, str(self.id))


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    has_next: bool
