"""What a section's text reads as: a history, findings, a followup.

An unlabelled classic page (most of them) gives its body sections no names; the template fills them in
page order, and a gap a page drew differently shifts every later section into the wrong field. These
cues let the record say so: a history tells of a patient (an age, a complaint, a referral), findings
report what the images show, a followup tells what happened after. They are cues, not proof: each check
that uses them names the field as one to look at; the template moves text by them only where page
order has nothing to say (a copy that lost its labels).
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
# "23 year-old man", "20 yo male", "a 65-year old woman", a history that opens "53 year old with ...":
# a patient introduced, as a history does and findings do not.
PATIENT_RE = re.compile(
    r"\b\d{1,3}[- ]?(?:years?|yrs?|yo|y/o|months?|weeks?|days?)(?:[- ]old)?\s+(?:[a-z-]+\s+){0,2}?"
    r"(?:man|woman|male|female|boy|girl|child|infant|patient)\b"
    r"|^(?:a |an |this is a |the patient is a )?\d{1,3}[- ]?(?:years?|yrs?|yo|y/o|months?)(?:[- ]old)?\b",
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
# What only a report of this study's images says: the nuclear medicine words of a findings section.
IMAGES_REPORT_RE = re.compile(
    r"\bimages?\b|\bscintigra\w*|\buptake\b|\bactivity\b|\baccumulat\w*|\btracer\b|\bradiotracer\b"
    r"|\bradiopharmaceutical\b|\bphotopenic\b",
    re.IGNORECASE,
)
# What a followup tells: what was done afterwards and what it found, in the past tense (pa004: "The
# patient underwent surgery ... Pathology was consistent with"; iw004: "Bone biopsy grew ..."; gi005:
# "Subsequent esophagoduodenoscopy showed"); a discussion speaks in the present ("is", "may", "can").
PAST_RE = re.compile(
    r"\b(?:was|were|had|showed|grew|underwent|revealed|demonstrated|confirmed|removed|resected|treated"
    r"|improved|resolved|died|developed|returned|received|became|subsequently)\b",
    re.IGNORECASE,
)
PRESENT_RE = re.compile(
    r"\b(?:is|are|may|can|should|must|typically|usually|often|commonly|generally)\b", re.IGNORECASE
)


# A section's first characters say what it is; a hostile megabyte of text is not read further.
MAX_CUE_TEXT = 3000


def reads_as_history(text: str) -> bool:
    return HISTORY_RE.search(text[:MAX_CUE_TEXT]) is not None


def reads_as_patient(text: str) -> bool:
    return PATIENT_RE.search(text[:MAX_CUE_TEXT]) is not None


def reads_as_findings(text: str) -> bool:
    return FINDINGS_RE.search(text[:MAX_CUE_TEXT]) is not None


def reports_images(text: str) -> bool:
    return IMAGES_REPORT_RE.search(text[:MAX_CUE_TEXT]) is not None


def tells_what_happened(text: str) -> bool:
    past = len(PAST_RE.findall(text[:MAX_CUE_TEXT]))
    return past > 0 and past > len(PRESENT_RE.findall(text[:MAX_CUE_TEXT]))
