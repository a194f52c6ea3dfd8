"""The data key and what is derived from it: field encryption and keyed lookup hashes.

Personal data (names, ID and card numbers, ecTokens, diagnoses tied to a person) is never written to the
database in plaintext (reliability.md §4.2). One random 256-bit *data key* lives outside the code and the
database — in the OS keyring where one is configured, else in a key file readable only by the app's user.
Three sub-keys are derived from it with HKDF-SHA256 so that encryption, lookup hashing and the audit chain
never share key material:

* AES-256-GCM for encrypted columns, a fresh 96-bit nonce per value, the column name as associated data
  (a value copied into another column does not decrypt);
* HMAC-SHA256 for lookup columns (find a cached person by ID number without storing the number);
* HMAC-SHA256 for the audit log's hash chain (an edited row cannot be re-chained without the key).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import StoreError
from app.private_files import secure_data_folder

log = logging.getLogger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12
_FORMAT_V1 = b"\x01"  # first byte of every ciphertext, so the scheme can change later
KEY_FILE_NAME = "store.key"


class KeyProvider(Protocol):
    """Source of the database's data key."""

    def data_key(self) -> bytes:
        """The 32-byte data key, created on first use."""
        ...


class FileKeyProvider:
    """The data key in a file only the app's user can read (mode 0600).

    The file is created with ``O_EXCL`` and mode 0600 on first use. A key file that group or others may
    read is refused rather than used: a leaked key makes the encryption worthless.
    """

    def __init__(self, path: Path) -> None:
        """Use (or create) the key file at ``path``."""
        self.path = path

    def data_key(self) -> bytes:
        """Read the key, creating the file if it does not exist yet."""
        if not self.path.exists():
            self._create()
        return self._read(self.path)

    def _create(self) -> None:
        try:
            _write_new_key(self.path, exclusive=True)
        except FileExistsError:
            return  # another process created it first; use theirs
        log.info("created a new database key file")

    @property
    def next_path(self) -> Path:
        """Where a key being rotated in waits until the database has switched to it."""
        return self.path.with_name(self.path.name + ".next")

    def stage_next_key(self) -> bytes:
        """Write a new random key next to the current one (durably) and return it."""
        _write_new_key(self.next_path, exclusive=False)
        return self._read(self.next_path)

    def next_key(self) -> bytes | None:
        """The staged key, if a rotation was started and not finished."""
        return self._read(self.next_path) if self.next_path.exists() else None

    def promote_next_key(self) -> None:
        """Make the staged key the current one (atomic rename, directory synced)."""
        os.replace(self.next_path, self.path)
        _sync_directory(self.path.parent)
        log.info("database key file rotated")

    def discard_next_key(self) -> None:
        """Forget a staged key the database never switched to."""
        self.next_path.unlink(missing_ok=True)
        _sync_directory(self.path.parent)

    def _read(self, path: Path) -> bytes:
        self._check_permissions(path)
        try:
            key = path.read_bytes()
        except OSError as exc:
            raise StoreError(
                f"无法读取数据库密钥文件 {path}，请检查文件权限或联系信息科。",
                code="store_key_unreadable",
            ) from exc
        if len(key) != KEY_BYTES:
            raise StoreError(
                f"数据库密钥文件 {path} 已损坏（长度不对）。请从备份恢复密钥文件，或联系信息科。",
                code="store_key_corrupt",
            )
        return key

    def _check_permissions(self, path: Path) -> None:
        if os.name != "posix":
            return  # NTFS ACLs are set by the installer; mode bits mean nothing there
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise StoreError(
                f"数据库密钥文件 {path} 的权限过宽（{mode:o}），其他用户可以读取。"
                "请执行 chmod 600 后重新启动，或联系信息科。",
                code="store_key_permissions",
            )


@runtime_checkable
class RotatableKeyProvider(KeyProvider, Protocol):
    """A key source that can stage a new key and switch to it once the database has (two phases)."""

    def stage_next_key(self) -> bytes:
        """Create and durably keep a new key beside the current one; return it."""
        ...

    def next_key(self) -> bytes | None:
        """The staged key of an unfinished rotation, if any."""
        ...

    def promote_next_key(self) -> None:
        """Make the staged key current."""
        ...

    def discard_next_key(self) -> None:
        """Drop a staged key the database never switched to."""
        ...


