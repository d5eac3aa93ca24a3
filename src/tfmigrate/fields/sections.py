"""What a section's text reads as: a history, findings, a followup.

An unlabelled classic page (most of them) gives its body sections no names; the template fills them in
page order, and a gap a page drew differently shifts every later section into the wrong field. These
cues let the record say so: a history tells of a patient (an age, a complaint, a referral), findings
report what the images show, a followup tells what happened after. They are cues, not proof: each check
that uses them names the field as one to look at, never moves text.
"""

from __future__ import annotations

import re

# bs125: "23 year-old paraplegic man"; bs092: "20 yo male"; pa004: "65-year old woman".
HISTORY_RE = re.compile(
    r"\b\d{1,3}[- ]?(?:years?|yrs?|yo|y/o|months?|weeks?|days?)\b|\byear[- ]old\b|\bhistory\b"
    r"|\bpresent(?:s|ed|ing)\b|\bcomplain|\breferred\b|\bstatus post\b|\bs/p\b"
    r"|\bevaluat(?:e|ed|ion) (?:for|of)\b|\bpatient\b"
    r"|\b(?:man|woman|male|female|boy|girl|child|infant)\b",
    re.IGNORECASE,
)
# bs125: "images of the pelvis (main image) demonstrate mild to moderate increased flow".
FINDINGS_RE = re.compile(
    r"\bimag(?:e|es|ing)\b|\bviews?\b|\buptake\b|\bactivity\b|\baccumulat|\bscan\b|\bscintigra|\bdemonstrat"
    r"|\bshow(?:s|ed|n)?\b|\breveal|\bseen\b|\bnoted\b|\bvisuali[sz]|\bincreased\b|\bdecreased\b|\bfocal|\bfoci\b"
    r"|\bfocus\b|\bphotopenic\b|\btracer\b|\bradiotracer\b|\bradiopharmaceutical\b|\bperfusion\b|\bflow\b"
    r"|\bnormal\b|\babnormal",
    re.IGNORECASE,
)
# pa004: "The patient underwent surgery on 7-3-95 ... Pathology was consistent with ...".
FOLLOWUP_RE = re.compile(
    r"\bfollow|\bsubsequent|\blater\b|\bafter\b|\bmonths?\b|\bweeks?\b|\byears?\b|\bunderwent\b|\bsurgery\b"
    r"|\bsurgical|\bbiops|\bpatholog|\bresolv|\btreat|\brepeat|\bremoved\b|\bresect|\bconfirm|\bdischarged\b"
    r"|\bdied\b|\bimproved\b|\bpatient\b",
    re.IGNORECASE,
)


# "23 year-old man", "20 yo male", "a 65-year old woman": a patient, as a history introduces one.
PATIENT_RE = re.compile(
    r"\b\d{1,3}[- ]?(?:years?|yrs?|yo|y/o|months?|weeks?|days?)(?:[- ]old)?\s+(?:[a-z-]+\s+){0,2}?"
    r"(?:man|woman|male|female|boy|girl|child|infant|patient)\b",
    re.IGNORECASE,
)


def reads_as_patient(text: str) -> bool:
    return PATIENT_RE.search(text) is not None


def reads_as_history(text: str) -> bool:
    return HISTORY_RE.search(text) is not None


def reads_as_findings(text: str) -> bool:
    return FINDINGS_RE.search(text) is not None


def reads_as_followup(text: str) -> bool:
    return FOLLOWUP_RE.search(text) is not None
