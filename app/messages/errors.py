"""Words of the shared error taxonomy itself (``app/errors.py``)."""

from __future__ import annotations

from app.messages import Template

CANCELLED = Template("errors.cancelled", zh="操作已取消。", en="Cancelled.")
