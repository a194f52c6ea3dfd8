"""A settlement group's name on screen: the domain's one label (:func:`app.domain.plan.group_label`),
with the kind's word translated here, once. Live totals, stored groups, the bill's 结算方式 column and
the settlement messages all use it, so the group the cashier sees before settling reads the same after
(门诊慢特病 高血压（M03900） in Chinese, as receipts print it)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.domain.plan import GroupKind, group_label

CONTEXT = "GroupLabel"
_KIND_TEXT = {
    GroupKind.GENERAL: QT_TRANSLATE_NOOP("GroupLabel", "General outpatient"),
    GroupKind.CHRONIC: QT_TRANSLATE_NOOP("GroupLabel", "Chronic disease"),
    GroupKind.SELF_PAY: QT_TRANSLATE_NOOP("GroupLabel", "Full self-pay"),
}


def kind_text(kind: GroupKind) -> str:
    """The kind's word in the window's language (普通门诊 / 门诊慢特病 / 全额自费)."""
    return QCoreApplication.translate(CONTEXT, str(_KIND_TEXT[kind]))


def group_text(kind: GroupKind, disease_code: str | None = None) -> str:
    """The group's name in the window's language: ``门诊慢特病 高血压（M03900）``."""
    return group_label(kind, disease_code, kind_text=kind_text)


def untagged_text() -> str:
    """The bucket of lines not tagged yet (no group until they are)."""
    return QCoreApplication.translate("GroupLabel", "Not tagged yet")
