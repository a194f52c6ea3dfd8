"""Per-insured-place answer profiles (data: ``answer_profiles.toml``; interface.md A §10).

Real insured places differ in where they put the hospital's share and which ``setldetail`` codes
are funds. The national default comes from interface.md; a place that answers differently gets a
section in the data file, found by the longest prefix of its division code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class AnswerProfile:
    """How one insured place writes the money of a settlement answer."""

    hospital_share: tuple[tuple[str, ...], ...]
    account_fund_types: frozenset[str]
    hospital_fund_types: frozenset[str]
    not_fund_types: frozenset[str] = frozenset()
    fund_includes_account: bool = False

    @property
    def non_fund_types(self) -> frozenset[str]:
        """``setldetail`` codes that are not part of ``fund_pay_sumamt``."""
        return self.account_fund_types | self.hospital_fund_types | self.not_fund_types

    def with_overrides(self, section: Mapping[str, Any]) -> AnswerProfile:
        """This profile with the keys a place's section names replaced."""
        return AnswerProfile(
            hospital_share=tuple(
                tuple(formula) for formula in section.get("hospital_share", self.hospital_share)
            ),
            account_fund_types=frozenset(
                section.get("account_fund_types", self.account_fund_types)
            ),
            hospital_fund_types=frozenset(
                section.get("hospital_fund_types", self.hospital_fund_types)
            ),
            not_fund_types=frozenset(section.get("not_fund_types", self.not_fund_types)),
            fund_includes_account=bool(
                section.get("fund_includes_account", self.fund_includes_account)
            ),
        )


_EMPTY = AnswerProfile((), frozenset(), frozenset())


@cache
def _table() -> tuple[AnswerProfile, dict[str, AnswerProfile]]:
    text = resources.files("app.platform").joinpath("answer_profiles.toml").read_text("utf-8")
    data = tomllib.loads(text)
    national = _EMPTY.with_overrides(data["national"])
    places = {
        str(code): national.with_overrides(section)
        for code, section in data.get("places", {}).items()
    }
    return national, places


def national_profile() -> AnswerProfile:
    """The default of interface.md."""
    return _table()[0]


def profile_for(insured_admdvs: str) -> AnswerProfile:
    """The profile of an insured place: the longest matching prefix, else the national default."""
    national, places = _table()
    for length in (6, 4, 2):
        found = places.get(insured_admdvs[:length]) if len(insured_admdvs) >= length else None
        if found is not None:
            return found
    return national
