"""Where the page templates, static files and sample kits are: a checkout or an installed wheel.

In a checkout they are the top-level folders templates/, static/ and campaigns/; a wheel
installs the same folders inside the package as tcma/_templates, tcma/_static and
tcma/_campaigns (see setup.py).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def folder(name: str) -> Path:
    """The folder `name` (templates, static, campaigns) of this installation."""
    installed = PACKAGE / f"_{name}"
    return installed if installed.is_dir() else CHECKOUT / name


def in_checkout() -> bool:
    """True when tcma runs from a source checkout (editable install or the tree itself)."""
    return not (PACKAGE / "_templates").is_dir()
