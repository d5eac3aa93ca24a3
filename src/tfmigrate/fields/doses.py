"""Administrations on a procedure line: ``21.6 mCi Tc-99m MDP i.v.`` -> activity, radionuclide, agent, route.

A line is read as one stream of tokens (phase markers, radionuclides, quantities, routes, connectors, words)
cut by a single regex whose every branch is bounded, so any text is read in linear time. The tokens are then
grouped into administrations in printed order. What cannot be read with confidence becomes a problem message,
never an exception: a bad line must not stop a run.

Units by their definitions (1 Ci = 3.7e10 Bq exactly): 1 mCi = 37 MBq, 1 uCi = 0.037 MBq, 1 GBq =
1000 MBq; the printed value and unit are kept beside the MBq value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tfmigrate.fields.procedures import AGENT_RE

# Two-letter symbols before one-letter ones, so ``In-111`` is not read as iodine. The first letter must be a
# capital: ``in 24 hours`` is not indium.
_SYMBOLS = r"T[cC]|I[nN]|T[lL]|G[aA]|X[eE]|K[rR]|R[bB]|S[mM]|S[rR]|L[uU]|C[rR]|C[uU]|Z[rR]|R[aA]|I|F|Y|N|C|O"
_NAMES = (
    r"technetium|indium|iodine|thallium|gallium|fluorine|xenon|krypton|rubidium|samarium|strontium"
    r"|yttrium|lutetium|chromium|copper|zirconium|radium|carbon|nitrogen|oxygen"
)
_NUCLIDE = (
    r"(?<![\w.])(?:"
    # Tc-99m, Tc99m (gi005), Tc 99m, I-123
    rf"(?P<sym>{_SYMBOLS})(?P<sym_sep>\s?-?\s?)(?P<sym_mass>[0-9]{{1,3}})(?P<sym_meta>[mM])?"
    # Gallium-67, or a bare element name (no mass number printed)
    rf"|(?P<name>(?ai:{_NAMES}))(?:\s?-?\s?(?P<name_mass>[0-9]{{1,3}})(?P<name_meta>[mM])?)?"
    # 99mTc, 111In, 131I-MIBG
    rf"|(?P<pre_mass>[0-9]{{1,3}})(?P<pre_meta>[mM])?-?(?P<pre_sym>{_SYMBOLS})"
    r")(?!\w)"
)
_QUANTITY = (
    r"(?<![\w.])"
    # .459 mCi (the leading zero is often missing), 1,100 MBq, 40mg (no space, rs029)
    r"(?P<value>[0-9]{1,3}(?:,[0-9]{3}){1,3}(?:\.[0-9]{1,6})?|[0-9]{1,7}(?:\.[0-9]{1,6})?|\.[0-9]{1,6})"
    r"\s{0,3}(?:"
    r"(?P<activity_unit>mCi|MCi|mci|MCI|[u\u00b5\u03bc]Ci|[u\u00b5\u03bc]ci|UCI|MBq|MBQ|mbq|GBq|GBQ|gbq|kBq|KBQ|kbq)"
    r"|(?P<dose_unit>mcg|MCG|mg|MG|[u\u00b5\u03bc]g|g))"
    # 0.56 mg/kg dipyridamole; adenosine is dosed per kg per minute
    r"(?P<per>/kg(?:/min)?|/min)?(?![\w/])"
)
_ROUTE = (
    r"(?<![\w.])(?ai:(?:(?:by|via)\s{1,3})?(?:"
    r"(?P<intravenous>i\.\s?v\.?|iv|intravenous(?:ly)?(?:\s{1,3}injection)?)"
    r"|(?P<oral>p\.\s?o\.?|po|orally|oral|by\s{1,3}mouth|per\s{1,3}os)"
    # cl001: "by lumbar subarachnoid injection" is an intrathecal route
    r"|(?P<intrathecal>intrathecal(?:ly)?(?:\s{1,3}injection)?|(?:lumbar\s{1,3})?subarachnoid\s{1,3}injection"
    r"|lumbar\s{1,3}puncture)"
    r"|(?P<inhalation>inhal(?:ed|ation)|aerosol(?:ized)?)"
    r"|(?P<subcutaneous>subcutaneous(?:ly)?(?:\s{1,3}injection)?|s\.\s?[cq]\.|sub-?q|sq)"
    r"|(?P<intradermal>intradermal(?:ly)?(?:\s{1,3}injection)?)"
    r"|(?P<intra_arterial>intra-?arterial(?:ly)?(?:\s{1,3}injection)?)"
    r"|(?P<intraperitoneal>intraperitoneal(?:ly)?(?:\s{1,3}injection)?)"
    r"))(?!\w)"
)
# rs029: "initial study - 16.2 mCi ..."; a phase is a marker followed by a dash or colon, or directly by an
# activity ("Rest 10 mCi"), never a word that merely occurs ("rest-redistribution").
_PHASE = (
    r"(?<![\w-])(?P<phase_name>(?ai:(?:initial|repeat|baseline|first|second|delayed|follow-?up|pre-?therapy"
    r"|post-?therapy)\s{1,3}study|rest|stress|exercise|baseline|pharmacologic\s{1,3}stress))"
    r"(?:\s{0,3}[-\u2013\u2014:](?=\s|[0-9]|\.[0-9]|$)|(?=\s{1,3}\.?[0-9]))"
)
_AT_PHASE = r"(?<!\w)(?ai:at\s{1,3}(?P<at_phase>rest|stress|peak\s{1,3}stress|peak\s{1,3}exercise))(?!\w)"
_CONNECTOR = r"[;,&+]|(?<!\w)(?ai:and|followed\s{1,3}by|then|with|plus)(?!\w)"
# "(FDG)" stays with its agent; a bracket holding digits ("(10 mCi)") is read token by token.
_WORD = r"\([A-Za-z][A-Za-z\s.-]{0,40}\)|\w[\w'/+-]*"

TOKEN_RE = re.compile(
    rf"(?P<phase>{_PHASE})|(?P<at>{_AT_PHASE})|(?P<nuclide>{_NUCLIDE})|(?P<quantity>{_QUANTITY})"
    rf"|(?P<route>{_ROUTE})|(?P<connector>{_CONNECTOR})|(?P<word>{_WORD})|(?P<punct>[^\s\w])"
)
# newtfh: "RADIOPHARMACEUTICAL: 20.1 mCi Tc-99m MDP i.v." carries its label on the same line.
LABEL_RE = re.compile(r"^(?ai:radiopharmaceuticals?|procedure)\s{0,3}:\s*")
# A word that names a drug given alongside the tracer (rs034 furosemide, stress agents, CCK, morphine).
DRUG_RE = re.compile(
    r"(?ai:furosemide|lasix|dipyridamole|persantine|adenosine|regadenoson|lexiscan|dobutamine|arbutamine"
    r"|morphine|sincalide|kinevac|cholecystokinin|cck|captopril|enalaprilat|glucagon|pentagastrin|cimetidine"
    r"|acetazolamide|diamox|perchlorate|thyrotropin|thyrogen|atropine|aminophylline|phenobarbital)"
)

SYMBOLS = {
    "tc": "Tc", "in": "In", "i": "I", "tl": "Tl", "ga": "Ga", "f": "F", "xe": "Xe", "kr": "Kr", "rb": "Rb",
    "sm": "Sm", "sr": "Sr", "y": "Y", "lu": "Lu", "cr": "Cr", "cu": "Cu", "zr": "Zr", "ra": "Ra", "n": "N",
    "c": "C", "o": "O",
}  # fmt: skip
ELEMENTS = {
    "technetium": "Tc", "indium": "In", "iodine": "I", "thallium": "Tl", "gallium": "Ga", "fluorine": "F",
    "xenon": "Xe", "krypton": "Kr", "rubidium": "Rb", "samarium": "Sm", "strontium": "Sr", "yttrium": "Y",
    "lutetium": "Lu", "chromium": "Cr", "copper": "Cu", "zirconium": "Zr", "radium": "Ra", "carbon": "C",
    "nitrogen": "N", "oxygen": "O",
}  # fmt: skip
KNOWN_RADIONUCLIDES = frozenset(
    {
        "Tc-99m", "In-111", "I-123", "I-125", "I-131", "Tl-201", "Ga-67", "Ga-68", "F-18", "Xe-127", "Xe-133",
        "Kr-81m", "Rb-82", "Sm-153", "Sr-89", "Y-90", "Lu-177", "Cr-51", "Cu-64", "Zr-89", "Ra-223", "N-13",
        "C-11", "O-15",
    }
)  # fmt: skip
# Exact factors (1 Ci = 3.7e10 Bq by definition), keyed by the unit lower-cased, the micro sign "u".
MBQ_PER_UNIT = {"mci": 37.0, "uci": 0.037, "mbq": 1.0, "gbq": 1000.0, "kbq": 0.001}
ROUTES = {
    "intravenous": "intravenous",
    "oral": "oral",
    "intrathecal": "intrathecal",
    "inhalation": "inhalation",
    "subcutaneous": "subcutaneous",
    "intradermal": "intradermal",
    "intra_arterial": "intra-arterial",
    "intraperitoneal": "intraperitoneal",
}
# Tokens that open a new administration when they follow a connector ("... i.v. and 7.7 mg furosemide").
STARTING_KINDS = frozenset({"phase", "nuclide", "quantity"})
SNIPPET_LENGTH = 80


@dataclass(frozen=True)
class Quantity:
    value: float  # 21.6; ".459" -> 0.459
    unit: str  # as printed: "mCi", "uCi", "µCi", "MBq", "GBq", "mg", "mg/kg", "g", "mcg"
    text: str  # as printed: "21.6 mCi", ".459 mCi", "40mg"


@dataclass(frozen=True)
class ParsedAdministration:
    text: str  # the segment of the line, as printed, without phase marker or connector
    kind: str  # "radiopharmaceutical" | "drug"
    activity: Quantity | None
    activity_mbq: float | None  # rounded to 3 decimals
    radionuclide: str | None  # normalised: "Tc-99m", "In-111", "Ga-67"
    pharmaceutical: str | None  # as printed: "MDP", "labeled autologous leukocytes"
    dose: Quantity | None  # drugs: "40mg furosemide" -> 40 mg
    drug: str | None  # as printed: "furosemide", "morphine sulfate"
    route: str | None  # normalised, a value of ROUTES
    route_text: str | None  # as printed: "i.v.", "by lumbar subarachnoid injection"
    phase: str | None  # as printed, lower-cased: "rest", "initial study"


@dataclass
class _Draft:
    """One administration while its tokens are being gathered; positions index the line."""

    phase: str | None
    start: int = -1
    end: int = -1
    activity: Quantity | None = None
    dose: Quantity | None = None
    nuclide_text: str | None = None
    nuclide: str | None = None
    route: str | None = None
    route_text: str | None = None
    words: list[tuple[int, int]] = field(default_factory=list)
    trailing: list[tuple[int, int]] = field(default_factory=list)


def parse_administrations(text: str) -> tuple[list[ParsedAdministration], list[str]]:
    """A printed procedure line -> its administrations in printed order, and problems (messages) for
    anything it could not read with confidence (an activity with no radionuclide, leftover text).

    Never raises."""
    line = LABEL_RE.sub("", text.strip(), count=1)
    matches = list(TOKEN_RE.finditer(line))
    kinds = classify_tokens(matches)
    drafts, unread = group_tokens(line, matches, kinds)
    administrations: list[ParsedAdministration] = []
    problems: list[str] = []
    for draft in drafts:
        administration, draft_problems = finish_draft(line, draft)
        problems.extend(draft_problems)
        unread.extend(draft.trailing)
        if administration is None:
            unread.append((draft.start, draft.end))
        else:
            administrations.append(administration)
    problems.extend(f"could not read {quote_snippet(line[a:b])}" for a, b in merge_spans(line, unread))
    return administrations, problems


def classify_tokens(matches: list[re.Match[str]]) -> list[str]:
    """Each token's kind: a false radionuclide is a word, a connector that joins nothing is plain text."""
    kinds = [match.lastgroup or "punct" for match in matches]
    for index, match in enumerate(matches):
        if kinds[index] == "nuclide" and not is_radionuclide(match):
            kinds[index] = "word"
    for index, match in enumerate(matches):
        if kinds[index] != "connector":
            continue
        following = matches[index + 1] if index + 1 < len(matches) else None
        if following is None or not starts_administration(following, kinds[index + 1]):
            kinds[index] = "punct" if len(match.group()) == 1 else "word"
    return kinds


