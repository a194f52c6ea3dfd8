"""The window's backend between the Qt screens and the services (``app/workers``)."""

from __future__ import annotations

from app.messages import Template

NO_CARD_READER = Template(
    "window.no_card_reader",
    zh="未配置读卡器，请检查读卡器连接或改用电子凭证/身份证号。",
    en="No card reader is configured; check the reader's connection, or use the e-voucher or the "
    "ID number.",
)
STARTING = Template(
    "window.starting",
    zh="收费窗口正在启动，请稍候几秒再操作。",
    en="The window is still starting; wait a few seconds.",
)
