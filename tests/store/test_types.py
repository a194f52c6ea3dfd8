"""Column types: exact money, aware UTC times, authenticated field encryption; the key file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    create_engine,
    event,
    insert,
    select,
)

from app.errors import StoreError
from app.store.crypto import FieldCipher, FileKeyProvider
from app.store.types import EncryptedText, MoneyType, PriceType, UTCDateTime, bind_cipher

_META = MetaData()
_VALUES = Table(
    "type_values",
    _META,
    Column("id", Integer, primary_key=True),
    Column("money", MoneyType()),
    Column("price", PriceType()),
    Column("at", UTCDateTime()),
    Column("secret", EncryptedText("type_values.secret")),
    Column("other_secret", EncryptedText("type_values.other_secret")),
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A real SQLite file with one table of each type."""
    path = tmp_path_factory.mktemp("types") / "types.sqlite3"
    created = create_engine(f"sqlite:///{path}")
    # Durability is not under test here; thousands of hypothesis commits should not each fsync.
    event.listen(created, "connect", lambda conn, _: conn.execute("PRAGMA synchronous=OFF"))
    bind_cipher(created.dialect, FieldCipher.from_data_key(bytes(range(32))))
    _META.create_all(created)
    yield created
    created.dispose()


def _round_trip(engine: Engine, **values: object) -> dict[str, object]:
    with engine.begin() as connection:
        key = connection.execute(insert(_VALUES).values(**values)).inserted_primary_key[0]
        row = connection.execute(select(_VALUES).where(_VALUES.c.id == key)).one()
    return dict(row._mapping)


@given(fen=st.integers(min_value=-(10**17), max_value=10**17))
def test_money_round_trips_exactly_through_integer_fen(engine: Engine, fen: int) -> None:
    amount = Decimal(fen).scaleb(-2)
    row = _round_trip(engine, money=amount)
    assert row["money"] == amount
    assert str(row["money"]) == str(amount.quantize(Decimal("0.01")))
    with engine.connect() as connection:
        raw = connection.exec_driver_sql(
            "SELECT money FROM type_values WHERE id = ?", (row["id"],)
        ).scalar()
    assert raw == fen


@pytest.mark.parametrize("bad", [1.1, 0.5, True, "1.00"])
def test_money_refuses_floats_bools_and_text(engine: Engine, bad: object) -> None:
    with pytest.raises(Exception, match="Decimal"):
        _round_trip(engine, money=bad)


def test_money_refuses_amounts_below_the_fen(engine: Engine) -> None:
    with pytest.raises(Exception, match="分"):
        _round_trip(engine, money=Decimal("0.001"))


@pytest.mark.parametrize(
    "bad",
    [
        Decimal("12.345"),
        Decimal("1.000000000000000000000000000001"),  # more digits than the context keeps
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("-Infinity"),
        Decimal("1E+30"),
    ],
)
def test_money_fast_path_refuses_what_the_checked_path_refuses(bad: Decimal) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - MoneyError, ValueError or InvalidOperation
        MoneyType().process_bind_param(bad, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("good", ["0", "0E+5", "-0.01", "1.0000", "99999999999999.99"])
def test_money_fast_path_gives_the_exact_fen(good: str) -> None:
    amount = Decimal(good)
    assert MoneyType().process_bind_param(amount, None) == int(amount * 100)  # type: ignore[arg-type]


@given(micros=st.integers(min_value=0, max_value=10**15))
def test_prices_keep_six_places_exactly(engine: Engine, micros: int) -> None:
    price = Decimal(micros).scaleb(-6)
    assert _round_trip(engine, price=price)["price"] == price


def test_times_come_back_aware_utc_whatever_zone_went_in(engine: Engine) -> None:
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2026, 11, 23, 10, 30, 15, 123456, tzinfo=beijing)
    back = _round_trip(engine, at=moment)["at"]
    assert isinstance(back, datetime)
    assert back == moment
    assert back.tzinfo == UTC


def test_naive_times_are_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive"):
        _round_trip(engine, at=datetime(2026, 11, 23, 10, 30))  # noqa: DTZ001 - the point of the test


def test_encrypted_text_is_random_per_value_and_bound_to_its_column(engine: Engine) -> None:
    first = _round_trip(engine, secret="630102198001010011")
    second = _round_trip(engine, secret="630102198001010011")
    assert first["secret"] == second["secret"] == "630102198001010011"
    with engine.begin() as connection:
        blobs = (
            connection.exec_driver_sql(
                "SELECT secret FROM type_values WHERE id IN (?, ?)", (first["id"], second["id"])
            )
            .scalars()
            .all()
        )
        assert blobs[0] != blobs[1]
        assert b"630102198001010011" not in blobs[0]
        # A ciphertext moved to another column does not decrypt there.
        connection.exec_driver_sql(
            "UPDATE type_values SET other_secret = secret WHERE id = ?", (first["id"],)
        )
    with pytest.raises(StoreError) as raised, engine.connect() as connection:
        connection.execute(select(_VALUES.c.other_secret).where(_VALUES.c.id == first["id"])).one()
    assert raised.value.code == "store_decrypt"


def test_a_tampered_ciphertext_is_refused() -> None:
    cipher = FieldCipher.from_data_key(bytes(32))
    blob = bytearray(cipher.encrypt("马秀兰", "persons.payload"))
    blob[-1] ^= 1
    with pytest.raises(StoreError):
        cipher.decrypt(bytes(blob), "persons.payload")


def test_lookup_hashes_are_keyed_and_separated_by_kind() -> None:
    one = FieldCipher.from_data_key(bytes(32))
    other = FieldCipher.from_data_key(bytes([1]) * 32)
    assert one.lookup_hash("lookup", "630102198001010011") == one.lookup_hash(
        "lookup", " 630102198001010011 "
    )
    assert one.lookup_hash("lookup", "X") != other.lookup_hash("lookup", "X")
    assert one.lookup_hash("lookup", "X") != one.lookup_hash("psn_no", "X")


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    provider = FileKeyProvider(tmp_path / "keys" / "store.key")
    key = provider.data_key()
    assert len(key) == 32
    assert stat.S_IMODE((tmp_path / "keys" / "store.key").stat().st_mode) == 0o600
    assert FileKeyProvider(tmp_path / "keys" / "store.key").data_key() == key


@pytest.mark.skipif(os.name != "posix", reason="mode bits are POSIX")
def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.key"
    FileKeyProvider(path).data_key()
    path.chmod(0o644)
    with pytest.raises(StoreError) as raised:
        FileKeyProvider(path).data_key()
    assert raised.value.code == "store_key_permissions"
    assert "chmod 600" in raised.value.text


def test_a_truncated_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.key"
    FileKeyProvider(path).data_key()
    path.write_bytes(b"short")
    with pytest.raises(StoreError) as raised:
        FileKeyProvider(path).data_key()
    assert raised.value.code == "store_key_corrupt"
