"""The platform core without HTTP: envelope checks, the msgid log, dispatch to the transactions."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from app.sandbox import fields
from app.sandbox.data import (
    Catalogue,
    Hospital,
    Person,
    Policies,
    load_catalogue,
    load_hospital,
    load_policies,
    load_population,
)
from app.sandbox.fields import Rejected
from app.sandbox.state import MessageRow, SandboxState

log = logging.getLogger(__name__)

_MSGID = re.compile(r"^[A-Z0-9]{12}\d{14}\d{4}$")


@dataclass(frozen=True)
class FileReply:
    """A 9102 answer: raw bytes sent as application/octet-stream."""

    filename: str
    content: bytes


Output = Mapping[str, Any] | FileReply | None


@dataclass
class Context:
    """Everything a transaction handler needs."""

    platform: Platform
    session: Session
    envelope: Mapping[str, Any]
    input: Mapping[str, Any]
    msgid: str
    infno: str
    now: datetime

    @property
    def today(self) -> date:
        """The platform's date."""
        return self.now.date()

    @property
    def insured_admdvs(self) -> str:
        """The envelope's ``insuplc_admdvs``."""
        return str(self.envelope.get("insuplc_admdvs") or "")

    def data(self) -> Mapping[str, Any]:
        """The ``input.data`` node."""
        return fields.node(self.input, "data", "交易输入")

    def person(self, psn_no: str) -> Person:
        """The person ``psn_no``, checking the envelope's insured region against their rows."""
        person = self.platform.people_by_psn_no.get(psn_no)
        if person is None:
            raise Rejected(f"人员编号 {psn_no} 不存在，未查询到参保信息")
        admdvs = self.insured_admdvs
        if not admdvs:
            raise Rejected("参保地医保区划（insuplc_admdvs）不能为空：涉及人员编号的交易必须填写")
        if admdvs not in {row.insured_admdvs for row in person.insurances}:
            raise Rejected(
                f"参保地医保区划（insuplc_admdvs）{admdvs} 与该人员的参保地不一致，请按 1101 返回的参保信息填写"
            )
        return person


Handler = Callable[[Context], Output]

# Envelope fields (interface.md B §1.1): name → (label, max length, required)
ENVELOPE_FIELDS: dict[str, tuple[str, int, bool]] = {
    "infno": ("交易编号", 6, True),
    "msgid": ("发送方报文ID", 30, True),
    "mdtrtarea_admvs": ("就医地医保区划", 6, True),
    "insuplc_admdvs": ("参保地医保区划", 6, False),
    "recer_sys_code": ("接收方系统代码", 10, True),
    "dev_no": ("设备编号", 100, False),
    "dev_safe_info": ("设备安全信息", 2000, False),
    "cainfo": ("数字签名信息", 1024, False),
    "signtype": ("签名类型", 10, False),
    "infver": ("接口版本号", 6, True),
    "opter_type": ("经办人类别", 3, True),
    "opter": ("经办人", 30, True),
    "opter_name": ("经办人姓名", 50, True),
    "inf_time": ("交易时间", 19, True),
    "fixmedins_code": ("定点医药机构编号", 30, True),
    "fixmedins_name": ("定点医药机构名称", 200, True),
    "sign_no": ("交易签到流水号", 30, False),
}


# The platform keeps Beijing time whatever the host's zone (test and CI machines usually run UTC; a
# host clock would put every settlement made after 16:00 UTC on the wrong day).
CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_now() -> datetime:
    """The platform's clock: naive China local time, as its messages carry it."""
    return datetime.now(CHINA_TIME).replace(tzinfo=None)


