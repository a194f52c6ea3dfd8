"""The example file and docs/configuration.md are what the declarations in app/config give."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import pytest

from app.config import entries, example_config_path
from app.config import render as render_module
from app.config.render import (
    documentation_path,
    documentation_table,
    example_toml,
    with_generated_table,
)


def test_example_file_is_generated_from_the_declarations() -> None:
    assert example_config_path().read_text(encoding="utf-8") == example_toml(), (
        "run: python -m app.config.render --write"
    )


def test_documentation_table_is_generated_from_the_declarations() -> None:
    document = documentation_path().read_text(encoding="utf-8")
    assert document == with_generated_table(document), "run: python -m app.config.render --write"


def test_documentation_names_every_key_with_its_default() -> None:
    table = documentation_table()
    for entry in entries():
        assert f"| `{entry.key}` |" in table
        assert entry.declared.zh.split("。")[0] in table


def test_example_values_are_valid_by_their_own_declaration() -> None:
    data = tomllib.loads(example_toml())
    for entry in entries():
        section = data.get(entry.table, {}) if entry.table else data
        if entry.name in section:
            entry.declared.kind.parse(section[entry.name], entry.key, example_config_path().parent)


def test_a_changed_declaration_makes_the_check_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """The drift check can fail: a declaration whose text changed no longer matches the files."""
    first = entries()[0]
    changed = replace(first, declared=replace(first.declared, zh="改过的说明。"))
    monkeypatch.setattr(render_module, "entries", lambda: [changed, *entries()[1:]])
    assert example_config_path().read_text(encoding="utf-8") != render_module.example_toml()
    assert render_module.main(["--check"]) == 1
