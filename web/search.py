"""Full-text search: turn what someone typed into a query the database cannot choke on.

Whatever arrives in ``q`` is parsed by ``parse_search`` into plain data (words, quoted phrases,
``OR`` between terms, ``-word`` to exclude, ``word*`` for a prefix); every other character is
dropped, so quotes, FTS operators and column filters typed by a person never reach the engine as
syntax. ``search_hits`` renders that data for SQLite FTS5 (``posting_fts``, see migration 0002)
or PostgreSQL (``websearch_to_tsquery`` over ``posting_search``) and returns a subquery of
matching posting ids with a rank (lower is better).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, Integer, Select, Subquery, select, text

MAX_CHARS = 300
MAX_TERMS = 12
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word or a phrase, maybe a prefix, maybe excluded."""

    words: tuple[str, ...]
    prefix: bool = False
    exclude: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Parsed search input: AND of groups, each group an OR of terms; ``message`` for people."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    message: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def searchable(self) -> bool:
        """True when there is at least one word to look for."""
        return bool(self.groups)


def _term(raw: str, *, phrase: bool, exclude: bool) -> Term | None:
    prefix = not phrase and raw.endswith("*")
    words = tuple(w.lower() for w in _WORD.findall(raw))
    if not words:
        return None
    if not phrase and len(words) > 1:
        # "state-of-the-art" or "C++/CUDA": keep the pieces together as a phrase.
        prefix = False
    return Term(words=words[:8], prefix=prefix and len(words) == 1, exclude=exclude)


def _tokens(raw: str) -> list[tuple[str, bool, bool]]:
    """(text, is_phrase, excluded) for each token of the input."""
    out = []
    for match in _TOKEN.finditer(raw):
        if match.group(2) is not None:
            out.append((match.group(2), True, match.group(1) == "-"))
        else:
            token = match.group(3)
            exclude = token.startswith("-") and len(token) > 1
            out.append((token.lstrip("-") if exclude else token, False, exclude))
    return out


def parse_search(raw: str | None) -> SearchQuery:
    """Parse free text into a SearchQuery; never raises, whatever ``raw`` holds."""
    text_in = (raw or "").strip()
    if not text_in:
        return SearchQuery()
    notes = []
    if len(text_in) > MAX_CHARS:
        text_in = text_in[:MAX_CHARS]
        notes.append(f"Search shortened to its first {MAX_CHARS} characters.")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for token, phrase, exclude in _tokens(text_in):
        if not phrase and token == "OR":
            join_next = bool(groups)
            continue
        if not phrase and token in {"AND", "NOT", "NEAR"}:
            continue  # FTS keywords typed as words: the default already means AND
        term = _term(token, phrase=phrase, exclude=exclude)
        if term is None:
            continue
        if exclude:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if sum(len(g) for g in groups) + len(excluded) > MAX_TERMS:
        notes.append(f"Only the first {MAX_TERMS} search terms are used.")
        groups, excluded = _trim(groups, excluded)
    message = None
    if not groups:
        message = (
            "Nothing to search for: a search needs at least one word or number to look for "
            "(excluded words alone are not enough), so it was left out."
        )
    return SearchQuery(
        groups=tuple(tuple(_expanded(g)) for g in groups),
        excluded=tuple(_expanded(excluded)) if groups else (),
        message=message,
        notes=tuple(notes),
    )


# Shorthand people in this field type, and what postings write out. The stemmer alone does not
# join them ("evals" and "evaluations" stem differently), so each also searches its long forms.
SHORTHAND: dict[str, tuple[Term, ...]] = {
    # Prefixes serve SQLite; the whole words serve PostgreSQL, whose search has no prefixes.
    "evals": (Term(("eval",), prefix=True), Term(("evaluation",))),
    "eval": (Term(("eval",), prefix=True), Term(("evaluation",))),
    "interp": (Term(("interpretab",), prefix=True), Term(("interpretability",))),
    "rl": (Term(("reinforcement", "learning")),),
    "rlhf": (Term(("reinforcement", "learning", "from", "human", "feedback")),),
    "ml": (Term(("machine", "learning")),),
    "llm": (Term(("language", "model")), Term(("language", "models"))),
    "llms": (Term(("language", "models")), Term(("language", "model"))),
    "infosec": (Term(("information", "security")),),
    "phd": (Term(("doctoral",)), Term(("doctorate",))),
}


