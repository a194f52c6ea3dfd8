"""The one catalogue of staff-facing text (issue 12 item 4; style.md §3.8, §3.10).

How words reach staff:

* **Services, the domain and validation hold no words.** They raise :mod:`app.errors` types, or
  return typed reasons, carrying a :class:`Message`: a :class:`Template` of this catalogue plus the
  data it needs (a settlement number, an operator, a window, a line number…). They never write
  Chinese (or English) themselves; ``tests/unit/test_no_words_in_core.py`` fails when they do
  (``app/services``, ``app/domain``, ``app/validation``, ``app/errors.py``).
* **The templates live here,** one module per area (``bill.py`` for the HIS hand-off and fee lines,
  ``recovery.py`` for the journal's recovery, ``auth.py`` for logins and roles, …), each with its
  Simplified Chinese text (the staff's language, the default) and its English text
  (``[ui] language = "en"``). ``tests/unit/test_messages.py`` checks that the two name the same
  ``{placeholders}``, that the English has no Chinese in it and that every key is unique; a
  template called with missing or unknown data raises ``TypeError`` where it is called.
* **The edge picks the language.** :meth:`Message.render` renders either; :class:`Listing` joins a
  list the way each language does. ``str(message)`` and ``AppError.text`` are the Chinese text;
  ``AppError.message`` keeps the template and data. ``app.ui.errors.describe`` renders the window's
  language (the ``MessageBridge`` knows it) and ``app.cli.output.Output`` the console's. The Qt
  translation files are not involved: the Chinese is the source here, not a translation (as in
  ``app/cli/help_en.py`` for the console's help).
* **Records are written in Chinese.** Words that are stored rather than shown at once — journal
  notes, a failed group's text, an offline self-pay reason, receipts and slips, the labels an enum
  hands to a printer or a report (``ResultKind.label``) — are rendered in Chinese when written: they
  are documents, read back as they were made.
* **The platform's own words stay apart.** Where a message quotes the platform's ``err_msg`` it is a
  placeholder (``{platform_text}``), never part of the template, so it is shown as the platform
  wrote it (and ``app.ui.errors`` still shows it only as a quoted detail).

What may stay in ``app/domain`` (and the services) as **data, not UI** — the test's allow-lists:

* names defined by the national platform's code tables or policy documents, printed on receipts and
  reports as the platform spells them: fee categories (普通门诊 / 门诊慢特病 / 全额自费, also sent to
  the HIS), the pilot's disease names and categories (``domain/disease.py``), insurance types and
  sexes (``domain/person.py``), fund types (``domain/settlement.py``), certificate types
  (``domain/visit.py``), province names (``domain/region.py``), catalogue levels 甲类/乙类/丙类
  (``domain/catalogue.py``), operator role names (``domain/operator.py``);
* the platform's own answer texts that code recognises (原交易不存在, 挂号已撤销) and input values
  it accepts (是 in a catalogue file's flag column);
* the upper-case numerals of an amount in words (壹贰叁…, ``domain/amount_words.py``), a number
  format rather than a sentence;
* patterns that recognise Chinese input (the disease hints in ``domain/disease.py``).

Everything else — sentences that explain, refuse or instruct — is a template here. The platform
client's refusals and failures (``app/platform/outcomes.py``) are too, so the English window shows
them in English; the other edges (``app/cli``, ``app/config``, ``app/store``, ``app/his``,
``app/hardware``, ``app/printing``, ``app/workers``) still word their own messages where they are
made.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

CHINESE: Final = "zh_CN"
ENGLISH: Final = "en"
LANGUAGES: Final = (CHINESE, ENGLISH)


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` fields of a template text."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


@dataclass(frozen=True)
class Template:
    """One staff-facing text, in both languages, with named ``{placeholders}``.

    Attributes:
        key: stable identifier (``area.what``), unique in the catalogue; logs and tests use it.
        zh: Simplified Chinese text, what staff see by default.
        en: the same message in English.
    """

    key: str
    zh: str
    en: str

    def __call__(self, **data: object) -> Message:
        """This template filled with ``data``; every placeholder must be given, and nothing else.

        Raises:
            TypeError: a placeholder is missing or an unknown one is given (a programming error).
        """
        wanted = placeholders(self.zh)
        if set(data) != wanted:
            raise TypeError(
                f"message {self.key} takes {sorted(wanted)}, got {sorted(data)}"
            )  # a bug in the caller: fail where it is made, not when it is shown
        return Message(self, MappingProxyType(dict(data)))


@dataclass(frozen=True)
class Message:
    """A template and its data: what a service hands to the edge instead of words.

    A value may itself be a :class:`Message` (a fragment such as "line 3 of the bill"); it is
    rendered in the same language.
    """

    template: Template
    data: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def key(self) -> str:
        """The template's key."""
        return self.template.key

    def render(self, language: str = CHINESE) -> str:
        """The text in ``language`` (``en`` for English; anything else is Chinese)."""
        text = self.template.en if language == ENGLISH else self.template.zh
        values = {
            name: value.render(language) if isinstance(value, Message | Listing) else value
            for name, value in self.data.items()
        }
        return text.format(**values)

    def __str__(self) -> str:
        return self.render(CHINESE)


@dataclass(frozen=True)
class Listing:
    """Several values shown as one list, joined the way each language joins them (、 or ", ").

    Attributes:
        items: the values (plain data or messages).
        chinese_separator: what joins them in Chinese (``、`` for names, ``；`` for clauses).
        english_separator: what joins them in English.
    """

    items: tuple[object, ...]
    chinese_separator: str = "、"
    english_separator: str = ", "

    def render(self, language: str = CHINESE) -> str:
        """The items joined in ``language``."""
        separator = self.english_separator if language == ENGLISH else self.chinese_separator
        return separator.join(
            item.render(language) if isinstance(item, Message | Listing) else str(item)
            for item in self.items
        )

    def __str__(self) -> str:
        return self.render(CHINESE)


def render(text: str | Message, language: str = CHINESE) -> str:
    """``text`` in ``language``: a message is rendered; a plain string (data, or words that have not
    moved into the catalogue yet) is shown as it is."""
    return text.render(language) if isinstance(text, Message) else text
