"""The console words errors in ``[ui] language``; JSON keeps the Chinese text for programs."""

from __future__ import annotations

import io
import json

from app.cli.output import Output
from app.errors import InputError
from app.messages import ENGLISH
from app.messages import bill as bill_words


def _error() -> InputError:
    return InputError(bill_words.LINE_CODE_MISSING(line_no="7"), code="line_code")


def test_chinese_by_default() -> None:
    err = io.StringIO()
    Output(json_mode=False, out=io.StringIO(), err=err).error(_error())
    assert err.getvalue() == "错误：第 7 行缺少院内项目编码。\n"


def test_english_when_configured() -> None:
    err = io.StringIO()
    Output(json_mode=False, out=io.StringIO(), err=err, language=ENGLISH).error(_error())
    assert err.getvalue() == "Error: Line 7 has no hospital item code.\n"


def test_json_keeps_the_chinese_text_and_the_code() -> None:
    out = io.StringIO()
    Output(json_mode=True, out=out, err=io.StringIO(), language=ENGLISH).error(_error())
    document = json.loads(out.getvalue())
    assert document["error"] == "line_code"
    assert document["message"] == "第 7 行缺少院内项目编码。"