def starts_administration(match: re.Match[str], kind: str) -> bool:
    return kind in STARTING_KINDS or (kind == "word" and is_drug_word(match.group()))


def group_tokens(
    line: str, matches: list[re.Match[str]], kinds: list[str]
) -> tuple[list[_Draft], list[tuple[int, int]]]:
    """Tokens -> drafts of administrations in printed order, and spans of tokens that belong to none."""
    drafts: list[_Draft] = []
    unread: list[tuple[int, int]] = []
    phase: str | None = None
    draft = _Draft(phase)
    previous = ""
    for match, kind in zip(matches, kinds, strict=True):
        span = match.span()
        if kind == "phase":
            phase = " ".join(match["phase_name"].lower().split())
            draft = close_draft(drafts, draft, phase)
        elif kind == "connector":
            draft = close_draft(drafts, draft, phase)
        elif kind == "at":
            if is_empty(draft):
                unread.append(span)
            else:
                draft.phase = " ".join(match["at_phase"].lower().split())
                extend_draft(draft, span)
        elif kind == "nuclide":
            if draft.nuclide_text is not None or draft.route is not None or is_drug(line, draft):
                draft = close_draft(drafts, draft, phase)
            draft.nuclide_text = match.group()
            draft.nuclide = read_radionuclide(match)
            extend_draft(draft, span)
        elif kind == "quantity":
            quantity = read_quantity(match)
            if match["activity_unit"] is not None:
                if draft.activity or draft.dose or draft.route or is_drug(line, draft):
                    draft = close_draft(drafts, draft, phase)
                draft.activity = quantity
            else:
                # "furosemide 40 mg" keeps the drug printed before its dose.
                drug_first = is_drug(line, draft) and draft.dose is None and draft.route is None
                if not (is_empty(draft) or drug_first):
                    draft = close_draft(drafts, draft, phase)
                draft.dose = quantity
            extend_draft(draft, span)
        elif kind == "route":
            if is_empty(draft):
                unread.append(span)
            elif draft.route is not None:
                draft.trailing.append(span)
            else:
                draft.route = read_route(match)
                draft.route_text = match.group()
                extend_draft(draft, span)
        elif kind == "word":
            word = match.group()
            if is_drug_word(word) and (draft.nuclide_text or draft.activity or draft.route):
                draft = close_draft(drafts, draft, phase)
                draft.words.append(span)
                extend_draft(draft, span)
            elif word.lower() == "of" and previous == "quantity":
                pass  # "21.6 mCi of Tc-99m MDP": a filler, not part of the agent
            elif draft.route is not None:
                draft.trailing.append(span)
            else:
                draft.words.append(span)
                extend_draft(draft, span)
        if kind != "punct":
            previous = kind
    close_draft(drafts, draft, phase)
    return drafts, unread


