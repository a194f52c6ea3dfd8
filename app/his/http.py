"""The HTTP JSON adapter (``docs/his-openapi.yaml``).

Three POST calls under the HIS's base URL, JSON in UTF-8, amounts as strings:

* ``unpaid-visits``: ``{"key_kind", "key"}`` → ``{"visits": [...]}``;
* ``charges/current``: ``{"charge_ids": [...]}`` → ``{"charges": [...]}``;
* ``results``: one result (header ``Idempotency-Key`` = its key) → ``{"ack": {...}}``;
* optional (``[his] lock``): ``charges/lock`` ``{"visit_no", "charge_ids", "window", "claim_id"}`` →
  ``{"granted": true}`` or 409 with ``{"held_by": [...]}``; ``charges/unlock``
  ``{"charge_ids", "claim_id"}`` → ``{"unlocked": true}``.

A 4xx answer with ``{"error": {"code", "message"}}`` is a refusal (:class:`HisRejected`); no answer,
a timeout, a 5xx or a body that cannot be read is :class:`HisUnavailable`: the outbox retries with
the same key, and the HIS answers the first acknowledgement again. No transport-level retries: the
outbox owns retrying.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import requests

from app.domain.his import ChargeResult, CurrentCharge, HisAck, HisVisit, PatientKey
from app.domain.his_codec import (
    HisDataError,
    ack_from_dict,
    current_from_dict,
    result_to_dict,
    visit_from_dict,
)
from app.services.ports.his import HisLockHolder, HisRejected, HisUnavailable

DOWN_TEXT = "HIS 无响应"


# Statuses that mean "no such call here" (a HIS without the optional lock, or a wrong base URL).
NO_SUCH_CALL = frozenset({404, 405, 501})


class HttpHis:
    """:class:`~app.services.ports.his.HisGateway` over HTTP JSON."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str = "",
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
    ) -> None:
        """``base_url`` ends before the call names; ``token`` is sent as a bearer token if set."""
        self._base = base_url.rstrip("/") + "/"
        self._token = token
        self._timeout = (connect_timeout, read_timeout)
        self._local = threading.local()  # one session per thread (the window and the outbox)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # a hospital LAN address never goes through a proxy
            self._local.session = session
        return session

    def _post(
        self, call: str, body: Mapping[str, Any], key: str = "", *, held: int = 0
    ) -> Mapping[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if key:
            headers["Idempotency-Key"] = key
        try:
            answer = self._session().post(
                self._base + call,
                json=body,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise HisUnavailable(f"{DOWN_TEXT}（超时）", code="his_timeout") from None
        except requests.RequestException:
            raise HisUnavailable(f"{DOWN_TEXT}（无法连接）", code="his_unreachable") from None
        try:
            data = answer.json(parse_float=Decimal)
        except ValueError:
            data = None
        if held and answer.status_code == held and isinstance(data, Mapping) and "held_by" in data:
            return data
        if answer.status_code in NO_SUCH_CALL:  # the HIS does not offer this call at all
            missing = HisRejected if isinstance(data, Mapping) else HisUnavailable
            raise missing(
                f"HIS 没有提供 {call} 接口（HTTP {answer.status_code}）", code="his_no_such_call"
            )
        if 400 <= answer.status_code < 500 and isinstance(data, Mapping):
            error = data.get("error") or {}
            text = str(error.get("message", "")) if isinstance(error, Mapping) else ""
            raise HisRejected(text or f"HIS 拒绝（HTTP {answer.status_code}）", code="his_rejected")
        if answer.status_code != 200 or not isinstance(data, Mapping):
            raise HisUnavailable(
                f"{DOWN_TEXT}（HTTP {answer.status_code}，应答无法识别）", code="his_bad_answer"
            )
        return data

    def unpaid_visits(self, key: PatientKey) -> Sequence[HisVisit]:
        """POST ``unpaid-visits``."""
        data = self._post("unpaid-visits", {"key_kind": key.kind.value, "key": key.value})
        visits = data.get("visits")
        if not isinstance(visits, list):
            raise HisUnavailable(f"{DOWN_TEXT}（应答缺少 visits）", code="his_bad_answer")
        try:
            return [visit_from_dict(v) for v in visits if isinstance(v, Mapping)]
        except HisDataError as exc:
            raise HisRejected(f"HIS 传来的费用数据有误：{exc}", code="his_bad_data") from None

    def current_charges(self, charge_ids: Sequence[str]) -> Sequence[CurrentCharge]:
        """POST ``charges/current``."""
        data = self._post("charges/current", {"charge_ids": list(charge_ids)})
        charges = data.get("charges")
        if not isinstance(charges, list):
            raise HisUnavailable(f"{DOWN_TEXT}（应答缺少 charges）", code="his_bad_answer")
        try:
            return [current_from_dict(c) for c in charges if isinstance(c, Mapping)]
        except HisDataError as exc:
            raise HisUnavailable(f"HIS 应答无法识别：{exc}", code="his_bad_answer") from None

    def report(self, result: ChargeResult) -> HisAck:
        """POST ``results`` with the key as ``Idempotency-Key``."""
        data = self._post("results", result_to_dict(result), key=result.key)
        ack = data.get("ack")
        if not isinstance(ack, Mapping):
            raise HisUnavailable(f"{DOWN_TEXT}（应答缺少 ack）", code="his_bad_answer")
        try:
            parsed = ack_from_dict(ack)
        except HisDataError:
            raise HisUnavailable(f"{DOWN_TEXT}（ack 无法识别）", code="his_bad_answer") from None
        if parsed.key != result.key:
            raise HisUnavailable("HIS 应答的结果编号与发送的不一致", code="his_bad_answer")
        return parsed

    def lock(
        self, visit_no: str, charge_ids: Sequence[str], window: str, claim_id: str
    ) -> list[HisLockHolder]:
        """POST ``charges/lock`` (409 with ``held_by``: held by another claim)."""
        body = {
            "visit_no": visit_no, "charge_ids": list(charge_ids), "window": window,
            "claim_id": claim_id,
        }  # fmt: skip
        data = self._post("charges/lock", body, held=409)
        if "held_by" in data:
            rows = data.get("held_by")
            if not isinstance(rows, list) or not rows:
                raise HisUnavailable(f"{DOWN_TEXT}（held_by 无法识别）", code="his_bad_answer")
            return [_holder(row) for row in rows]
        if data.get("granted") is not True:
            raise HisUnavailable(f"{DOWN_TEXT}（应答缺少 granted）", code="his_bad_answer")
        return []

    def unlock(self, charge_ids: Sequence[str], claim_id: str) -> None:
        """POST ``charges/unlock``."""
        self._post("charges/unlock", {"charge_ids": list(charge_ids), "claim_id": claim_id})


def _holder(row: object) -> HisLockHolder:
    if not isinstance(row, Mapping):
        raise HisUnavailable(f"{DOWN_TEXT}（held_by 无法识别）", code="his_bad_answer")
    since: datetime | None = None
    try:
        if row.get("since"):
            since = datetime.fromisoformat(str(row["since"]))
    except ValueError:
        since = None
    return HisLockHolder(
        str(row.get("charge_id", "")), str(row.get("window", "")), str(row.get("claim_id", "")),
        since,
    )  # fmt: skip