@dataclass
class Platform:
    """The simulated national platform: data, state and the transaction table."""

    state: SandboxState
    hospital: Hospital = field(default_factory=load_hospital)
    people: tuple[Person, ...] = field(default_factory=load_population)
    policies: Policies = field(default_factory=load_policies)
    catalogue: Catalogue = field(default_factory=load_catalogue)
    clock: Callable[[], datetime] = china_now
    lock: threading.RLock = field(default_factory=threading.RLock)
    handlers: dict[str, Handler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from app.sandbox.transactions import HANDLERS  # noqa: PLC0415 - transactions import Platform

        self.handlers.update(HANDLERS)
        self.index_people()

    def index_people(self) -> None:
        """Rebuild the lookups after the population changed."""
        self.people_by_psn_no = {p.psn_no: p for p in self.people}
        self.people_by_id = {p.id_number: p for p in self.people}
        self.people_by_card = {p.card_no: p for p in self.people}
        self.people_by_token = {p.ec_token: p for p in self.people}
        self.people_by_voucher = {p.voucher_code: p for p in self.people}

    def process(self, envelope: Mapping[str, Any]) -> tuple[int, str, Output]:
        """Validate the envelope, refuse duplicates, run the transaction.

        Returns:
            ``(infcode, err_msg, output)``; ``infcode`` is 0 or -1.
        """
        with self.lock:
            try:
                infno, msgid = self._check_envelope(envelope)
            except Rejected as exc:
                return -1, exc.err_msg, None
            with self.state.session() as session:
                if session.get(MessageRow, msgid) is not None:
                    return -1, f"报文重复：发送方报文ID {msgid} 已处理过，本次不再执行", None
            outcome = self._run(envelope, infno, msgid)
            self._log_message(envelope, infno, msgid, outcome)
            return outcome

    def _run(self, envelope: Mapping[str, Any], infno: str, msgid: str) -> tuple[int, str, Output]:
        handler = self.handlers.get(infno)
        if handler is None:
            return -1, f"交易编号 {infno} 不存在或本平台未开放", None
        raw_input = envelope.get("input")
        if not isinstance(raw_input, Mapping):
            return -1, "输入参数（input）不能为空，且必须是 JSON 对象", None
        try:
            with self.state.session() as session:
                ctx = Context(self, session, envelope, raw_input, msgid, infno, self.clock())
                output = handler(ctx)
        except Rejected as exc:
            return -1, exc.err_msg, None
        return 0, "", output

    def _log_message(
        self, envelope: Mapping[str, Any], infno: str, msgid: str, outcome: tuple[int, str, Output]
    ) -> None:
        infcode, err_msg, _ = outcome
        data = envelope.get("input")
        psn_no = ""
        if isinstance(data, Mapping) and isinstance(data.get("data"), Mapping):
            psn_no = str(data["data"].get("psn_no") or "")[:30]
        with self.state.session() as session:
            session.add(
                MessageRow(
                    msgid=msgid,
                    infno=infno,
                    psn_no=psn_no,
                    received_at=self.clock().strftime("%Y-%m-%d %H:%M:%S.%f")[:23],
                    infcode=infcode,
                    err_msg=err_msg[:400],
                )
            )

    def _check_envelope(self, envelope: Mapping[str, Any]) -> tuple[str, str]:
        for name, (label, max_len, required) in ENVELOPE_FIELDS.items():
            fields.text(envelope, name, label, max_len, required=required)
        infno = str(envelope["infno"])
        msgid = str(envelope["msgid"])
        code = str(envelope["fixmedins_code"])
        if code != self.hospital.code:
            raise Rejected(f"定点医药机构编号 {code} 不存在或未开通跨省直接结算")
        if not _MSGID.match(msgid):
            raise Rejected(
                "发送方报文ID（msgid）格式错误：应为 30 位 = 定点医药机构编号(12) + yyyyMMddHHmmss(14) + 4 位顺序号"
            )
        if msgid[:12] != code:
            raise Rejected("发送方报文ID（msgid）前 12 位必须是本机构的定点医药机构编号")
        try:
            datetime.strptime(msgid[12:26], "%Y%m%d%H%M%S")  # noqa: DTZ007 - local time digits
        except ValueError:
            raise Rejected("发送方报文ID（msgid）中的时间 yyyyMMddHHmmss 无效") from None
        if str(envelope["mdtrtarea_admvs"]) != self.hospital.admdvs:
            raise Rejected(
                f"就医地医保区划（mdtrtarea_admvs）{envelope['mdtrtarea_admvs']} 与本机构所在区划 {self.hospital.admdvs} 不一致"
            )
        if str(envelope["opter_type"]) not in {"1", "2", "3"}:
            raise Rejected("经办人类别（opter_type）只能为 1、2 或 3")
        fields.timestamp(envelope, "inf_time", "交易时间")
        return infno, msgid

    def reload(
        self,
        *,
        people: tuple[Person, ...] | None = None,
        policies: Policies | None = None,
    ) -> None:
        """Replace the population and/or the policies."""
        with self.lock:
            if people is not None:
                self.people = people
                self.index_people()
            if policies is not None:
                self.policies = policies

    def reset_data(self) -> None:
        """Back to the shipped data files."""
        self.reload(people=load_population(), policies=load_policies())
