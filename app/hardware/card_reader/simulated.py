"""A simulated card reader for the demo and tests: hands out card strings of chosen demo people.

The demo's cards are the sandbox's fictional people (``Person.card_string``); the UI selects one with
:meth:`SimulatedCardReader.select` ("insert this card"). No card inserted → the same DeviceError a real
reader gives when it finds no card.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from app.errors import DeviceError
from app.hardware.threads import DeviceThread
from app.services.ports.devices import DeviceHandler


class SimulatedCardReader:
    """``CardReader`` over a fixed set of card strings, keyed by a label (e.g. the person's name)."""

    def __init__(self, cards: Mapping[str, str], handler: DeviceHandler) -> None:
        self._cards = dict(cards)
        self._handler = handler
        self._selected: str | None = None
        self._lock = threading.Lock()
        self._thread = DeviceThread("simulated-card-reader")

    @property
    def labels(self) -> list[str]:
        """The cards one can insert."""
        return list(self._cards)

    def select(self, label: str | None) -> None:
        """Insert the card ``label`` (``None`` removes it)."""
        if label is not None and label not in self._cards:
            raise KeyError(label)
        with self._lock:
            self._selected = label

    def read_card(self) -> str:
        """The inserted card's string.

        Raises:
            DeviceError: no card is inserted.
        """
        self._handler.show_message("请插入或放置社保卡……")
        try:
            return self._thread.call(self._read)
        except DeviceError as exc:
            self._handler.show_error(exc.text)
            raise
        finally:
            self._handler.finished()

    def _read(self) -> str:
        self._thread.assert_on_thread()
        with self._lock:
            label = self._selected
        if label is None:
            raise DeviceError("读卡器中没有卡。请插入社保卡后再读卡。", code="reader_no_card")
        return self._cards[label]

    def close(self) -> None:
        """Stop the reader thread."""
        self._thread.shutdown()
