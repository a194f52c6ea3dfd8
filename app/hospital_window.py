"""Hospital mode in the window's composition (issue 13): the sync worker, this window's lock, the
adoption of rows resolved elsewhere, and the status bar. Used by :mod:`app.main` only."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.services.engine import Engine

log = logging.getLogger(__name__)


def install_hospital_window(window: Any, composition: Any, engine: Engine | None = None) -> None:
    """GUI thread: hospital mode's lag, waiting records and last sync on the status bar; with the
    ``engine``, the history of every window and the supervisor's windows tab
    (:func:`app.ui.tabs.hospital_tab.install_hospital_tabs`)."""
    if composition.hospital_state is None:
        return
    from app.ui.hospital_status import install_hospital_status  # noqa: PLC0415

    install_hospital_status(window, composition.hospital_state)
    if engine is not None:
        from app.ui.tabs.hospital_tab import install_hospital_tabs  # noqa: PLC0415
        from app.workers.hospital_backend import HospitalWindowBackend  # noqa: PLC0415

        backend = HospitalWindowBackend.for_engine(engine)
        if backend is not None:
            install_hospital_tabs(window, backend)
    if composition.hospital_wake is not None:
        # A settlement just committed: send it now rather than at the next interval (lag).
        window.group_settled.connect(lambda _group: composition.hospital_wake())
        window.settlement_finished.connect(composition.hospital_wake)


def start_hospital_sync(session: Any, engine: Engine) -> Any:
    """Hospital mode (``[hospital_db]``): the sync worker on its own thread (``None`` when off);
    its snapshot feeds the status bar. Local-first: nothing here waits for the hospital database."""
    from app.services.hospital_sync_loop import HospitalSyncWorker  # noqa: PLC0415
    from app.wiring import hospital_link  # noqa: PLC0415

    link = hospital_link(engine)
    if link is None:
        return None
    session.closers.append(link.close)
    presence = _hold_window_and_adopt(session, engine, link)
    interval = engine.settings.hospital_db.sync_interval_seconds
    device_no = engine.settings.window.device_no
    worker = HospitalSyncWorker(
        link.sync,
        engine.clock,
        interval,
        # The lock before any delivery: a record of this window is never in the hospital record
        # while its lock is free (others would take it for dead and could resolve its rows).
        before_round=lambda: presence.keep(device_no),
        after_round=lambda: _resolve_awaiting(engine),
    ).start()
    session.closers.append(worker.stop)  # closers run in reverse: the worker stops first
    return worker


def _resolve_awaiting(engine: Engine) -> bool:
    """After a round: ask again about the rows left for the server while it was away; ``False``
    when none was waiting (nothing recorded: the sync worker need not read its outbox again)."""
    if not engine.recovery.awaiting():
        return False
    engine.recovery.resolve_awaiting()
    return True


def _hold_window_and_adopt(session: Any, engine: Engine, link: Any) -> Any:
    """Hold this window's lock for its life (others then know it runs: issue 13 item 5) and close
    the rows a supervisor resolved elsewhere while it was down, before its own recovery runs.
    A second program with this window number is refused; an unreachable server is only logged."""
    from app.errors import StoreError  # noqa: PLC0415
    from app.services.hospital_resolve import HospitalResolveService  # noqa: PLC0415
    from app.store.hospital.presence import WindowPresence  # noqa: PLC0415

    presence = WindowPresence(link.database)
    try:
        presence.hold(engine.settings.window.device_no)
    except StoreError as exc:
        if exc.code == "window_in_use":
            raise
        log.warning("hospital database unreachable at start; window lock not held (%s)", exc.code)
    session.closers.append(presence.release)
    with engine.uow_factory() as uow:
        if not uow.journal.unresolved():
            return presence
    adopted = HospitalResolveService(
        uow_factory=engine.uow_factory,
        journal=link.record,
        liveness=presence,
        recovery=engine.recovery,
        clock=engine.clock,
        window=engine.settings.window.device_no,
    ).adopt_remote_resolutions()
    if adopted:
        log.info(
            "%d unresolved calls were resolved at another window while this one was down", adopted
        )
    return presence
