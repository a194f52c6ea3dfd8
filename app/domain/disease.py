"""The national catalogue of chronic/special diseases settled directly across provinces.

Source: the 2021 pilot notice (医保办函〔2021〕4号, annex) as summarised in domain.md and interface.md
Part B §4.2. Only these codes may be settled across provinces as 门诊慢特病 (med_type 14).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class DiseaseCategory(StrEnum):
    """The five pilot categories (病种类别)."""

    HYPERTENSION = "高血压"
    DIABETES = "糖尿病"
    MALIGNANT_TUMOUR = "恶性肿瘤门诊治疗"
    CHRONIC_RENAL_FAILURE = "慢性肾功能衰竭"
    TRANSPLANT_ANTI_REJECTION = "器官移植抗排异治疗"


@dataclass(frozen=True)
class Disease:
    """One disease of the national chronic/special-disease catalogue."""

    code: str
    category: DiseaseCategory
    name: str

    @property
    def label(self) -> str:
        """How receipts and screens name it: ``恶性肿瘤门诊治疗（M00500）``."""
        return f"{self.name}（{self.code}）"


_T = DiseaseCategory.TRANSPLANT_ANTI_REJECTION

PILOT_DISEASES: dict[str, Disease] = {
    d.code: d
    for d in (
        Disease("M03900", DiseaseCategory.HYPERTENSION, "高血压"),
        Disease("M01600", DiseaseCategory.DIABETES, "糖尿病"),
        Disease("M00500", DiseaseCategory.MALIGNANT_TUMOUR, "恶性肿瘤门诊治疗"),
        Disease("M07801", DiseaseCategory.CHRONIC_RENAL_FAILURE, "透析"),
        Disease("M08301", _T, "肾移植抗排异治疗"),
        Disease("M08302", _T, "骨髓移植抗排异治疗"),
        Disease("M08303", _T, "心移植抗排异治疗"),
        Disease("M08304", _T, "肝移植抗排异治疗"),
        Disease("M08305", _T, "肺移植抗排异治疗"),
        Disease("M08306", _T, "肝肾移植抗排异治疗"),
    )
}

MALIGNANT_TUMOUR = "M00500"
DIALYSIS = "M07801"

# Annex mapping rules: related treatments are sent under the category's code.
_TREATMENT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"化疗|放疗|化学治疗|放射治疗|chemo|radio", re.IGNORECASE), MALIGNANT_TUMOUR),
    (
        re.compile(r"血液透析|腹膜透析|尿毒症透析|血透|腹透|h(a)?emodialysis|peritoneal", re.I),
        DIALYSIS,
    ),
)

_CODE_SHAPE = re.compile(r"^[A-Z][0-9A-Z]{1,29}$")


def is_pilot(code: str) -> bool:
    """Whether ``code`` is one of the pilot codes that can be settled across provinces."""
    return code in PILOT_DISEASES


def pilot_disease(code: str) -> Disease | None:
    """The pilot disease for ``code``, or ``None``."""
    return PILOT_DISEASES.get(code)


def code_for_treatment(treatment: str) -> str | None:
    """Map a treatment description to the code it is settled under (annex rules), if any.

    Chemotherapy and radiotherapy go under M00500; haemodialysis, peritoneal dialysis and uraemia
    dialysis under M07801.
    """
    for pattern, code in _TREATMENT_RULES:
        if pattern.search(treatment):
            return code
    return None


def looks_like_disease_code(code: str) -> bool:
    """Shape check for a chronic-disease code as the platform sends it (≤ 30 chars, upper-case)."""
    return bool(_CODE_SHAPE.match(code))
