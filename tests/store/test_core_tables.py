"""The tables of the identification path are declared once, as Core tables (app.store.tables), and
the mapped classes of app.store.models are mapped onto those very tables: the console's eligibility
path uses them without the ORM (docs/performance.md, CLI start-up), the rest of the store through
the ORM, and there is no second declaration that could drift."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.store import models, tables

PATH_TABLES = {
    "audit_log": models.AuditRow,
    "config_state": models.ConfigStateRow,
    "journal": models.JournalRow,
    "journal_events": models.JournalEvent,
    "msgid_counters": models.MsgIdCounter,
    "operators": models.OperatorRow,
    "person_lookups": models.PersonLookup,
    "persons": models.PersonRow,
    "store_meta": models.StoreMeta,
}


def test_the_core_module_alone_declares_the_paths_tables_without_the_orm() -> None:
    code = (
        "import sys, app.store.tables as t; "
        "print(sorted(t.metadata.tables)); "
        "print('sqlalchemy.orm' in sys.modules, 'app.store.models' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [str(sorted(PATH_TABLES)), "False False"]


def test_the_store_has_one_metadata() -> None:
    assert models.Base.metadata is tables.metadata


@pytest.mark.parametrize("name", sorted(PATH_TABLES))
def test_each_mapped_class_is_mapped_onto_the_core_table(name: str) -> None:
    mapped = PATH_TABLES[name]
    core = tables.metadata.tables[name]

    assert mapped.__table__ is core
    # Every column is typed on the class (for mypy and readers), and nothing else is.
    annotated = {key for key in mapped.__annotations__ if not key.startswith("_")}
    assert annotated == set(core.columns.keys())
