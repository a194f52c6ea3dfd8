"""The message catalogue: every template in both languages with the same placeholders, keys unique."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import app.messages
from app.errors import InputError
from app.messages import ENGLISH, Listing, Message, Template, placeholders

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _templates() -> list[tuple[str, Template]]:
    found: list[tuple[str, Template]] = []
    for info in pkgutil.iter_modules(app.messages.__path__, "app.messages."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, Template):
                found.append((f"{info.name}.{name}", value))
            elif isinstance(value, dict):  # a table of templates (e.g. one per action)
                found += [
                    (f"{info.name}.{name}[{key}]", item)
                    for key, item in value.items()
                    if isinstance(item, Template)
                ]
    return found


def test_catalogue_is_not_empty() -> None:
    assert len(_templates()) > 10


def test_keys_are_unique() -> None:
    keys = [template.key for _, template in _templates()]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


@pytest.mark.parametrize(("name", "template"), _templates(), ids=lambda value: str(value)[:60])
def test_both_languages_say_the_same_thing(name: str, template: Template) -> None:
    assert template.zh.strip(), name
    assert template.en.strip(), name
    assert not CJK.search(template.en), f"{name}: the English text has Chinese in it"
    assert placeholders(template.zh) == placeholders(template.en), name


SAMPLE = Template("test.sample", zh="第 {line} 行：{why}", en="Line {line}: {why}")
WHY = Template("test.why", zh="缺少编码。", en="the code is missing.")


def test_a_message_renders_in_either_language_with_nested_fragments() -> None:
    message = SAMPLE(line=3, why=WHY())
    assert str(message) == "第 3 行：缺少编码。"
    assert message.render(ENGLISH) == "Line 3: the code is missing."
    error = InputError(message, code="line_code")
    assert error.text == "第 3 行：缺少编码。" == str(error)
    assert error.render(ENGLISH) == "Line 3: the code is missing."
    assert isinstance(error.message, Message)
    assert error.message.key == "test.sample"


def test_wrong_data_fails_where_the_message_is_made() -> None:
    with pytest.raises(TypeError, match=r"test\.sample"):
        SAMPLE(line=3)
    with pytest.raises(TypeError, match=r"test\.sample"):
        SAMPLE(line=3, why="x", extra=1)


def test_plain_text_errors_render_as_written() -> None:
    assert InputError("请先读卡。").render(ENGLISH) == "请先读卡。"


def test_a_listing_joins_the_way_each_language_does() -> None:
    listing = Listing(("M1", WHY()))
    assert str(listing) == "M1、缺少编码。"
    assert listing.render(ENGLISH) == "M1, the code is missing."


def test_every_action_has_a_name() -> None:
    from app.domain.operator import Action  # noqa: PLC0415
    from app.messages import auth  # noqa: PLC0415

    assert set(auth.ACTIONS) == {action.value for action in Action}


def test_every_refusal_category_has_our_words() -> None:
    from app.errors import PlatformCategory  # noqa: PLC0415
    from app.messages import platform  # noqa: PLC0415

    # maintenance has its own message; network failures are never refusals
    expected = {c.value for c in PlatformCategory} - {"maintenance", "network"}
    assert set(platform.CATEGORIES) == expected
