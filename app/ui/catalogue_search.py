"""Catalogue search (F4): type a hospital code, a name or pinyin initials; Enter adds the first hit.

The query waits for a short pause in typing and runs on the STORE lane; an answer older than the
text now in the box is dropped, and a query still queued when the cashier typed on is skipped, so a
slow full scan never delays the newer one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QTimer, Signal

from app.domain.catalogue import CatalogueItem
from app.ui.context import WindowContext
from app.ui.models.catalogue_model import CatalogueModel
from app.ui.panels.bill_panel import BillPanel
from app.workers.runner import Lane, TaskRunner

SEARCH_LIMIT = 50


class CatalogueSearch(QObject):
    """Drives the bill panel's search box and result list.

    Signals:
        answered(int): a search's answer was shown (how many items).
    """

    answered = Signal(int)

    def __init__(
        self,
        ctx: WindowContext,
        runner: TaskRunner,
        panel: BillPanel,
        *,
        model: CatalogueModel,
        add_item: Callable[[CatalogueItem], None],
        debounce_ms: int,
        parent: QObject | None = None,
    ) -> None:
        """``add_item`` puts a chosen item on the bill."""
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._panel = panel
        self._model = model
        self._add_item = add_item
        self._generation = 0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(debounce_ms)
        self.timer.timeout.connect(self._run)
        panel.search_edit.textChanged.connect(self._on_text_changed)
        panel.search_edit.returnPressed.connect(self._add_first_result)
        panel.search_results.activated.connect(self._on_result_activated)

    def stop(self) -> None:
        """The window closes."""
        self.timer.stop()

    def _on_text_changed(self, text: str) -> None:
        self._generation += 1
        if not text.strip():
            self.timer.stop()
            self._model.set_items([])
            self._panel.search_results.hide()
            return
        self.timer.start()

    def _run(self) -> None:
        text = self._panel.search_edit.text().strip()
        generation = self._generation

        def search() -> tuple[CatalogueItem, ...]:
            if generation != self._generation:
                # The cashier typed on while this search waited for the STORE lane: skip it, so a
                # slow query (a full scan of 500,000 names) does not delay the newer one.
                return ()
            return tuple(self._ctx.backend.search_catalogue(text, SEARCH_LIMIT))

        def shown(items: tuple[CatalogueItem, ...]) -> None:
            if generation != self._generation:
                return  # the cashier kept typing; an older answer must not replace a newer one
            self._model.set_items(items)
            self._panel.search_results.setVisible(self._model.rowCount() > 0)
            if self._model.rowCount():
                self._panel.search_results.setCurrentIndex(self._model.index(0, 0))
            self.answered.emit(len(items))

        self._runner.submit(search, shown, self._ctx.show_error, lane=Lane.STORE)

    def _add_first_result(self) -> None:
        index = self._panel.search_results.currentIndex()
        item = self._model.item(index.row() if index.isValid() else 0)
        if item is not None:
            self._add_item(item)

    def _on_result_activated(self, index: QModelIndex) -> None:
        item = self._model.item(index.row())
        if item is not None:
            self._add_item(item)
