"""Province profiles: where the real interface leaves a choice, a province may choose differently.

Part A is the default. A profile can send each transaction to its own path (the Hebei-style table of
interface.md B §1.4 a) and add envelope keys some provinces want (``fixmedins_soft_fcty``,
``enc_type``; B §1.1). Further variants (CSB headers, a DLL bridge) belong here as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

CALL_SERVICE_PATH = "/fsi/api/rsfComIfsService/callService"


@dataclass(frozen=True)
class ProvinceProfile:
    """How this province's gateway differs from Part A.

    Attributes:
        paths: infno → URL path for gateways with one path per transaction; others use
            :data:`CALL_SERVICE_PATH`.
        extra_envelope: additional envelope keys; they never replace one of the 18 standard fields.
    """

    paths: Mapping[str, str] = field(default_factory=dict)
    extra_envelope: Mapping[str, str] = field(default_factory=dict)

    def path_for(self, infno: str) -> str:
        """The URL path for ``infno``."""
        return self.paths.get(infno, CALL_SERVICE_PATH)


PART_A = ProvinceProfile()