def close_draft(drafts: list[_Draft], draft: _Draft, phase: str | None) -> _Draft:
    """Keep the draft if anything was read into it; a fresh draft for what follows."""
    if not is_empty(draft):
        drafts.append(draft)
        return _Draft(phase)
    draft.phase = phase
    return draft


def extend_draft(draft: _Draft, span: tuple[int, int]) -> None:
    if draft.start < 0:
        draft.start = span[0]
    draft.end = span[1]


def is_empty(draft: _Draft) -> bool:
    return draft.start < 0


def is_drug(line: str, draft: _Draft) -> bool:
    """A drug administration so far: a printed dose, or a known drug named with no tracer."""
    if draft.dose is not None:
        return True
    if draft.nuclide_text is not None or draft.activity is not None or not draft.words:
        return False
    first_start, first_end = draft.words[0]
    return is_drug_word(line[first_start:first_end])


def is_drug_word(word: str) -> bool:
    return DRUG_RE.fullmatch(word) is not None


def is_radionuclide(match: re.Match[str]) -> bool:
    """Unfamiliar mass numbers count only when hyphenated (``Tc-98``): ``In 24 hours`` is no tracer."""
    normalised = read_radionuclide(match)
    if normalised is None or normalised in KNOWN_RADIONUCLIDES:
        return True
    return match["sym"] is not None and match["sym_sep"] == "-"