def _expanded(terms: list[Term]) -> list[Term]:
    """``terms`` plus the long forms of any shorthand among them (as alternatives)."""
    out = list(terms)
    for term in terms:
        if len(term.words) == 1 and not term.prefix:
            for extra in SHORTHAND.get(term.words[0], ()):
                alternative = Term(words=extra.words, prefix=extra.prefix, exclude=term.exclude)
                if alternative not in out:
                    out.append(alternative)
    return out


def _trim(groups: list[list[Term]], excluded: list[Term]) -> tuple[list[list[Term]], list[Term]]:
    budget = MAX_TERMS
    kept: list[list[Term]] = []
    for group in groups:
        if budget <= 0:
            break
        kept.append(group[:budget])
        budget -= len(kept[-1])
    return kept, excluded[: max(budget, 0)]


def _fts5_term(term: Term) -> str:
    body = '"' + " ".join(term.words) + '"'
    return body + "*" if term.prefix else body


def fts5_expression(query: SearchQuery) -> str:
    """The FTS5 MATCH expression for a searchable query (every word double-quoted)."""
    parts = []
    for group in query.groups:
        alternatives = " OR ".join(_fts5_term(t) for t in group)
        parts.append(f"({alternatives})" if len(group) > 1 else alternatives)
    expression = " AND ".join(parts)
    if query.excluded:
        expression = f"({expression}) NOT ({' OR '.join(_fts5_term(t) for t in query.excluded)})"
    return expression


def _web_term(term: Term) -> str:
    # websearch_to_tsquery has no prefix syntax; a prefix term searches for the word itself.
    body = " ".join(term.words)
    quoted = f'"{body}"' if len(term.words) > 1 else body
    return ("-" + quoted) if term.exclude else quoted


def websearch_text(query: SearchQuery) -> str:
    """The input for PostgreSQL's websearch_to_tsquery, rebuilt from the parsed terms."""
    parts = [" or ".join(_web_term(t) for t in group) for group in query.groups]
    parts.extend(_web_term(t) for t in query.excluded)
    return " ".join(parts)


def search_hits(dialect: str, query: SearchQuery) -> Subquery:
    """A subquery ``hits(posting_id, rank)`` of postings matching ``query`` (lower rank first)."""
    if dialect == "postgresql":
        statement = text(
            "SELECT posting_id, -ts_rank(document, websearch_to_tsquery('english', :q)) AS rank "
            "FROM posting_search WHERE document @@ websearch_to_tsquery('english', :q)"
        ).bindparams(q=websearch_text(query))
    else:
        statement = text(
            "SELECT rowid AS posting_id, bm25(posting_fts, 10.0, 4.0, 2.0, 1.0) AS rank "
            "FROM posting_fts WHERE posting_fts MATCH :q"
        ).bindparams(q=fts5_expression(query))
    return statement.columns(posting_id=Integer, rank=Float).subquery("hits")


def search_ids(dialect: str, query: SearchQuery) -> Select[Any]:
    """The ids of postings matching ``query`` (no ranking: for filters and counts)."""
    if dialect == "postgresql":
        statement = text(
            "SELECT posting_id FROM posting_search "
            "WHERE document @@ websearch_to_tsquery('english', :q)"
        ).bindparams(q=websearch_text(query))
    else:
        statement = text("SELECT rowid AS posting_id FROM posting_fts WHERE posting_fts MATCH :q")
        statement = statement.bindparams(q=fts5_expression(query))
    hits = statement.columns(posting_id=Integer).subquery("hit_ids")
    return select(hits.c.posting_id)
