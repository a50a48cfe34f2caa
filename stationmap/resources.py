"""Where stationmap's bundled files live: ``templates/`` and ``data/``.

In a source checkout (and an editable install) they sit beside the package at the
repository root; a regular install copies them to ``<prefix>/share/stationmap``.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent
_INSTALLED_ROOT = Path(sys.prefix) / "share" / "stationmap"


@cache
def resource_root() -> Path:
    """The folder holding ``templates/`` and ``data/``."""
    for root in (_CHECKOUT_ROOT, _INSTALLED_ROOT):
        if (root / "templates").is_dir() and (root / "data").is_dir():
            return root
    raise FileNotFoundError(
        f"stationmap cannot find its templates/ and data/ folders in {_CHECKOUT_ROOT} "
        f"or {_INSTALLED_ROOT}; reinstall the package (pip install -e . from the checkout)."
    )


def data_path(*parts: str) -> Path:
    """A path inside the bundled ``data/`` folder."""
    return resource_root().joinpath("data", *parts)


def static_dir() -> Path:
    """The pages' own scripts and stylesheets."""
    return resource_root() / "static"


def templates_dir() -> Path:
    """The bundled Jinja templates folder."""
    return resource_root() / "templates"