def read_radionuclide(match: re.Match[str]) -> str | None:
    """``Tc99m`` -> ``Tc-99m``, ``Gallium-67`` -> ``Ga-67``; None for a bare element name (no mass number)."""
    if match["sym"] is not None:
        symbol, mass, meta = SYMBOLS.get(match["sym"].lower()), match["sym_mass"], match["sym_meta"]
    elif match["pre_sym"] is not None:
        symbol, mass, meta = SYMBOLS.get(match["pre_sym"].lower()), match["pre_mass"], match["pre_meta"]
    else:
        symbol, mass, meta = ELEMENTS.get(match["name"].lower()), match["name_mass"], match["name_meta"]
    if symbol is None or mass is None:
        return None
    return f"{symbol}-{int(mass)}{'m' if meta else ''}"


def read_quantity(match: re.Match[str]) -> Quantity:
    unit = (match["activity_unit"] or match["dose_unit"]) + (match["per"] or "")
    return Quantity(value=float(match["value"].replace(",", "")), unit=unit, text=match["quantity"])


def read_route(match: re.Match[str]) -> str | None:
    return next((route for group, route in ROUTES.items() if match[group] is not None), None)


def convert_to_mbq(quantity: Quantity) -> float | None:
    """The activity in MBq, rounded to 3 decimals; None when the printed unit gives no total."""
    if quantity.unit.startswith("mBq"):
        return None  # millibecquerel as printed, or a miscased MBq: not ours to decide
    factor = MBQ_PER_UNIT.get(quantity.unit.lower().replace("\u00b5", "u").replace("\u03bc", "u"))
    return None if factor is None else round(quantity.value * factor, 3)


