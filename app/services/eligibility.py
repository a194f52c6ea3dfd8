"""Who is this patient and what may be settled for them: 1101 + 5301, judged for this hospital today.

Answers are cached (advisory only). When the platform is unreachable, in maintenance or gives no valid
answer, the service answers from the cache with the data's age, the reason and what to do — and refuses
once the data is older than ``cache_max_age_hours``. The cache is never used for money: settlement asks
the platform afresh.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain.disease import is_pilot
from app.domain.hospital import HospitalProfile
from app.domain.masking import mask_number
from app.domain.operator import Operator
from app.domain.person import InsuranceEntry, InsuredPerson, Qualification, QualificationState
from app.domain.region import is_cross_province, province_name
from app.domain.scanner import parse_voucher_code
from app.domain.visit import Credential, CredentialKind
from app.errors import (
    InputError,
    OutcomeUnknown,
    PlatformError,
    PlatformMaintenance,
    PlatformUnavailable,
)
from app.messages import Message
from app.messages import eligibility as words
from app.services.bill_import import IdentityInput, IdentityKind
from app.services.journaling import failure_text
from app.services.ports.clock import Clock
from app.services.ports.platform import CallContext, PlatformGateway
from app.services.ports.store import UnitOfWorkFactory
from app.validation.card import parse_card_string
from app.validation.id_number import parse_id_number

log = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class QualificationView:
    """One qualification as the cashier needs to see it today."""

    code: str
    name: str
    valid_from: date
    valid_to: date | None
    state: QualificationState
    pilot: bool
    opened_here: bool

    @property
    def settleable(self) -> bool:
        """Valid today, a pilot disease and opened at this hospital."""
        return self.state is QualificationState.VALID and self.pilot and self.opened_here

    @property
    def state_label(self) -> str:
        """有效 / 已过期 / 未生效."""
        return str(
            {
                QualificationState.VALID: words.STATE_VALID,
                QualificationState.EXPIRED: words.STATE_EXPIRED,
                QualificationState.NOT_YET_VALID: words.STATE_NOT_YET_VALID,
            }[self.state]()
        )


@dataclass(frozen=True)
class EligibilityView:
    """The person with every qualification judged against this hospital and date.

    ``from_cache`` views come with ``age`` and ``notice`` (why the platform was not used and what to
    do); they are for looking only — settlement refuses them.
    """

    person: InsuredPerson
    credential: Credential
    day: date
    settlement_insurance: InsuranceEntry | None
    cross_province: bool
    insured_province: str
    qualifications: tuple[QualificationView, ...]
    fetched_at: datetime
    from_cache: bool = False
    age: timedelta = timedelta(0)
    notice: str = ""
    # Why a cached view was shown: the platform's unavailability, maintenance or lost answer.
    offline_reason: PlatformError | None = None

    @property
    def insured_admdvs(self) -> str:
        """The insured place of the settlement insurance ('' when none is active)."""
        row = self.settlement_insurance
        return row.insured_admdvs if row else ""

    @property
    def masked_id(self) -> str:
        """The ID number as it may be shown."""
        return mask_number(self.person.id_number)


def judge(
    person: InsuredPerson, credential: Credential, hospital: HospitalProfile, day: date
) -> tuple[InsuranceEntry | None, bool, tuple[QualificationView, ...]]:
    """The settlement insurance, whether it is cross-province, and each qualification's standing."""
    row = person.settlement_insurance()
    cross = row is not None and is_cross_province(row.insured_admdvs, hospital.admdvs)
    views = tuple(
        QualificationView(
            code=q.code,
            name=q.name,
            valid_from=q.valid_from,
            valid_to=q.valid_to,
            state=q.state_on(day),
            pilot=is_pilot(q.code),
            opened_here=hospital.has_opened(q.code),
        )
        for q in person.qualifications
    )
    return row, cross, views