def _write_new_key(path: Path, *, exclusive: bool) -> None:
    try:
        secure_data_folder(path.parent)  # the data folder: 0700 before the key is in it
        if not exclusive:
            path.unlink(missing_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise
    except OSError as exc:
        raise StoreError(
            f"无法创建数据库密钥文件 {path}，请检查数据目录的权限。", code="store_key_create"
        ) from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(KEY_BYTES))
        handle.flush()
        os.fsync(handle.fileno())
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class KeyringKeyProvider:
    """The data key in the OS keyring (Windows Credential Manager / DPAPI, Secret Service, Keychain).

    Needs the optional ``keyring`` package; :func:`keyring_available` says whether it can be used.
    """

    def __init__(
        self, service: str = "settlement-window", username: str = "store-data-key"
    ) -> None:
        """Use the keyring entry ``service``/``username``."""
        self.service = service
        self.username = username

    def data_key(self) -> bytes:
        """Read the key from the keyring, storing a new one on first use."""
        import keyring  # noqa: PLC0415 - optional dependency, only when configured

        stored = keyring.get_password(self.service, self.username)
        if stored is None:
            stored = secrets.token_hex(KEY_BYTES)
            keyring.set_password(self.service, self.username, stored)
            log.info("stored a new database key in the OS keyring")
        try:
            key = bytes.fromhex(str(stored))
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise StoreError(
                "系统密钥库中的数据库密钥已损坏，请联系信息科恢复密钥。", code="store_key_corrupt"
            )
        return key


def keyring_available() -> bool:
    """Whether the optional ``keyring`` package is installed with a usable backend."""
    try:
        import keyring  # noqa: PLC0415
        from keyring.backends import fail  # noqa: PLC0415
    except ImportError:
        return False
    return not isinstance(keyring.get_keyring(), fail.Keyring)


def default_key_provider(data_dir: Path, *, use_keyring: bool = False) -> KeyProvider:
    """The keyring when asked for and available, else ``<data_dir>/store.key`` (0600)."""
    if use_keyring and keyring_available():
        return KeyringKeyProvider()
    if use_keyring:
        log.warning("OS keyring requested but not available; using the key file")
    return FileKeyProvider(data_dir / KEY_FILE_NAME)


def _derive(key: bytes, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose)
    return hkdf.derive(key)


@dataclass(frozen=True, eq=False)
class FieldCipher:
    """Encryption and keyed hashing with keys derived from one data key."""

    _aead: AESGCM
    _lookup_key: bytes
    _chain_key: bytes

    @classmethod
    def from_data_key(cls, key: bytes) -> FieldCipher:
        """Derive the sub-keys from a 32-byte data key."""
        if len(key) != KEY_BYTES:
            raise StoreError("数据库密钥长度不对，请联系信息科。", code="store_key_corrupt")
        return cls(
            AESGCM(_derive(key, b"settlement-window/field-encryption/v1")),
            _derive(key, b"settlement-window/lookup-hmac/v1"),
            _derive(key, b"settlement-window/audit-chain/v1"),
        )

    def encrypt(self, plaintext: str, context: str) -> bytes:
        """AES-256-GCM under a random nonce; ``context`` (``table.column``) is authenticated."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return _FORMAT_V1 + nonce + sealed

    def decrypt(self, blob: bytes, context: str) -> str:
        """Inverse of :meth:`encrypt`; a tampered value or a wrong key raises :class:`StoreError`."""
        if blob[:1] != _FORMAT_V1 or len(blob) < 1 + NONCE_BYTES + 16:
            raise _undecryptable(context)
        nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, sealed, context.encode("utf-8"))
        except InvalidTag:
            raise _undecryptable(context) from None
        return plain.decode("utf-8")

    def lookup_hash(self, kind: str, value: str) -> str:
        """Keyed HMAC-SHA256 (hex) of ``value`` for equality lookups; ``kind`` separates domains."""
        message = f"{kind}\x00{value.strip()}".encode()
        return hmac.new(self._lookup_key, message, hashlib.sha256).hexdigest()

    def chain_hash(self, previous: str, canonical: bytes) -> str:
        """Keyed hash of an audit row chained to the previous row's hash."""
        return hmac.new(self._chain_key, previous.encode("ascii") + canonical, "sha256").hexdigest()


def _undecryptable(context: str) -> StoreError:
    return StoreError(
        "数据库中的加密数据无法解密：密钥文件与数据库不匹配，或数据已被改动。请联系信息科。",
        code="store_decrypt",
        detail={"column": context},
    )
