"""The hospital item catalogue: import from file, update from the platform's downloads, search.

The mapping hospital code ↔ national code is the hospital's own (its HIS maintains it), so it comes in by
file (``docs/bill-format.md`` §Catalogue files: JSON or CSV). The platform's 1301/1305/1306 downloads
carry the national attributes (item class 甲/乙/丙, self-pay ratio, price ceiling, restriction); a sync
applies them to the mapped items and remembers the version for the next incremental download.

Hospital mode (issue 13 item 3): the catalogue is imported once, into the hospital's PostgreSQL
(:class:`~app.services.ports.hospital.SharedCatalogue`); every window pulls what changed since the
version it holds (:meth:`CatalogueService.pull_shared`, run by the sync loop) into its local copy, which
is what searching and billing read — so a window keeps working from its copy while the server is down.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.domain.catalogue import CatalogueItem, ItemClass
from app.domain.money import parse_decimal
from app.domain.operator import Action, Operator, allows
from app.errors import InputError, PermissionDenied, StoreError
from app.messages import Message
from app.messages import catalogue as words
from app.messages import hospital_shared as shared_words
from app.messages import money as money_words
from app.services.bill_import import json_problem
from app.services.ports.clock import Clock, SystemClock
from app.services.ports.hospital import SharedCatalogue
from app.services.ports.platform import CallContext, PlatformGateway
from app.services.ports.progress import NO_PROGRESS, Progress, ProgressSink
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

DOWNLOAD_INFNOS = ("1301", "1305", "1306")
_ALIASES: dict[str, tuple[str, ...]] = {
    "hospital_code": ("hospital_code", "medins_list_codg"),
    "national_code": ("national_code", "med_list_codg", "hilist_code"),
    "name": ("name", "hilist_name"),
    "pinyin": ("pinyin",),
    "unit_price": ("unit_price", "price"),
    "spec": ("spec",),
    "unit": ("unit",),
    "item_type": ("item_type", "med_chrgitm_type"),
    "item_class": ("item_class", "chrgitm_lv"),
    "self_pay_ratio": ("self_pay_ratio", "selfpay_prop"),
    "price_ceiling": ("price_ceiling", "pric_uplmt_amt"),
    "restricted": ("restricted", "lmt_used_flag"),
}


PROGRESS_EVERY = 5_000  # rows read between progress reports
WRITE_CHUNK = 20_000  # items written between progress reports (one transaction in all)
PULL_BATCH = 5_000  # hospital mode: items pulled per round trip and local transaction


class CatalogueFileError(InputError):
    """A catalogue file could not be imported (the text names the row and field)."""

    code = "catalogue_file"


@dataclass(frozen=True)
class SyncResult:
    """What a platform sync changed."""

    downloaded: int
    updated: int
    version: str


def pinyin_initials(name: str) -> str:
    """Lower-case initials of a Chinese name (氨氯地平 → ald); other characters kept as they are."""
    # Imported here: its phrase tables take ≈ 0.3 s to load, and only catalogue imports need them.
    from pypinyin import Style, lazy_pinyin  # noqa: PLC0415

    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(part[:1] for part in letters if part.strip()).lower()


def _field(row: Mapping[str, Any], name: str) -> Any:
    for key in _ALIASES[name]:
        value = row.get(key)
        if value not in (None, "", "null"):
            return value
    return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _decimal(value: Any, what: str | Message, where: str | Message) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise CatalogueFileError(words.NOT_A_NUMBER(where=where, what=what, value=value)) from None


def _flag(value: Any) -> bool:
    return _text(value).lower() in ("1", "true", "yes", "是")


def item_from_row(row: Mapping[str, Any], where: str | Message) -> CatalogueItem:
    """One catalogue item from a JSON object or CSV row (field names in docs/bill-format.md)."""
    hospital_code = _text(_field(row, "hospital_code"))
    national_code = _text(_field(row, "national_code"))
    name = _text(_field(row, "name"))
    if not hospital_code or not national_code or not name:
        raise CatalogueFileError(words.CODES_MISSING(where=where))
    price_raw = _field(row, "unit_price")
    if price_raw is None:
        raise CatalogueFileError(words.PRICE_MISSING(where=where))
    try:
        price = parse_decimal(str(price_raw), money_words.UNIT_PRICE(), places=6)
    except InputError as exc:
        raise CatalogueFileError(words.ROW_REFUSED(where=where, reason=exc.words)) from None
    level = _text(_field(row, "item_class")) or ItemClass.A.value
    try:
        item_class = ItemClass(level)
    except ValueError:
        raise CatalogueFileError(words.BAD_LEVEL(where=where, level=level)) from None
    return CatalogueItem(
        hospital_code=hospital_code,
        national_code=national_code,
        name=name,
        pinyin=(_text(_field(row, "pinyin")) or pinyin_initials(name)).lower(),
        unit_price=price,
        spec=_text(_field(row, "spec")),
        unit=_text(_field(row, "unit")),
        item_type=_text(_field(row, "item_type")),
        item_class=item_class,
        self_pay_ratio=_decimal(_field(row, "self_pay_ratio"), words.SELF_PAY_RATIO(), where)
        or Decimal(0),
        price_ceiling=_decimal(_field(row, "price_ceiling"), words.PRICE_CEILING(), where),
        restricted=_flag(_field(row, "restricted")),
    )


def parse_catalogue_text(
    text: str, *, csv_format: bool, progress: Progress = NO_PROGRESS
) -> list[CatalogueItem]:
    """Items from a JSON (``{"items": [...]}`` or a list) or CSV (header row) catalogue file."""
    rows: Iterable[Mapping[str, Any]]
    if csv_format:
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        try:
            data = json.loads(text, parse_float=Decimal)
        except ValueError as exc:
            raise CatalogueFileError(words.NOT_JSON(error=json_problem(exc))) from None
        except RecursionError:
            raise CatalogueFileError(words.TOO_DEEP()) from None
        items = data.get("items") if isinstance(data, Mapping) else data
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise CatalogueFileError(words.NOT_A_LIST())
        rows = items
    rows = list(rows)
    parsed: list[CatalogueItem] = []
    for n, row in enumerate(rows, start=1):
        parsed.append(item_from_row(row, words.WHERE_ROW(n=n)))
        if n % PROGRESS_EVERY == 0:
            # Nothing is written while reading the file: stopping here is safe.
            progress.step(str(words.STEP_READ()), n, len(rows), cancellable=True)
    return parsed


class CatalogueService:
    """Import, platform sync and search."""

    def __init__(
        self,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        *,
        shared: SharedCatalogue | None = None,
        clock: Clock | None = None,
    ):
        """Bind to the platform and the store; ``shared`` is the hospital's catalogue (hospital
        mode), where imports go."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._shared = shared
        self._clock = clock or SystemClock()

    def sharing(self, shared: SharedCatalogue) -> CatalogueService:
        """This service in hospital mode: imports go to ``shared``, pulls come from it."""
        return CatalogueService(self._gateway, self._uow_factory, shared=shared, clock=self._clock)

    def import_file(self, path: Path, progress: ProgressSink | None = None) -> int:
        """Import a JSON or CSV catalogue file (by extension); returns the number of items.

        ``progress`` sees reading and writing; Cancel is honoured until the commit (the import is
        one transaction, so a cancelled import leaves the catalogue as it was).

        Raises:
            UserCancelled: the person stopped it (nothing was changed).
        """
        steps = Progress(progress)
        steps.step(str(words.STEP_READ()), cancellable=True)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise CatalogueFileError(words.UNREADABLE(path=path)) from None
        items = parse_catalogue_text(text, csv_format=path.suffix.lower() == ".csv", progress=steps)
        return self.import_items(items, progress)

    def import_items(
        self, items: Sequence[CatalogueItem], progress: ProgressSink | None = None
    ) -> int:
        """Insert or replace items by hospital code in one transaction (cancellable until the commit).

        Raises:
            UserCancelled: the person stopped it (rolled back: nothing was changed).
        """
        if self._shared is not None:
            return self._import_shared(self._shared, items, progress)
        steps = Progress(progress)
        count = 0
        with self._uow_factory() as uow:
            for start in range(0, len(items), WRITE_CHUNK):
                steps.step(str(words.STEP_WRITE()), start, len(items), cancellable=True)
                count += uow.catalogue.upsert_many(items[start : start + WRITE_CHUNK])
            steps.step(str(words.STEP_WRITE()), len(items), len(items), cancellable=True)
            steps.step(str(words.STEP_SAVE()), len(items), len(items))
            uow.commit()
        log.info("catalogue: %d items imported", count)
        return count

    def _import_shared(
        self,
        shared: SharedCatalogue,
        items: Sequence[CatalogueItem],
        progress: ProgressSink | None,
    ) -> int:
        """Hospital mode: import into the hospital's catalogue (one transaction), then pull."""
        steps = Progress(progress)

        def step(done: int, total: int) -> None:
            steps.step(
                str(shared_words.STEP_WRITE_HOSPITAL_CATALOGUE()), done, total, cancellable=True
            )

        try:
            changed = shared.import_items(items, self._clock.now(), step)
        except StoreError as exc:
            if exc.code != "hospital_unreachable":
                raise
            raise StoreError(
                shared_words.CATALOGUE_IMPORT_UNREACHABLE(),
                code="hospital_unreachable",
                detail=exc.detail,
            ) from exc
        log.info("catalogue: %d items imported into the hospital catalogue", changed)
        self.pull_shared(progress)
        return len(items)

    def pull_shared(self, progress: ProgressSink | None = None) -> int:
        """Hospital mode: copy what changed in the hospital's catalogue since the version this
        window holds; returns how many items were copied (0 outside hospital mode).

        Each batch is its own local transaction with the version reached, so an interrupted pull
        resumes where it stopped.

        Raises:
            StoreError: the hospital database is unreachable (the local copy stays as it is).
        """
        if self._shared is None:
            return 0
        steps = Progress(progress)
        with self._uow_factory() as uow:
            since = uow.catalogue.shared_version()
        pulled = 0
        while True:
            items, version = self._shared.changes(since, PULL_BATCH)
            if not items:
                break
            with self._uow_factory() as uow:
                uow.catalogue.upsert_many(items)
                uow.catalogue.set_shared_version(version)
                uow.commit()
            pulled += len(items)
            since = version
            steps.step(str(shared_words.STEP_PULL_CATALOGUE()), pulled)
        if pulled:
            log.info("catalogue: %d items pulled from the hospital catalogue", pulled)
        return pulled

    def sync(self, operator: Operator, progress: ProgressSink | None = None) -> SyncResult:
        """Download 1301/1305/1306 from the last version on and apply them to mapped items.

        Cancel is honoured between downloads (nothing is stored until all three are in).

        Raises:
            UserCancelled: the person stopped it before anything was applied.
        """
        steps = Progress(progress)
        if not allows(operator.role, Action.SYNC_CATALOGUE):
            raise PermissionDenied(words.SYNC_NOT_ALLOWED())
        with self._uow_factory() as uow:
            since = uow.catalogue.version() or "0"
        ctx = CallContext(operator)
        national: dict[str, Mapping[str, str]] = {}
        version = since
        for index, infno in enumerate(DOWNLOAD_INFNOS):
            steps.step(
                str(words.STEP_DOWNLOAD(infno=infno)), index, len(DOWNLOAD_INFNOS), cancellable=True
            )
            page = self._gateway.download_catalogue(ctx, infno, since)
            for row in page.rows:
                code = _text(_field(row, "national_code"))
                if code:
                    national[code] = row
            version = max(version, page.version or since)
            for row in page.rows:
                version = max(version, _text(row.get("ver")) or version)
        steps.step(
            str(words.STEP_UPDATE()), len(DOWNLOAD_INFNOS), len(DOWNLOAD_INFNOS), cancellable=True
        )
        updated = self._apply(national)
        with self._uow_factory() as uow:
            uow.catalogue.set_version(version)
            uow.commit()
        return SyncResult(downloaded=len(national), updated=updated, version=version)

    def _apply(self, national: Mapping[str, Mapping[str, str]]) -> int:
        if not national:
            return 0
        changed: list[CatalogueItem] = []
        with self._uow_factory() as uow:
            for code, row in national.items():
                for item in uow.catalogue.search(code, limit=20):
                    if item.national_code != code:
                        continue
                    level = _text(_field(row, "item_class"))
                    changed.append(
                        replace(
                            item,
                            item_class=ItemClass(level)
                            if level in {c.value for c in ItemClass}
                            else item.item_class,
                            self_pay_ratio=_decimal(_field(row, "self_pay_ratio"), "", "")
                            or item.self_pay_ratio,
                            price_ceiling=_decimal(_field(row, "price_ceiling"), "", "")
                            or item.price_ceiling,
                            restricted=_flag(_field(row, "restricted")),
                        )
                    )
            if changed and self._shared is None:
                uow.catalogue.upsert_many(changed)
            uow.commit()
        if changed and self._shared is not None:  # hospital mode: once, for every window
            self._import_shared(self._shared, changed, None)
        return len(changed)

    def search(self, text: str, limit: int = 50) -> tuple[CatalogueItem, ...]:
        """By hospital code, national code, pinyin initials (prefix) or name (substring)."""
        with self._uow_factory() as uow:
            return tuple(uow.catalogue.search(text.strip(), limit))

    def count(self) -> int:
        """Items held locally."""
        with self._uow_factory() as uow:
            return uow.catalogue.count()
