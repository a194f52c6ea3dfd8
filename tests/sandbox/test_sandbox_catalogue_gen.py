"""The benchmark catalogue generator: size, uniqueness, determinism, usable items."""

from __future__ import annotations

import json
from pathlib import Path

from app.sandbox.catalogue_gen import generate_catalogue, main
from app.sandbox.data import load_catalogue


def test_generated_catalogue_has_unique_codes_and_is_deterministic() -> None:
    first = generate_catalogue(5000, seed=3)
    again = generate_catalogue(5000, seed=3)
    other = generate_catalogue(5000, seed=4)
    assert len(first.items) == len(first.by_national_code) == 5000
    assert list(first.items.values()) == list(again.items.values())
    assert list(first.items.values()) != list(other.items.values())
    shipped = load_catalogue()
    assert set(shipped.items) <= set(first.items)
    variant = list(first.items.values())[-1]
    assert variant.pinyin.isupper()
    assert variant.price > 0


def test_module_entry_point_writes_a_loadable_file(tmp_path: Path) -> None:
    out = tmp_path / "catalogue.json"
    assert main(["--size", "300", "--seed", "1", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["items"]) == 300
    assert len(load_catalogue(out).items) == 300
