"""The console composes its engine with the garbage collector paused, then freezes what it built
and turns the collector on again (``app.main.EngineWhenNeeded``; docs/performance.md, CLI
start-up): start-up pays for no full collection over SQLAlchemy's objects, and a long command still
collects its own garbage."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, cast

import pytest

import app.wiring.engine
import app.wiring.lookup
from app.config import Settings
from app.main import EngineWhenNeeded


@pytest.fixture
def collector_on() -> Any:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    if not was:
        gc.disable()


@pytest.mark.parametrize(("module", "name", "build"), [
    (app.wiring.lookup, "build_lookup_engine", "lookup"),
    (app.wiring.engine, "build_engine", "__call__"),
])  # fmt: skip
def test_the_engine_is_composed_without_collections_and_the_collector_is_on_again(
    monkeypatch: pytest.MonkeyPatch, collector_on: None, module: Any, name: str, build: str
) -> None:
    seen: list[bool] = []
    built = object()

    def compose(settings: Settings, folder: Path, **_: Any) -> object:
        seen.append(gc.isenabled())
        return built

    monkeypatch.setattr(module, name, compose)
    frozen_before = gc.get_freeze_count()

    result = getattr(EngineWhenNeeded(), build)(cast(Settings, None), Path("unused"))

    assert result is built
    assert seen == [False]  # no collection while composing
    assert gc.isenabled()  # on again afterwards
    assert gc.get_freeze_count() > frozen_before  # what start-up built is left out of later ones


def test_the_collector_is_on_again_when_composing_fails(
    monkeypatch: pytest.MonkeyPatch, collector_on: None
) -> None:
    def fail(settings: Settings, folder: Path, **_: Any) -> object:
        raise RuntimeError("store refused")

    monkeypatch.setattr(app.wiring.lookup, "build_lookup_engine", fail)

    with pytest.raises(RuntimeError):
        EngineWhenNeeded().lookup(cast(Settings, None), Path("unused"))
    assert gc.isenabled()
