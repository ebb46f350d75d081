"""A plain keyword-rules tagger: the yardstick the learnt model has to beat.

It reads the title first (Scientist, Engineer, Professor, Intern, Fellowship ...) and falls back
to counting theory versus experiment words and policy versus operations words in the text. It is
deliberately what a careful person would write in an afternoon, no more: if the model cannot
beat it clearly on the check set, the model is not worth having.
"""

import re
from collections.abc import Sequence
from typing import Any

from matcher.taxonomy import MULTI_FIELD

TagSet = dict[str, Any]

KIND_TITLE_RULES: tuple[tuple[str, str], ...] = (
    (r"\bintern(ship)?s?\b|\bplacement\b|student researcher", "internship"),
    (r"\bpost-?doc(toral)?\b", "postdoc"),
    (r"\bph\.?d\b|\bdoctoral\b|\bstudentship\b", "phd"),
    (
        r"\bgrants?\b|\bfund(ing)?\b|\brequest for proposals\b|\brfp\b|\bprize\b|\bcredits\b",
        "grant",
    ),
    (r"\bcourse\b|\bbootcamp\b|\breading group\b|\bcurriculum\b|\bworkshop\b", "course"),
    (r"\bfellowship\b|\bresidency\b|\bscholars?\b|\bfellows? program", "fellowship"),
    (r"\bvolunteer\b|\bhackathon\b|\bconference\b|\bcompetition\b|\bsummit\b", "other"),
)
GOVERNANCE_WORDS = (
    r"\bpolicy\b|\bpolicies\b|\bgovernance\b|\bregulat\w*|\blegislat\w*|\blegal\b|\bcounsel\b"
    r"|\bstandards\b|\bforecast\w*|\bstrategy\b|\bgovernment\b|\blaw\b|\bdiplomac\w*"
)
OPERATIONS_TITLE = (
    r"\boperations\b|\bops\b|\brecruit\w*|\btalent\b|\bpeople\b|\bhr\b|\bfinance\b|\baccount\w*"
    r"|\bcommunications?\b|\bevents?\b|\bprogram(me)? manager\b|\bproject manager\b|\bcoordinator\b"
    r"|\bassistant to\b|\bexecutive assistant\b|\bchief of staff\b|\bgrantmak\w*|\bgrant-mak\w*"
    r"|\bproduct manager\b|\bmarketing\b|\bsales\b|\badministrat\w*|\bcommunity\b|\boffice\b"
    r"|\btrust and safety\b|\btrust & safety\b|\bcontent\b"
)
TECHNICAL_TITLE = (
    r"\bengineer\w*|\bscientist\b|\bresearcher\b|\bresearch\b|\bdeveloper\b|\bprofessor\b"
    r"|\bml\b|\bmachine learning\b|\bsecurity\b|\binterpretab\w*|\balignment\b|\btechnical\b"
)
THEORY_WORDS = (
    r"\bproofs?\b|\bprove\b|\btheorems?\b|\btheor\w*|\bformal\w*|\bmathemati\w*|\bconceptual\b"
    r"|\bdecision theory\b|\blearning theory\b|\bagent foundations\b|\blatex\b|\bpen and paper\b"
    r"|\blogic\b|\bgame theory\b|\bprobability theory\b|\bframeworks?\b"
)
EMPIRICAL_WORDS = (
    r"\bpytorch\b|\bjax\b|\bgpus?\b|\btraining runs?\b|\bevals?\b|\bevaluations?\b|\bbenchmarks?\b"
    r"|\bfine-?tun\w*|\brlhf\b|\bexperiments?\b|\bdatasets?\b|\bpython\b|\binfrastructure\b"
    r"|\bred-?team\w*|\bempirical\w*|\bcode\b|\bsoftware\b|\bkubernetes\b|\bdeploy\w*"
)
LEAD_TITLE = (
    r"\bscientist\b|\blead\b|\bhead\b|\bprincipal\b|\bstaff researcher\b|\bprofessor\b"
    r"|\bfaculty\b|\bpost-?doc\w*|\bdirector\b|\bmanager\b|\bsenior researcher\b|\bfellow\b"
    r"|\bgrants?\b|\bindependent\b|\blecturer\b|\bresearch fellow\b"
)
CONTRIBUTOR_TITLE = (
    r"\bengineer\b|\bassistant\b|\bintern\w*|\bstudent\b|\bph\.?d\b|\bmember of technical staff\b"
    r"|\bdeveloper\b|\bscholars?\b|\bcourse\b|\bbootcamp\b|\bjunior\b|\btechnician\b"
)
LEAD_TEXT = (
    r"\bresearch agenda\b|\bset (the )?(research )?direction\b|\bown research\b|\blead a team\b"
    r"|\bmentor\w*|\bphd required\b|\bfirst[- ]author\b|\bdefine research\b|\bhire and manage\b"
    r"|\bpropose\b|\byour own\b"
)
CONTRIBUTOR_TEXT = (
    r"\bimplement\w*|\bbuild infrastructure\b|\bdesigned by\b"
    r"|\bwork closely with research scientists\b"
    r"|\bsoftware engineering\b|\bno phd\b|\bmentors? (will )?set\b|\bsupervis\w*"
)
AREA_WORDS: dict[str, str] = {
    "interpretability": r"\binterpretab\w*|\bcircuits?\b|\bsparse autoencoders?\b|\bprobing\b",
    "oversight": r"\bscalable oversight\b|\bdebate\b|\breward model\w*|\brlhf\b|\bpost-training\b",
    "evals": r"\bevals?\b|\bevaluations?\b|\bbenchmarks?\b|\bred-?team\w*",
    "control": r"\bai control\b|\bmonitor\w*|\bsabotage\b|\bscheming\b",
    "robustness": r"\brobust\w*|\badversarial\b|\bjailbreak\w*",
    "model-organisms": r"\bmodel organisms?\b",
    "theory": r"\bagent foundations\b|\blearning theory\b|\bformal\w*|\bproofs?\b|\btheor\w*",
    "security": r"\bsecurity\b|\bweights? (security|theft)\b|\bexfiltrat\w*",
    "governance": GOVERNANCE_WORDS,
    "field-building": r"\bfield-?building\b|\bcommunity\b|\beducation\b|\bcareers?\b|\bcourse\b",
}


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


