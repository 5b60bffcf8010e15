"""``checkov --external-checks-dir checkov_custom`` from a checkout: the same checks as the package.

Works from a clone with the package installed (``pip install -e .``), or without installing:
the checkout's ``src`` is put on the path first.
"""

import sys
from pathlib import Path

_src = Path(__file__).resolve().parent.parent / "src"
if _src.is_dir() and str(_src) not in sys.path:
    sys.path.insert(0, str(_src))

from prr_policies.checkov_adapter import register  # noqa: E402

register()
