"""The social-security card string from the card library, parsed into a typed card (pure).

The vendor library's ``iReadCardBas`` answers one ``|``-separated string (interface.md Part A §12, Part B
§7.1)::

    issuing region | social-security number (= ID number) | card number | card identification code (32)
    | name | reset info | spec version | issue date | expiry date | terminal no. | device no.

:func:`parse_card_string` checks every field it relies on and returns a :class:`SocialSecurityCard` or
raises :class:`CardDataError` (an :class:`app.errors.InputError`) whose text says what is wrong and what
to do. Anything else escaping from here is a bug: the fuzz tests feed it arbitrary text and bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.domain.masking import mask_number
from app.domain.visit import Credential, CredentialKind
from app.errors import InputError
from app.messages import Message
from app.messages import card as words
from app.validation.id_number import IdNumber, IdNumberError, parse_id_number

_REGION = re.compile(r"^\d{6}$", re.ASCII)
_CARD_NO = re.compile(r"^[A-Z0-9]{6,20}$")
_CARD_SN = re.compile(r"^[0-9A-Z]{32}$")
_DATE = re.compile(r"^\d{8}$", re.ASCII)
_ID_SHAPE = re.compile(r"^\d{17}[\dXx]$", re.ASCII)
_MAX_LENGTH = 1024
_REQUIRED_FIELDS = 5  # region, number, card number, identification code, name
_MAX_NAME = 50


class CardDataError(InputError):
    """The card string is unusable. Nothing was changed."""

    code = "card_data"


@dataclass(frozen=True)
class SocialSecurityCard:
    """A read social-security card (社会保障卡).

    Attributes:
        issuing_region: the issuing division code (first 6 characters of ``card_sn``).
        id_number: the social-security number, which is the holder's validated ID number.
        card_number: printed card number (``mdtrt_cert_no`` for 1101 with cert type 03).
        card_sn: the 32-character card identification code (``card_sn``).
        name: the holder's name as on the card.
    """

    issuing_region: str
    id_number: IdNumber
    card_number: str
    card_sn: str
    name: str
    reset_info: str = ""
    version: str = ""
    issue_date: date | None = None
    expiry_date: date | None = None
    terminal_no: str = ""
    device_no: str = ""

    @property
    def credential(self) -> Credential:
        """The credential for 1101/2201: kind CARD, the card number and its identification code."""
        return Credential(
            kind=CredentialKind.CARD,
            number=self.card_number,
            card_sn=self.card_sn,
            id_number=self.id_number.value,
            name=self.name,
        )

    @property
    def masked_label(self) -> str:
        """For logs and status lines: card number and ID masked, no name."""
        return str(
            words.MASKED_LABEL(
                card=mask_number(self.card_number), id=mask_number(self.id_number.value)
            )
        )

    def is_expired_on(self, day: date) -> bool:
        """Whether the card's validity ended before ``day`` (no expiry date = never)."""
        return self.expiry_date is not None and day > self.expiry_date


def decode_card_bytes(raw: bytes) -> str:
    """Decode a card library's output buffer: up to the first NUL, GB18030 (a superset of GBK).

    Raises:
        CardDataError: the bytes are not text in any encoding card libraries use.
    """
    text_bytes = raw.split(b"\x00", 1)[0]
    try:
        return text_bytes.decode("gb18030")
    except UnicodeDecodeError:
        pass
    try:
        return text_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise CardDataError(words.BAD_ENCODING(), code="card_encoding") from None


def _error(what: Message, code: str) -> CardDataError:
    return CardDataError(words.BAD_DATA(what=what), code=code)


def _parse_date(text: str, label: Message) -> date | None:
    if not text:
        return None
    if not _DATE.match(text):
        raise _error(words.DATE_FORMAT(label=label), "card_date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise _error(words.DATE_INVALID(label=label), "card_date") from None


def _has_control(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def _parse_name(name: str) -> str:
    if not name:
        raise _error(words.NAME_EMPTY(), "card_name")
    if len(name) > _MAX_NAME or _has_control(name) or not name.isprintable():
        raise _error(words.NAME_UNREADABLE(), "card_name")
    return name


def _parse_id(number: str) -> IdNumber:
    if not _ID_SHAPE.match(number):
        raise CardDataError(words.ID_SHAPE(), code="card_id_number")
    try:
        return parse_id_number(number)
    except IdNumberError as exc:
        raise CardDataError(words.ID_INVALID(reason=exc.words), code="card_id_number") from None


def parse_card_string(raw: str, *, today: date | None = None) -> SocialSecurityCard:
    """Parse the card library's string into a typed card.

    Args:
        raw: the ``|``-separated string (trailing NULs, whitespace and a trailing ``|`` are tolerated).
        today: when given, an expired card is refused.

    Raises:
        CardDataError: a field is missing or malformed, the card was read in the encrypted mode
            (number and name empty), or the card has expired.
    """
    text = raw.split("\x00", 1)[0].strip()
    if not text:
        raise _error(words.EMPTY(), "card_empty")
    if len(text) > _MAX_LENGTH or "|" not in text:
        raise _error(words.NOT_A_CARD(), "card_format")
    fields = [part.strip() for part in text.split("|")]
    if len(fields) < _REQUIRED_FIELDS:
        raise _error(
            words.TOO_FEW_FIELDS(found=len(fields), needed=_REQUIRED_FIELDS), "card_fields"
        )
    fields += [""] * (11 - len(fields))
    region, number, card_no, card_sn, name = fields[:5]
    if not number and not name:
        raise CardDataError(words.ENCRYPTED(), code="card_encrypted")
    if any(_has_control(part) for part in fields[:11]):
        raise _error(words.CONTROL_CHARACTERS(), "card_control")
    if not _REGION.match(region):
        raise _error(words.BAD_REGION(), "card_region")
    card_no = card_no.upper()
    if not _CARD_NO.match(card_no):
        raise _error(words.BAD_CARD_NO(), "card_number")
    card_sn = card_sn.upper()
    if not _CARD_SN.match(card_sn):
        raise _error(words.BAD_CARD_SN(), "card_sn")
    if card_sn[:6] != region:
        raise _error(words.SN_REGION_MISMATCH(), "card_sn_region")
    card = SocialSecurityCard(
        issuing_region=region,
        id_number=_parse_id(number),
        card_number=card_no,
        card_sn=card_sn,
        name=_parse_name(name),
        reset_info=fields[5],
        version=fields[6],
        issue_date=_parse_date(fields[7], words.ISSUE_DATE()),
        expiry_date=_parse_date(fields[8], words.EXPIRY_DATE()),
        terminal_no=fields[9],
        device_no=fields[10],
    )
    if today is not None and card.is_expired_on(today):
        raise CardDataError(words.EXPIRED(), code="card_expired")
    return card
