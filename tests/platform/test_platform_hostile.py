"""R10: hostile responses end as a valid object or a typed ``ProtocolError`` — nothing else.

Five properties, each with an explicit example count (``PLATFORM_FUZZ_EXAMPLES``, default 1000 →
5,000 per CI run; nightly e.g. 10000 → 50,000). Mutations start from golden sandbox answers: keys
deleted or duplicated, values swapped for hostile ones (NaN, 1e309, -0.00, huge numbers, strings for
amounts, control characters, deep nesting), echoes broken, bodies truncated or corrupted.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from golden_cases import GOLDEN_NAMES, Pairs, Raw, check_result, emit, load, pipeline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.platform.codec import ProtocolError

EXAMPLES = int(os.environ.get("PLATFORM_FUZZ_EXAMPLES", "1000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SETTLEMENT_NAMES = ("2206", "2207", "2208")
PERSON_NAMES = ("9001", "1101", "5301", "1312", "voucher")
PIPELINES = {name: pipeline(name) for name in GOLDEN_NAMES}
TREES = {name: json.loads(load(name)["response"], parse_float=Decimal) for name in GOLDEN_NAMES}

HOSTILE_VALUES: tuple[object, ...] = (
    None, True, False, 0, -1, "", "abc", "12.30元", "１２.３０", "\x00\x1b[31m", "A" * 5000,
    Decimal("-0.00"), Decimal("0.001"), Decimal("-179.63"), Decimal("99999999999999999999.99"),
    10**40, Raw("1e309"), Raw("-1e309"), Raw("NaN"), Raw("Infinity"), Raw("-Infinity"),
    Raw("1E-400"), [], {}, [None], {"x": 1}, Raw("[" * 3000 + "]" * 3000),
    "H11010500001209901010000000000", "9999", "2026-13-45", "2026-02-30 25:61:00",
)  # fmt: skip


def run(name: str, raw: bytes) -> None:
    """The oracle: a valid object (whose claims hold) or ``ProtocolError``; anything else fails."""
    try:
        result = PIPELINES[name](raw)
    except ProtocolError as exc:
        reason = exc.reason
    else:
        check_result(name, result)
        return
    assert reason, "a refusal must say why (for the log)"


def _paths(tree: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [prefix]
    if isinstance(tree, Pairs):  # already mutated: a leaf from here on
        return found
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _copy(tree: object) -> Any:
    if isinstance(tree, Pairs):
        return Pairs((key, _copy(value)) for key, value in tree)
    if isinstance(tree, dict):
        return {key: _copy(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_copy(value) for value in tree]
    return tree


def _parent(tree: Any, path: tuple[object, ...]) -> tuple[Any, object]:
    node = tree
    for step in path[:-1]:
        node = node[step]
    return node, path[-1]


@st.composite
def mutated_tree(draw: st.DrawFn, names: tuple[str, ...]) -> tuple[str, str]:
    """A golden answer with 1–4 structural or value mutations, serialised."""
    name = draw(st.sampled_from(names))
    tree = _copy(TREES[name])
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(tree) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(tree, path)
        action = draw(
            st.sampled_from(("replace", "delete", "swap", "negate", "nudge", "duplicate"))
        )
        value = parent[key]  # type: ignore[index]
        if action == "replace":
            parent[key] = _copy(draw(st.sampled_from(HOSTILE_VALUES)))
        elif action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "swap":
            other_parent, other_key = _parent(tree, draw(st.sampled_from(paths)))
            parent[key] = _copy(other_parent[other_key])
        elif (
            action == "negate" and isinstance(value, Decimal | int) and not isinstance(value, bool)
        ):
            parent[key] = -value
        elif action == "nudge" and isinstance(value, Decimal) and value.is_finite():
            parent[key] = value + draw(st.sampled_from((Decimal("0.01"), Decimal("-0.01"))))
        elif action == "duplicate" and isinstance(parent, dict):
            pairs = Pairs(parent.items())
            pairs.append((str(key), _copy(draw(st.sampled_from(HOSTILE_VALUES)))))
            grand, slot = _parent(tree, path[:-1]) if len(path) > 1 else (None, None)
            if grand is None:
                return name, emit(pairs)
            grand[slot] = pairs
    return name, emit(tree)


@FUZZ
@given(case=mutated_tree(SETTLEMENT_NAMES))
def test_mutated_settlement_answers_are_valid_or_refused(case: tuple[str, str]) -> None:
    name, text = case
    run(name, text.encode("utf-8"))


@FUZZ
@given(case=mutated_tree(PERSON_NAMES))
def test_mutated_person_catalogue_and_voucher_answers_are_valid_or_refused(
    case: tuple[str, str],
) -> None:
    name, text = case
    run(name, text.encode("utf-8"))


@FUZZ
@given(case=mutated_tree(("2204",)))
def test_mutated_fee_splits_are_valid_or_refused(case: tuple[str, str]) -> None:
    name, text = case
    run(name, text.encode("utf-8"))


@FUZZ
@given(
    name=st.sampled_from(GOLDEN_NAMES),
    cut=st.floats(0, 1),
    noise=st.binary(max_size=8),
    where=st.floats(0, 1),
    mode=st.sampled_from(("truncate", "insert", "overwrite")),
)
def test_corrupted_bytes_are_refused_or_still_valid(
    name: str, cut: float, noise: bytes, where: float, mode: str
) -> None:
    raw = load(name)["response"].encode("utf-8")
    at = int(len(raw) * where)
    if mode == "truncate":
        raw = raw[: int(len(raw) * cut)]
    elif mode == "insert":
        raw = raw[:at] + noise + raw[at:]
    else:
        raw = raw[:at] + noise + raw[at + len(noise) :]
    run(name, raw)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(("infcode", "output", "setlinfo", "data", "result", "feedetail", "baseinfo",
                         "insuinfo", "medfee_sumamt", "psn_no", "code", "err_msg", "x")),
        children,
        max_size=5,
    ),
    max_leaves=30,
)  # fmt: skip


@FUZZ
@given(
    name=st.sampled_from(GOLDEN_NAMES), output=json_values, infcode=st.sampled_from((0, "0", -1))
)
def test_generated_outputs_are_valid_or_refused(name: str, output: object, infcode: object) -> None:
    envelope = {
        "infcode": infcode,
        "code": infcode,
        "err_msg": None,
        "output": output,
        "data": output,
    }
    run(name, emit(envelope).encode("utf-8"))


GOLDEN_FACTS: dict[str, Any] = {
    "9001": lambda r: r == "202611231203300000000000000001",
    "1101": lambda r: (
        (r.person_no, r.name, r.birth_date.isoformat())
        == ("13000000000000000002", "张建国", "1958-08-22")
    ),
    "5301": lambda r: [q.code for q in r] == ["M03900"],
    "1312": lambda r: r.rows[0]["hilist_code"] == "XC08CAA055A001010100101",
    "voucher": lambda r: r.ec_token == "130000ecsandbox00022355",
    "2204": lambda r: len(r) == 3,
    "2206": lambda r: (r.total, r.account, r.unread) == (Decimal("94.70"), Decimal("94.70"), ()),
    "2207": lambda r: (r.settlement_id, r.totals.unread) == ("400000000001", ()),
    "2208": lambda r: (r.settlement_id, r.totals.total) == ("400000000002", Decimal("-94.70")),
}


def test_every_golden_answer_parses_and_holds() -> None:
    for name in GOLDEN_NAMES:
        result = PIPELINES[name](load(name)["response"].encode("utf-8"))
        check_result(name, result)
        assert GOLDEN_FACTS[name](result), name


def test_the_oracle_can_fail_for_every_transaction() -> None:
    """A result of the wrong type, or one whose claims do not hold, fails the oracle."""
    for name in GOLDEN_NAMES:
        with pytest.raises(AssertionError):
            check_result(name, object())
    record = PIPELINES["2207"](load("2207")["response"].encode("utf-8"))
    unbalanced = replace(record, totals=replace(record.totals, cash=record.totals.cash + 1))
    with pytest.raises(AssertionError):
        check_result("2207", unbalanced)
    with pytest.raises(AssertionError):
        check_result("2207", replace(record, msgid="H11010500001202611231203309999"))


def test_the_sandbox_hostile_variants_are_refused() -> None:
    """The sandbox's own ``hostile`` fault variants, applied to the golden 2207 answer."""
    tree = _copy(TREES["2207"])
    info = tree["output"]["setlinfo"]
    variants: dict[str, Any] = {
        "negative": {"fund_pay_sumamt": -abs(info["fund_pay_sumamt"]) - Decimal("1.00")},
        "huge": {"medfee_sumamt": Decimal("99999999999999999999.99")},
        "nan": {"psn_cash_pay": Raw("NaN")},
        "string_amount": {"fund_pay_sumamt": f"{info['fund_pay_sumamt']}元"},
        "unbalanced": {"psn_cash_pay": info["psn_cash_pay"] + Decimal("1.00")},
        "wrong_msgid": {"medins_setl_id": info["medins_setl_id"][:26] + "9999"},
    }
    for variant, change in variants.items():
        hostile = _copy(tree)
        hostile["output"]["setlinfo"].update(change)
        try:
            PIPELINES["2207"](emit(hostile).encode("utf-8"))
        except ProtocolError:
            continue
        raise AssertionError(f"variant {variant} was accepted")
    wrong_infno = _copy(tree)
    wrong_infno["output"] = {"baseinfo": {"psn_no": info["psn_no"]}, "insuinfo": []}
    try:
        PIPELINES["2207"](emit(wrong_infno).encode("utf-8"))
    except ProtocolError:
        return
    raise AssertionError("a 1101-shaped answer to 2207 was accepted")
