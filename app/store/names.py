"""How item names are indexed for substring search (FTS5 table ``catalogue_names``).

A name is reduced to its letters and digits (case-folded; punctuation and spaces dropped) and stored in
two columns: ``chars``, every character a token, and ``pairs``, every two neighbouring characters a
token. A one-character query looks up ``chars``; a longer one is a phrase of its pairs, so even two
common characters that rarely stand together cost one small index lookup instead of merging two huge
position lists.
"""

from __future__ import annotations


def _characters(text: str) -> list[str]:
    return [char for char in text.casefold() if char.isalnum()]


def _pairs(chars: list[str]) -> list[str]:
    return [chars[i] + chars[i + 1] for i in range(len(chars) - 1)]


def name_index_row(name: str) -> tuple[str, str]:
    """The ``(chars, pairs)`` columns for ``name``."""
    chars = _characters(name)
    return " ".join(chars), " ".join(_pairs(chars))


def name_match(query: str) -> str | None:
    """The FTS5 MATCH expression for a name substring, or ``None`` if the query has no letters/digits.

    Tokens hold only letters and digits, so they never need quoting beyond the phrase quotes.
    """
    chars = _characters(query)
    if not chars:
        return None
    if len(chars) == 1:
        return f'chars : "{chars[0]}"'
    return f'pairs : "{" ".join(_pairs(chars))}"'
