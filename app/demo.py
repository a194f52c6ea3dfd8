"""Demo mode's desk: the fictional operators, the sandbox catalogue and people's cards in a simulated
reader, and a warmed-up sandbox (the demo window and the GUI test fixtures both start this way).

Imported only when a demo or a training window (``demo = true``) starts: nothing here is on a
real window's path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from app.sandbox import SandboxServer
    from app.services.engine import Engine
    from app.services.ports.devices import DeviceHandler

DEMO_OPERATORS: tuple[tuple[str, str, str, str], ...] = (
    ("C001", "收费员甲", "cashier", "demo-cashier-2026"),
    ("R001", "挂号员丙", "registration", "demo-desk-2026"),
    ("S001", "主管乙", "supervisor", "demo-super-2026"),
)


def warm_up_sandbox(server: SandboxServer) -> None:
    """One throw-away request, so the in-process sandbox compiles its routes now, not during the
    first identification (werkzeug builds its URL matcher on first use while holding the GIL)."""
    import requests  # noqa: PLC0415

    with requests.Session() as http:
        http.get(server.url, timeout=5)


def prepare_demo(engine: Engine) -> None:
    """Demo operators and the sandbox catalogue in the demo's fresh store."""
    from app.domain.operator import Role  # noqa: PLC0415
    from app.sandbox.data import CATALOGUE_FILE  # noqa: PLC0415

    with engine.uow_factory() as uow:
        for code, name, role, password in DEMO_OPERATORS:
            if uow.operators.get(code) is None:
                uow.operators.add(code, name, Role(role), password)
        uow.commit()
    if engine.catalogue.count() == 0:
        engine.catalogue.import_file(CATALOGUE_FILE)


class DemoDesk(NamedTuple):
    """What a demo window adds to the engine: the simulated reader and its cards' labels."""

    reader: Any
    cards: tuple[str, ...]


def prepare_demo_desk(engine: Engine, handler: DeviceHandler) -> DemoDesk:
    """Demo operators and catalogue in the engine's store and the sandbox people's cards in a
    simulated reader (the demo window and the GUI test fixtures both start this way)."""
    prepare_demo(engine)
    reader, cards = demo_card_reader(handler)
    return DemoDesk(reader, cards)


def demo_card_reader(handler: DeviceHandler) -> tuple[Any, tuple[str, ...]]:
    """A simulated card reader holding the sandbox people's cards, keyed by name."""
    from app.hardware.card_reader.simulated import SimulatedCardReader  # noqa: PLC0415
    from app.sandbox.data import load_population  # noqa: PLC0415

    people = load_population()
    cards = {person.name: person.card_string for person in people}
    reader = SimulatedCardReader(cards, handler)
    return reader, tuple(cards)
