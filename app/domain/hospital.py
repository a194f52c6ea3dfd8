"""This hospital's profile: who we are and which diseases we have opened."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.domain.disease import is_pilot

_INSTITUTION = re.compile(r"^[A-Z]\d{11}$")


@dataclass(frozen=True)
class HospitalProfile:
    """The designated institution (定点医药机构) running this window.

    Attributes:
        code: institution code, ``H`` + 11 digits.
        name: institution name.
        admdvs: its division code (the visiting place, 就医地).
        opened_diseases: pilot codes opened here for cross-province direct settlement (rule 1).
        general_outpatient_open: whether cross-province general outpatient (med_type 11) is open here.
        general_coverage: (insured-province prefix, disease code) pairs that the insured place covers
            under general outpatient instead of 门诊慢特病 (domain.md rule 4: Beijing and its
            hypertension/diabetes). Such tagged lines go to the general group.
    """

    code: str
    name: str
    admdvs: str
    opened_diseases: frozenset[str]
    general_outpatient_open: bool = True
    general_coverage: frozenset[tuple[str, str]] = field(default=frozenset())

    def has_opened(self, code: str) -> bool:
        """Rule 1: the hospital settles only the pilot diseases it has opened."""
        return code in self.opened_diseases and is_pilot(code)

    def covers_as_general(self, insured_admdvs: str, code: str) -> bool:
        """Whether the insured place treats ``code`` as ordinary general outpatient."""
        return (insured_admdvs[:2], code) in self.general_coverage


def is_institution_code(code: str) -> bool:
    """``H`` + 11 digits style (interface.md B §1.1)."""
    return bool(_INSTITUTION.match(code))
