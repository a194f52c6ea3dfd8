"""Staff-facing words live in the message catalogue, not in services or the domain (issue 12 item 4).

The scan reads every string literal under ``app/services``, ``app/domain`` and ``app/validation`` and
in ``app/errors.py`` (docstrings and comments are not scanned: they document, they are never shown)
and fails on Chinese text outside the explicit allow-lists below. ``app/messages/__init__.py`` says which words are data and which are UI.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Data, not UI: names from the platform's code tables and the pilot notice, printed as they are
# spelled there, and patterns that recognise Chinese input. Whole modules whose Chinese is all data:
DATA_MODULES = frozenset(
    {
        "domain/amount_words.py",  # upper-case numerals of an amount (壹贰叁…), a number format
        "domain/disease.py",  # pilot disease names and categories, free-text hints
        "domain/region.py",  # province names of the division codes
        "domain/catalogue.py",  # catalogue levels 甲类 / 乙类 / 丙类
        "domain/operator.py",  # role names
        "domain/person.py",  # insurance types and sexes (platform code tables)
        "domain/settlement.py",  # fund types (platform code table)
        "domain/visit.py",  # certificate types (platform code table)
    }
)

# Words that are data wherever they appear: the fee categories printed on receipts and sent to the
# HIS, input values that code recognises, and the platform's own words that code recognises in an
# answer (its err_msg).
DATA_WORDS = frozenset(
    {
        "普通门诊",  # fee category: general outpatient
        "门诊慢特病",  # fee category: outpatient chronic and special diseases
        "门诊慢特病 ",  # ... followed by the disease code
        "全额自费",  # fee category: full self-pay
        "是",  # "yes" accepted in a catalogue file's flag column
        "原交易不存在",  # 2601: the original call never arrived (interface.md)
        "挂号已撤销",  # 2202: the visit was already withdrawn
    }
)


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def chinese_literals(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of every non-docstring string literal of ``path`` holding Chinese."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and CJK.search(node.value)
    ]


def offending_literals() -> list[str]:
    """``file:line: text`` of every Chinese literal in services and the domain outside the lists."""
    found: list[str] = []
    for package in ("services", "domain", "validation", "errors.py"):
        root = APP / package
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            name = str(path.relative_to(APP))
            if name in DATA_MODULES:
                continue
            found += [
                f"app/{name}:{line}: {text[:40]!r}"
                for line, text in chinese_literals(path)
                if text not in DATA_WORDS
            ]
    return found


def test_no_chinese_text_in_services_or_domain() -> None:
    found = offending_literals()
    assert not found, (
        "Chinese text in app/services, app/domain, app/validation or app/errors.py: put the words in app/messages/<area>.py and "
        "raise or return a Message (or, if it is data, add it to the lists above with the reason):\n"
        + "\n".join(found)
    )


def test_data_modules_exist() -> None:
    assert all((APP / name).is_file() for name in DATA_MODULES)


def test_the_scan_sees_chinese_literals_but_not_docstrings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""模块。"""\n\ndef f() -> str:\n    """函数。"""\n    return f"第 {1} 行"\n'
    )
    assert {line for line, _ in chinese_literals(sample)} == {5}
