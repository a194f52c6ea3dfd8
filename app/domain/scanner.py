"""Keyboard-wedge scanner bursts and e-voucher codes (pure: no clock reads, no Qt).

A keyboard-wedge scanner "types" a whole code in a few milliseconds per character and ends it with a
terminator (CR, LF or both). A person types far slower. :class:`BurstRecogniser` is fed every typed
character with its timestamp and decides, per character, whether it belongs to a burst:

* characters are *held* while they keep coming faster than ``max_interval_ms``;
* a held run that ends with the terminator, carries the configured prefix/suffix and is long enough
  becomes a :class:`Scan` — the UI swallows those keystrokes, so digits never leak into a quantity field;
* a held run that stops (a gap, or :meth:`BurstRecogniser.flush` after the deadline) is given back as
  :class:`Typed` text when it is short — ordinary typing is delayed by at most ``max_interval_ms`` and
  never stolen — or reported as a :class:`GarbledScan` when it was too long and too fast for a person.

:func:`parse_voucher_code` then checks an e-voucher (医保电子凭证) QR code's format before anything is sent
to the e-voucher centre.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from app.errors import InputError
from app.messages import scanner as words


class Terminator(StrEnum):
    """What the scanner sends after a code."""

    CR = "CR"
    LF = "LF"
    CRLF = "CRLF"

    @property
    def text(self) -> str:
        """The characters."""
        return {"CR": "\r", "LF": "\n", "CRLF": "\r\n"}[self.value]


@dataclass(frozen=True)
class ScannerConfig:
    """How this window's scanner is set up (config ``[scanner]``)."""

    prefix: str = ""
    suffix: str = ""
    terminator: Terminator = Terminator.CR
    max_interval_ms: int = 30
    min_length: int = 16
    max_length: int = 512

    def __post_init__(self) -> None:
        if self.max_interval_ms <= 0 or self.min_length <= 0 or self.max_length < self.min_length:
            raise ValueError("scanner limits must be positive and max_length ≥ min_length")


@dataclass(frozen=True)
class Typed:
    """Ordinary typing, to be delivered to the focused field unchanged."""

    text: str


@dataclass(frozen=True)
class Scan:
    """A recognised burst: the code between prefix and suffix."""

    code: str


_GARBLED = str(words.GARBLED_SCAN())


@dataclass(frozen=True)
class GarbledScan:
    """A burst too fast for a person that did not end properly; swallowed and reported."""

    length: int
    text: str = _GARBLED


Output = Typed | Scan | GarbledScan


@dataclass
class BurstRecogniser:
    """Feeds on ``(char, timestamp_ms)``; returns what to deliver or report.

    The caller must call :meth:`flush` at :attr:`deadline_ms` (a timer), so that held characters are
    given back when no further key follows.
    """

    config: ScannerConfig = field(default_factory=ScannerConfig)
    _held: list[str] = field(default_factory=list)
    _last_ms: int | None = None

    @property
    def holding(self) -> bool:
        """Whether characters are being held back."""
        return bool(self._held)

    @property
    def deadline_ms(self) -> int | None:
        """When :meth:`flush` must be called to release held characters, or ``None``."""
        if not self._held or self._last_ms is None:
            return None
        return self._last_ms + self.config.max_interval_ms

    def feed(self, char: str, at_ms: int) -> list[Output]:
        """One typed character (a single code point; the terminator arrives as ``\\r``/``\\n``)."""
        outputs: list[Output] = []
        if self._held and not self._is_fast(at_ms):
            outputs.extend(self._release())
        self._held.append(char)
        self._last_ms = at_ms
        outputs.extend(self._decide())
        return outputs

    def flush(self, now_ms: int) -> list[Output]:
        """Release held characters if ``now_ms`` is past the deadline (else nothing)."""
        deadline = self.deadline_ms
        if deadline is None:
            return []
        clock_went_back = self._last_ms is not None and now_ms < self._last_ms
        if now_ms <= deadline and not clock_went_back:
            return []
        return self._release()

    def release_all(self) -> list[Output]:
        """Release whatever is held now (e.g. a non-text key arrived, or focus changes)."""
        return self._release() if self._held else []

    def _is_fast(self, at_ms: int) -> bool:
        last = self._last_ms
        return last is not None and 0 <= at_ms - last <= self.config.max_interval_ms

    def _decide(self) -> list[Output]:
        text = "".join(self._held)
        terminator = self.config.terminator.text
        if text.endswith(terminator):
            code = self._code_of(text[: -len(terminator)])
            if code is not None:
                self._reset()
                return [Scan(code)]
            return self._release()
        if len(text) > self.config.max_length:
            return self._release()
        return []

    def _code_of(self, body: str) -> str | None:
        prefix, suffix = self.config.prefix, self.config.suffix
        if not body.startswith(prefix) or not body.endswith(suffix):
            return None
        code = body[len(prefix) : len(body) - len(suffix)]
        if len(prefix) + len(suffix) > len(body) or len(code) < self.config.min_length:
            return None
        return code

    def _release(self) -> list[Output]:
        text = "".join(self._held)
        self._reset()
        if not text:
            return []
        if len(text) >= self.config.min_length:
            return [GarbledScan(len(text))]
        return [Typed(text)]

    def _reset(self) -> None:
        self._held.clear()
        self._last_ms = None


VOUCHER_LENGTH = 28


class VoucherCodeError(InputError):
    """A scanned e-voucher code is not in the national format. Nothing was changed."""

    code = "voucher_code"


@dataclass(frozen=True)
class VoucherCode:
    """A well-formed e-voucher QR code (28 digits), ready for the e-voucher centre's ``ec.query``."""

    value: str

    def __str__(self) -> str:
        return self.value


def parse_voucher_code(raw: str) -> VoucherCode:
    """Check a scanned 医保电子凭证 code: 28 digits (full-width digits from an IME are accepted).

    Raises:
        VoucherCodeError: with plain Chinese text saying what was scanned instead and what to do.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise VoucherCodeError(words.VOUCHER_EMPTY())
    if not text.isascii() or not text.isdigit():
        raise VoucherCodeError(
            words.VOUCHER_NOT_DIGITS(),
            code="voucher_not_digits",
        )
    if len(text) != VOUCHER_LENGTH:
        raise VoucherCodeError(
            words.VOUCHER_LENGTH(expected=VOUCHER_LENGTH, scanned=len(text)),
            code="voucher_length",
        )
    return VoucherCode(text)
