"""The pure keyboard-wedge burst recogniser and the e-voucher code format."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.scanner import (
    BurstRecogniser,
    GarbledScan,
    Output,
    Scan,
    ScannerConfig,
    Terminator,
    Typed,
    VoucherCodeError,
    parse_voucher_code,
)
from app.errors import InputError

CODE = "6212007919031512200000000001"


# R11: 10,000 inputs in CI; FUZZ_EXAMPLES=100000 for the nightly campaign.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))


def feed_text(
    recogniser: BurstRecogniser, text: str, start_ms: int, step_ms: int
) -> tuple[list[Output], int]:
    outputs: list[Output] = []
    at = start_ms
    for char in text:
        outputs.extend(recogniser.feed(char, at))
        at += step_ms
    return outputs, at


def typed_text(outputs: list[Output]) -> str:
    return "".join(o.text for o in outputs if isinstance(o, Typed))


def test_a_fast_burst_with_the_terminator_is_a_scan_and_nothing_is_typed() -> None:
    recogniser = BurstRecogniser(ScannerConfig())
    outputs, _ = feed_text(recogniser, CODE + "\r", 0, 4)
    assert outputs == [Scan(CODE)]
    assert not recogniser.holding


def test_ordinary_typing_is_given_back_in_order() -> None:
    recogniser = BurstRecogniser(ScannerConfig(max_interval_ms=30))
    outputs, end = feed_text(recogniser, "12\r", 0, 150)
    outputs += recogniser.flush(end + 200)
    assert typed_text(outputs) == "12\r"
    assert not any(isinstance(o, Scan | GarbledScan) for o in outputs)


def test_a_held_key_is_released_only_after_the_deadline() -> None:
    recogniser = BurstRecogniser(ScannerConfig(max_interval_ms=30))
    assert recogniser.feed("7", 1000) == []
    assert recogniser.deadline_ms == 1030
    assert recogniser.flush(1020) == []
    assert recogniser.flush(1031) == [Typed("7")]


def test_two_keys_pressed_together_are_still_typing() -> None:
    recogniser = BurstRecogniser(ScannerConfig(max_interval_ms=30))
    outputs, end = feed_text(recogniser, "34", 0, 5)
    outputs += recogniser.flush(end + 100)
    assert outputs == [Typed("34")]


def test_typing_right_before_a_scan_is_kept_apart() -> None:
    recogniser = BurstRecogniser(ScannerConfig())
    first, _ = feed_text(recogniser, "5", 0, 0)
    burst, _ = feed_text(recogniser, CODE + "\r", 500, 3)
    assert first == []
    assert burst == [Typed("5"), Scan(CODE)]


@pytest.mark.parametrize("terminator", list(Terminator))
def test_prefix_suffix_and_each_terminator(terminator: Terminator) -> None:
    config = ScannerConfig(prefix="]Q", suffix="#", terminator=terminator)
    recogniser = BurstRecogniser(config)
    outputs, _ = feed_text(recogniser, "]Q" + CODE + "#" + terminator.text, 0, 2)
    assert outputs == [Scan(CODE)]


def test_a_burst_without_the_configured_prefix_is_garbled_not_typed() -> None:
    recogniser = BurstRecogniser(ScannerConfig(prefix="]Q"))
    outputs, _ = feed_text(recogniser, CODE + "\r", 0, 2)
    assert outputs == [GarbledScan(len(CODE) + 1)]


def test_a_burst_cut_short_without_terminator_is_garbled_after_the_deadline() -> None:
    recogniser = BurstRecogniser(ScannerConfig())
    outputs, end = feed_text(recogniser, CODE[:20], 0, 3)
    assert outputs == []
    assert recogniser.flush(end + 100) == [GarbledScan(20)]


def test_an_endless_burst_is_cut_off() -> None:
    recogniser = BurstRecogniser(ScannerConfig(max_length=64))
    outputs, _ = feed_text(recogniser, "9" * 100, 0, 1)
    assert GarbledScan(65) in outputs


def test_a_clock_that_goes_back_counts_as_a_gap() -> None:
    recogniser = BurstRecogniser(ScannerConfig())
    recogniser.feed("1", 1000)
    assert recogniser.feed("2", 10) == [Typed("1")]


def test_the_sandbox_voucher_code_is_accepted() -> None:
    assert parse_voucher_code(f" {CODE}\r\n").value == CODE


def test_full_width_digits_from_an_ime_are_accepted() -> None:
    wide = "".join(chr(ord("０") + int(d)) for d in CODE)
    assert parse_voucher_code(wide).value == CODE


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "voucher_code"),
        (CODE[:-1], "voucher_length"),
        (CODE + "0", "voucher_length"),
        ("https://example.invalid/pay?x=1", "voucher_not_digits"),
        (CODE[:10] + "O" + CODE[11:], "voucher_not_digits"),
        ("٦" * 28, "voucher_not_digits"),
    ],
)
def test_garbled_codes_are_refused_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(VoucherCodeError) as caught:
        parse_voucher_code(raw)
    assert caught.value.code == code
    assert "扫码" in caught.value.text


def _voucher_outcome(raw: str) -> str:
    """The code, or ``error:`` + the Chinese text; any other exception propagates."""
    try:
        return parse_voucher_code(raw).value
    except InputError as exc:
        kind = "error:" if isinstance(exc, VoucherCodeError) else "wrong type:"
        return kind + exc.text


_events = st.lists(
    st.tuples(
        st.one_of(st.characters(), st.sampled_from(["\r", "\n", "0", "6", "]", "#"])),
        st.integers(-5, 200),
    ),
    max_size=80,
)
_configs = st.builds(
    ScannerConfig,
    prefix=st.sampled_from(["", "]Q", "#"]),
    suffix=st.sampled_from(["", "#", "\t"]),
    terminator=st.sampled_from(list(Terminator)),
    max_interval_ms=st.integers(1, 100),
    min_length=st.integers(1, 40),
    max_length=st.integers(40, 200),
)


@settings(max_examples=FUZZ_EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
@given(_configs, _events)
def test_fuzz_every_character_is_accounted_for_and_codes_are_typed_results(
    config: ScannerConfig, events: list[tuple[str, int]]
) -> None:
    recogniser = BurstRecogniser(config)
    outputs: list[Output] = []
    at = 0
    for char, step in events:
        at += step
        outputs.extend(recogniser.feed(char, at))
    outputs.extend(recogniser.flush(at + config.max_interval_ms + 1))

    assert not recogniser.holding
    fed = "".join(char for char, _ in events)
    consumed = 0
    for output in outputs:
        assert isinstance(output, Typed | Scan | GarbledScan)
        if isinstance(output, Typed):
            assert fed.find(output.text, consumed) == consumed, "typing is given back in order"
            consumed += len(output.text)
        elif isinstance(output, GarbledScan):
            consumed += output.length
        else:
            wrapped = config.prefix + output.code + config.suffix + config.terminator.text
            assert fed.find(wrapped, consumed) == consumed
            assert len(output.code) >= config.min_length
            consumed += len(wrapped)
            assert not _voucher_outcome(output.code).startswith("wrong type:")
    assert consumed == len(fed), "no character vanishes or is invented"


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.text(max_size=60))
def test_fuzz_voucher_codes_give_a_code_or_an_input_error(raw: str) -> None:
    outcome = _voucher_outcome(raw)
    assert outcome
    assert not outcome.startswith("wrong type:")
    if not outcome.startswith("error:"):
        assert len(outcome) == 28
        assert outcome.isdigit()
        assert outcome.isascii()