class EligibilityService:
    """Identification and eligibility (1101 + 5301) with an advisory cache."""

    def __init__(
        self,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        hospital: HospitalProfile,
        cache_max_age_hours: int,
    ):
        """Bind to the platform, the store (cache), the clock and this hospital."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._hospital = hospital
        self._max_age = timedelta(hours=cache_max_age_hours)

    def credential_for(self, identity: IdentityInput, operator: Operator) -> Credential:
        """Turn what was read or typed into a platform credential (the voucher is decoded online)."""
        if identity.kind is IdentityKind.CARD_STRING:
            today = self._clock.now().astimezone(LOCAL_ZONE).date()
            return parse_card_string(identity.value, today=today).credential
        if identity.kind is IdentityKind.ID_NUMBER:
            parsed = parse_id_number(identity.value)
            return Credential(CredentialKind.ID_NUMBER, parsed.value, id_number=parsed.value)
        if not identity.value.strip():
            raise InputError(words.VOUCHER_EMPTY(), code="voucher_empty")
        # Length and characters are checked here, before anything reaches the e-voucher centre.
        code = parse_voucher_code(identity.value).value
        decoded = self._gateway.decode_voucher(operator, code)
        # The e-voucher centre may answer with a masked ID number; 1101 returns the real one.
        id_number = "" if "*" in decoded.id_number else decoded.id_number
        return Credential(
            CredentialKind.VOUCHER, decoded.ec_token, id_number=id_number, name=decoded.name
        )

    def identify(self, identity: IdentityInput, operator: Operator) -> EligibilityView:
        """Identify and judge a patient, online if possible, else from the cache.

        Raises:
            InputError: the card string, voucher or ID number is malformed.
            PlatformRejected: the platform refused (e.g. no such person).
            PlatformUnavailable / OutcomeUnknown / PlatformMaintenance: offline and nothing usable
                (or nothing fresh enough) is cached.
        """
        keys = _offline_keys(identity)
        try:
            credential = self.credential_for(identity, operator)
            return self.lookup(credential, operator)
        except (PlatformUnavailable, OutcomeUnknown, PlatformMaintenance) as exc:
            return self._from_cache(keys, exc)

    def lookup(self, credential: Credential, operator: Operator) -> EligibilityView:
        """1101 + 5301 for a known credential, cached on success. No cache fallback."""
        person = self._gateway.query_person(CallContext(operator), credential)
        row = person.settlement_insurance()
        admdvs = row.insured_admdvs if row else _any_admdvs(person)
        if admdvs:
            qualifications = self._gateway.query_qualifications(
                CallContext(operator, admdvs), person.person_no
            )
            person = _with_qualifications(person, qualifications)
        now = self._clock.now()
        keys = _lookup_keys(person, credential)
        # Advisory (never used for money): stored with the next commit (opening the bill), not
        # with one of its own before the answer is shown. Every later unit of work reads it, so
        # the 未备案 conversion (which reads it after 2201) and the offline fallback still see it.
        self._uow_factory.defer(lambda uow: uow.persons.put(person, now, keys))
        log.info("eligibility fetched for %s", mask_number(person.id_number))
        return self._view(person, credential, now, from_cache=False)

    def _view(
        self,
        person: InsuredPerson,
        credential: Credential,
        fetched_at: datetime,
        *,
        from_cache: bool,
        notice: str = "",
        offline_reason: PlatformError | None = None,
    ) -> EligibilityView:
        now = self._clock.now()
        day = now.astimezone(LOCAL_ZONE).date()
        row, cross, views = judge(person, credential, self._hospital, day)
        return EligibilityView(
            person=person,
            credential=credential,
            day=day,
            settlement_insurance=row,
            cross_province=cross,
            insured_province=province_name(row.insured_admdvs) if row else "",
            qualifications=views,
            fetched_at=fetched_at,
            from_cache=from_cache,
            age=max(now - fetched_at, timedelta(0)),
            notice=notice,
            offline_reason=offline_reason,
        )

    def _from_cache(self, keys: tuple[str, ...], exc: PlatformError) -> EligibilityView:
        cached = None
        with self._uow_factory() as uow:
            for key in keys:
                cached = uow.persons.find(key)
                if cached is not None:
                    break
        if cached is None:
            raise exc
        age = self._clock.now() - cached.fetched_at
        if age > self._max_age:
            hours = int(age.total_seconds() // 3600)
            exc.message = words.CACHE_TOO_OLD(
                reason=exc.words, hours=hours, limit=int(self._max_age.total_seconds() // 3600)
            )
            exc.text = str(exc.message)
            raise exc
        notice = str(words.CACHED_NOTICE(reason=failure_text(exc), age=_age_text(age)))
        credential = Credential(
            CredentialKind.ID_NUMBER, cached.person.id_number, id_number=cached.person.id_number
        )
        return self._view(
            cached.person,
            credential,
            cached.fetched_at,
            from_cache=True,
            notice=notice,
            offline_reason=exc,
        )


def _any_admdvs(person: InsuredPerson) -> str:
    return next((row.insured_admdvs for row in person.insurances), "")


def _with_qualifications(
    person: InsuredPerson, qualifications: tuple[Qualification, ...]
) -> InsuredPerson:
    return replace(person, qualifications=tuple(qualifications))


def _lookup_keys(person: InsuredPerson, credential: Credential) -> tuple[str, ...]:
    keys = [f"id:{person.id_number}", f"psn:{person.person_no}"]
    if credential.kind is CredentialKind.CARD:
        keys.append(f"card:{credential.number}")
    return tuple(keys)


def _offline_keys(identity: IdentityInput) -> tuple[str, ...]:
    """Cache keys that can be computed without the platform (a voucher needs the online decode)."""
    try:
        if identity.kind is IdentityKind.ID_NUMBER:
            return (f"id:{parse_id_number(identity.value).value}",)
        if identity.kind is IdentityKind.CARD_STRING:
            card = parse_card_string(identity.value)
            return (f"card:{card.card_number}", f"id:{card.id_number.value}")
    except InputError:
        return ()
    return ()


def _age_text(age: timedelta) -> Message:
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return words.AGE_MINUTES(minutes=max(minutes, 1))
    return words.AGE_HOURS(hours=minutes // 60, minutes=minutes % 60)