def finish_draft(line: str, draft: _Draft) -> tuple[ParsedAdministration | None, list[str]]:
    """A draft -> its administration and problems; None when its words name neither a tracer nor a drug."""
    text = line[draft.start : draft.end]
    agent = join_words(line, draft.words)
    problems: list[str] = []
    if draft.activity is not None or draft.nuclide_text is not None:
        kind = "radiopharmaceutical"
    elif draft.dose is not None or (agent is not None and is_drug(line, draft)):
        kind = "drug"
        if agent is None:
            problems.append(f"dose with no drug named: {quote_snippet(text)}")
    elif agent is not None and AGENT_RE.search(agent):
        kind = "radiopharmaceutical"
    else:
        return None, problems
    activity_mbq = None
    if kind == "radiopharmaceutical":
        problems.extend(check_radiopharmaceutical(draft, text))
        if draft.activity is not None:
            activity_mbq = convert_to_mbq(draft.activity)
            if activity_mbq is None:
                unit = draft.activity.unit
                problems.append(f"no total in MBq for an activity in {unit!r}: {quote_snippet(text)}")
    is_radio = kind == "radiopharmaceutical"
    administration = ParsedAdministration(
        text=text,
        kind=kind,
        activity=draft.activity,
        activity_mbq=activity_mbq,
        radionuclide=draft.nuclide,
        pharmaceutical=agent if is_radio else None,
        dose=draft.dose,
        drug=None if is_radio else agent,
        route=draft.route,
        route_text=draft.route_text,
        phase=draft.phase,
    )
    return administration, problems


def check_radiopharmaceutical(draft: _Draft, text: str) -> list[str]:
    """A missing activity is no problem (pa002 prints none); a missing or odd radionuclide is."""
    if draft.nuclide_text is None:
        what = "activity" if draft.activity is not None else "agent"
        return [f"{what} with no radionuclide: {quote_snippet(text)}"]
    if draft.nuclide is None:
        return [f"radionuclide printed without a mass number ({draft.nuclide_text!r}): {quote_snippet(text)}"]
    if draft.nuclide not in KNOWN_RADIONUCLIDES:
        return [f"unfamiliar radionuclide {draft.nuclide!r}: {quote_snippet(text)}"]
    return []


def join_words(line: str, spans: list[tuple[int, int]]) -> str | None:
    """The words of an agent or drug as printed; runs split by other tokens are joined by one space."""
    if not spans:
        return None
    runs: list[str] = []
    run_start, run_end = spans[0]
    for start, end in spans[1:]:
        if any(char.isalnum() for char in line[run_end:start]):
            runs.append(line[run_start:run_end])
            run_start = start
        run_end = end
    runs.append(line[run_start:run_end])
    joined = " ".join(runs).strip("-/+'")
    return joined or None


def merge_spans(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Unread spans in order, neighbours separated only by spaces or punctuation merged into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and not any(char.isalnum() for char in line[merged[-1][1] : start]):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def quote_snippet(text: str) -> str:
    if len(text) > SNIPPET_LENGTH:
        text = text[: SNIPPET_LENGTH - 1] + "\u2026"
    return repr(text)