def _kind(title: str, text: str) -> str:
    for pattern, kind in KIND_TITLE_RULES:
        if re.search(pattern, title):
            return kind
    for pattern, kind in KIND_TITLE_RULES:  # short texts: the first sentence often says it
        if re.search(pattern, text[:200]):
            return kind
    return "job"


def _track(title: str, text: str) -> str:
    if re.search(OPERATIONS_TITLE, title):
        return "operations"
    if re.search(GOVERNANCE_WORDS, title):
        return "governance"
    if re.search(TECHNICAL_TITLE, title):
        return "technical"
    return "governance" if _count(GOVERNANCE_WORDS, text) > 3 else "technical"


def _style(title: str, text: str) -> str:
    theory = _count(THEORY_WORDS, text) + 3 * _count(THEORY_WORDS, title)
    empirical = _count(EMPIRICAL_WORDS, text) + 3 * _count(EMPIRICAL_WORDS, title)
    return "theoretical" if theory > empirical else "empirical"


def _level(title: str, text: str) -> str:
    if re.search(CONTRIBUTOR_TITLE, title):
        return "contributor"
    if re.search(LEAD_TITLE, title):
        return "lead"
    return "lead" if _count(LEAD_TEXT, text) > _count(CONTRIBUTOR_TEXT, text) else "contributor"


def keyword_tags(title: str, text: str) -> TagSet:
    """Tag one posting by keyword rules."""
    title, text = title.lower(), text.lower()
    areas = tuple(area for area, pattern in AREA_WORDS.items() if _count(pattern, text) >= 2)
    return {
        "kind": _kind(title, text),
        "track": _track(title, text),
        "style": _style(title, text),
        "level": _level(title, text),
        MULTI_FIELD: areas,
    }


def keyword_predict(items: Sequence[Any]) -> list[TagSet]:
    """Tag postings (objects with ``title`` and ``text``) by keyword rules."""
    return [keyword_tags(item.title or "", item.text or "") for item in items]
