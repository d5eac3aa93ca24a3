"""Recognising a procedure line (``21.6 mCi Tc-99m MDP i.v.``) by its content.

Unlabelled classic pages give the procedure no label, and the slot can be empty (bs092) or missing
(mb002, pa001); only the content tells a procedure from a short findings paragraph.
"""

from __future__ import annotations

import re

MAX_PROCEDURE_LENGTH = 240
RADIONUCLIDE_RE = re.compile(
    r"\b(?:Tc|In|I|Tl|Ga|F|Xe|Sm|Sr|Y|Rb|Cr|Kr|Lu|Ra|N|C|O)\s*-?\s*\d{1,3}m?\b"
    r"|\b(?:technetium|indium|gallium|thallium|iodine|xenon|fluorine|rubidium|samarium|strontium)\b",
    re.IGNORECASE,
)
# Starts only where a number starts (the lookbehind), so a hostile run of digits stays linear.
ACTIVITY_RE = re.compile(
    r"(?<![\d.])(?:\d++(?:\.\d*+)?|\.\d++)\s*+(?:mCi|uCi|\u00b5Ci|\u03bcCi|MBq|GBq|mci)\b"
)
AGENT_RE = re.compile(
    r"\b(?:MDP|HDP|MAG3|DTPA|DMSA|sestamibi|tetrofosmin|pertechnetate|sulfur colloid|MAA|HMPAO|ECD|FDG"
    r"|fluorodeoxyglucose|MIBG|octreotide|leukocytes|RBCs?|red blood cells|citrate|disofenin|mebrofenin)\b",
    re.IGNORECASE,
)
# Words of a findings sentence; a procedure line names agents and doses, it does not report.
FINDING_RE = re.compile(
    r"\b(?:demonstrates?|shows?|showed|reveals?|revealed|seen|noted|uptake|consistent|there is|there are)\b",
    re.IGNORECASE,
)


def looks_like_procedure(text: str) -> bool:
    if len(text) > MAX_PROCEDURE_LENGTH or FINDING_RE.search(text):
        return False
    return bool(RADIONUCLIDE_RE.search(text) or ACTIVITY_RE.search(text) or AGENT_RE.search(text))
