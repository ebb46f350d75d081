"""Facts found in a posting's prose, each with the sentence that says so.

``extract(text)`` looks for an application deadline ("applications close 15 March 2026",
"apply by March 15, 2026", "rolling basis"), a salary range ("$257K – $335K",
"£60,000-£75,000 per year", "€70k"), visa sponsorship ("we will sponsor visas", "unable to
sponsor", "citizenship required") and remote hints. It is pure: text in, facts out.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from crawlers.parsing import salary as salary_parsing
from store.records import PostingRecord, Salary

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>20\d{2})"
_DATE_FORMS = (
    re.compile(_DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR, re.I),
    re.compile(_MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR, re.I),
    re.compile(r"(?P<iso>20\d{2}-\d{2}-\d{2})"),
)
_DEADLINE_CUE = re.compile(
    r"(applications?\s+(?:will\s+)?(?:close|closes|closing|due|deadline)|apply\s+(?:by|before)"
    r"|deadline|closing\s+date|submit\s+(?:your\s+)?application\s+by|open\s+until"
    r"|accepting\s+applications\s+until|applications?\s+(?:are\s+)?(?:open|accepted)\s+until"
    r"|no\s+later\s+than|due\s+(?:by|on))",
    re.I,
)
_ROLLING = re.compile(
    r"\b(rolling\s+basis|on\s+a\s+rolling|rolling\s+applications?|reviewed\s+on\s+a\s+rolling)",
    re.I,
)
_SALARY_CUE = re.compile(
    r"(salary|compensation|pay\b|paid|stipend|range|per\s+(?:year|annum|month|hour)|base|"
    r"\bOTE\b|wage|[$£€]\s?\d)",
    re.I,
)
_VISA_NO = re.compile(
    r"((?:not|unable\s+to|cannot|can't|won't|will\s+not|do\s+not|does\s+not|don't|doesn't|"
    r"are\s+not\s+able\s+to)\s+(?:currently\s+)?(?:be\s+able\s+to\s+)?(?:offer\s+|provide\s+)?"
    r"(?:visa\s+)?sponsor|no\s+visa\s+sponsorship|sponsorship\s+is\s+not\s+available"
    r"|without\s+(?:the\s+need\s+for\s+)?(?:visa\s+)?sponsorship"
    r"|(?:u\.?s\.?|us|uk|british)\s+citizenship\s+(?:is\s+)?required"
    r"|must\s+be\s+a\s+(?:u\.?s\.?|uk|british)\s+citizen|citizenship\s+(?:is\s+)?required"
    r"|right\s+to\s+work\s+in\s+the\s+\w+\s+(?:is\s+)?required|security\s+clearance\s+(?:is\s+)?required)",
    re.I,
)
_VISA_YES = re.compile(
    r"((?:we|will|can|able\s+to|happy\s+to|do)\s+(?:\w+\s+)?sponsor\s+(?:\w+\s+)?visas?"
    r"|visa\s+sponsorship\s+(?:is\s+)?(?:available|provided|offered)"
    r"|(?:offer|provide)s?\s+visa\s+sponsorship|sponsor\s+(?:work\s+)?visas?)",
    re.I,
)
_REMOTE_YES = re.compile(
    r"(fully\s+remote|100%\s+remote|remote[- ]first|work\s+remotely|remote\s+(?:role|position|"
    r"work|friendly|ok|okay)|from\s+anywhere|open\s+to\s+remote|can\s+be\s+remote)",
    re.I,
)
_REMOTE_HYBRID = re.compile(
    r"(hybrid|(?:\d|two|three|four)\s+days?\s+(?:a|per)\s+week\s+in\s+(?:the\s+)?office)", re.I
)
_REMOTE_NO = re.compile(
    r"(not\s+(?:a\s+)?remote|no\s+remote|must\s+be\s+(?:based\s+)?in[- ]person|fully\s+on[- ]?site|in[- ]person\s+(?:role|position)|on[- ]?site\s+(?:role|position))",
    re.I,
)
_VISA_WORDS = ("sponsor", "citizen", "right to work", "clearance")
_REMOTE_WORDS = ("remote", "hybrid", "site", "office", "person", "anywhere", "week")
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")


@dataclass
class ProseFacts:
    """What the prose says, each fact with its evidence sentence."""

    deadline: date | None = None
    rolling: bool = False
    salary: Salary | None = None
    visa: str = "unknown"
    remote: str = "unknown"
    evidence: dict[str, str] = field(default_factory=dict)


def sentences(text: str) -> list[str]:
    """Split plain text into sentences and lines, trimmed and non-empty."""
    return [s.strip(" -\t") for s in _SENTENCES.split(text) if s and s.strip(" -\t")]


def find_date(sentence: str) -> date | None:
    """The first full date ('15 March 2026', 'March 15, 2026', '2026-03-15') in a sentence."""
    best: tuple[int, date] | None = None
    for form in _DATE_FORMS:
        for match in form.finditer(sentence):
            found = _to_date(match)
            if found and (best is None or match.start() < best[0]):
                best = (match.start(), found)
    return best[1] if best else None


def _to_date(match: re.Match[str]) -> date | None:
    try:
        if match.groupdict().get("iso"):
            return date.fromisoformat(match["iso"])
        return date(int(match["year"]), _MONTHS[match["month"].lower()], int(match["day"]))
    except ValueError:
        return None


def _clip(sentence: str) -> str:
    return sentence if len(sentence) <= 300 else sentence[:297] + "..."


def extract(text: str) -> ProseFacts:
    """Deadline, salary, visa and remote facts from plain text, keeping each evidence sentence."""
    facts = ProseFacts()
    for sentence in sentences(text or ""):
        lower = sentence.lower()
        # Cheap word checks first: most sentences mention none of these things.
        has_digit = any(c.isdigit() for c in sentence)
        if has_digit or "rolling" in lower:
            _deadline(facts, sentence)
        if has_digit:
            _salary(facts, sentence)
        if any(word in lower for word in _VISA_WORDS):
            _visa(facts, sentence)
        if any(word in lower for word in _REMOTE_WORDS):
            _remote(facts, sentence)
    return facts


def _deadline(facts: ProseFacts, sentence: str) -> None:
    if facts.deadline is not None:
        return
    if _DEADLINE_CUE.search(sentence):
        found = find_date(sentence)
        if found:
            facts.deadline = found
            facts.evidence["deadline"] = _clip(sentence)
            return
    if not facts.rolling and _ROLLING.search(sentence):
        facts.rolling = True
        facts.evidence.setdefault("deadline", _clip(sentence))


def _salary(facts: ProseFacts, sentence: str) -> None:
    if facts.salary is not None or not _SALARY_CUE.search(sentence):
        return
    found = salary_parsing.from_text(sentence)
    if found and found.currency:
        facts.salary = found
        facts.evidence["salary"] = _clip(sentence)


def _visa(facts: ProseFacts, sentence: str) -> None:
    if facts.visa == "no":
        return
    if _VISA_NO.search(sentence):
        facts.visa = "no"
        facts.evidence["visa"] = _clip(sentence)
    elif facts.visa == "unknown" and _VISA_YES.search(sentence):
        facts.visa = "yes"
        facts.evidence["visa"] = _clip(sentence)


def _remote(facts: ProseFacts, sentence: str) -> None:
    if facts.remote != "unknown":
        return
    for pattern, value in (
        (_REMOTE_NO, "onsite"),
        (_REMOTE_YES, "remote"),
        (_REMOTE_HYBRID, "hybrid"),
    ):
        if pattern.search(sentence):
            facts.remote = value
            facts.evidence["remote"] = _clip(sentence)
            return


def enrich(record: PostingRecord) -> PostingRecord:
    """A record with gaps (deadline, salary, visa, remote) filled from its text, with evidence.

    Structured values already on the record win; only the missing ones are taken from prose.
    """
    facts = extract(f"{record.title}\n{record.description_text}")
    updates: dict[str, object] = {}
    evidence = dict(record.evidence)
    if record.deadline is None and facts.deadline:
        updates["deadline"] = facts.deadline
    if record.salary is None and facts.salary:
        updates["salary"] = facts.salary
    if record.visa_sponsorship == "unknown" and facts.visa != "unknown":
        updates["visa_sponsorship"] = facts.visa
    if record.remote == "unknown" and facts.remote != "unknown":
        updates["remote"] = facts.remote
    for key, field_name in (
        ("deadline", "deadline"),
        ("salary", "salary"),
        ("visa", "visa_sponsorship"),
        ("remote", "remote"),
    ):
        if key in facts.evidence and (
            field_name in updates or (key == "deadline" and facts.rolling)
        ):
            evidence.setdefault(key, facts.evidence[key])
    if not updates and evidence == record.evidence:
        return record
    return record.model_copy(update={**updates, "evidence": evidence})
