"""``[hospital_db]``: off by default, the URL policy applied when the file is read, the key required."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from app.config import settings_from_mapping
from app.errors import ConfigError, StoreError
from app.store.hospital.key import KEY_BYTES, create_hospital_key, read_hospital_key


def mapping(**hospital_db: object) -> dict[str, Any]:
    data: dict[str, Any] = {
        "platform": {"url": "https://ybj.example.cn", "passid": "pass01", "token": "t0ken"},
        "hospital": {"code": "H11010500001", "name": "测试医院", "admdvs": "110105"},
    }
    if hospital_db:
        data["hospital_db"] = dict(hospital_db)
    return data


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "hospital.key"
    create_hospital_key(path)
    return path


def test_hospital_mode_is_off_by_default() -> None:
    settings = settings_from_mapping(mapping())
    assert settings.hospital_db.url == ""
    assert not settings.hospital_db.enabled
    assert settings.hospital_db.sync_interval_seconds == 2.0


def test_a_complete_table_switches_hospital_mode_on(tmp_path: Path, key_file: Path) -> None:
    password = tmp_path / "db-password.txt"
    password.write_text("s3cret\n", encoding="utf-8")
    settings = settings_from_mapping(
        mapping(
            url="postgresql+psycopg://w01@db.hospital.lan:5432/hospital?sslmode=verify-full",
            password_file="db-password.txt",
            hospital_key_file="hospital.key",
            sync_interval_seconds=5,
        ),
        base_dir=tmp_path,
    )
    assert settings.hospital_db.enabled
    assert settings.hospital_db.password_file == str(password)
    assert settings.hospital_db.hospital_key_file == str(key_file)
    assert settings.hospital_db.sync_interval_seconds == 5.0


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+psycopg://w01:secret@127.0.0.1/h", "不能写密码"),
        ("postgresql+psycopg://w01@db.hospital.lan/h", "sslmode=verify-full"),
        ("postgresql+psycopg://w01@db.hospital.lan/h?sslmode=require", "sslmode=verify-full"),
        ("postgresql://w01@127.0.0.1/h", "postgresql+psycopg://"),
        ("postgresql+psycopg://w01@127.0.0.1", "数据库名"),
        ("127.0.0.1:5432", "格式不对"),
        ("postgresql+psycopg://w01@127.0.0.1:port/h", "格式不对"),
    ],
)
def test_an_unsafe_or_malformed_url_is_refused_naming_the_key(
    url: str, says: str, tmp_path: Path, key_file: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(mapping(url=url, hospital_key_file="hospital.key"), base_dir=tmp_path)
    assert caught.value.detail["key"] == "hospital_db.url"
    assert says in caught.value.text


def test_hospital_mode_without_the_hospital_key_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(mapping(url="postgresql+psycopg://w01@127.0.0.1:5432/h"))
    assert caught.value.detail["key"] == "hospital_db.hospital_key_file"
    assert "信息科" in caught.value.text


def test_a_missing_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(
            mapping(url="postgresql+psycopg://w01@127.0.0.1/h", hospital_key_file="nope.key"),
            base_dir=tmp_path,
        )
    assert caught.value.detail["key"] == "hospital_db.hospital_key_file"


def test_sync_interval_is_bounded() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(mapping(sync_interval_seconds=0))
    assert caught.value.detail["key"] == "hospital_db.sync_interval_seconds"


def test_a_new_hospital_key_is_private_random_and_never_overwritten(key_file: Path) -> None:
    key = read_hospital_key(key_file)
    assert len(key) == KEY_BYTES
    if os.name == "posix":
        assert key_file.stat().st_mode & 0o777 == 0o600
    with pytest.raises(StoreError) as caught:
        create_hospital_key(key_file)
    assert caught.value.code == "hospital_key_exists"
    assert read_hospital_key(key_file) == key


@pytest.mark.skipif(
    os.name != "posix", reason="file modes are POSIX; NTFS ACLs are the installer's"
)
def test_a_key_others_can_read_is_refused(key_file: Path) -> None:
    key_file.chmod(0o644)
    with pytest.raises(StoreError) as caught:
        read_hospital_key(key_file)
    assert caught.value.code == "hospital_key_permissions"


def test_a_key_of_the_wrong_length_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.key"
    path.write_bytes(b"x" * 16)
    path.chmod(0o600)
    with pytest.raises(StoreError) as caught:
        read_hospital_key(path)
    assert caught.value.code == "hospital_key_corrupt"
