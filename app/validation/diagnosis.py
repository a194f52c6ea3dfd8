"""The form of a diagnosis code as 2203 sends it (``diseinfo.diag_code``): the 医保版 ICD-10 code
of the 1307 catalogue (interface.md §2.6, §2.15), e.g. ``J06.900``, ``I10.x00``, ``I10.x00x002``.

Only the form is checked here (a chapter letter, two digits, a dot, three characters whose first may
be ``x``, and an optional ``x`` extension of three digits); whether the code exists is the
platform's answer.
"""

from __future__ import annotations

import re

_FORM = re.compile(r"[A-Z][0-9]{2}\.[0-9x][0-9]{2}(x[0-9]{3})?")
MAX_NAME = 100  # diseinfo.diag_name as the platform takes it


def normalized_diagnosis_code(text: str) -> str:
    """The code as the catalogue writes it: the chapter letter upper-case, ``x`` lower-case
    (``j06.900`` → ``J06.900``, ``I10.X00`` → ``I10.x00``); spaces around it dropped."""
    code = text.strip()
    return code[:1].upper() + code[1:].lower()


def is_diagnosis_code(code: str) -> bool:
    """Whether ``code`` (normalized) has the form of a 医保版 ICD-10 diagnosis code."""
    return _FORM.fullmatch(code) is not None
