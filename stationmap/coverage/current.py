"""The surface coverage counts now: the modelled one with the store's loaded county figures.

Loaded figures (``stationmap population load``) live in the store, so every worker sees
them. Each question reads the table's version (one small query) and rescales the
modelled surface only when it changed.
"""

from __future__ import annotations

import threading
import weakref

from ..store import Store
from ..store import population as population_store
from .surface import PopulationSurface, modelled_surface

_LOCK = threading.Lock()
_CACHED: weakref.WeakKeyDictionary[Store, tuple[str, PopulationSurface]] = (
    weakref.WeakKeyDictionary()
)


def current_surface(store: Store) -> PopulationSurface:
    """The modelled surface, with each county whose figure was loaded scaled to it."""
    with store.reading() as conn:
        version = population_store.version(conn)
        cached = _CACHED.get(store)
        if cached is not None and cached[0] == version:
            return cached[1]
        figures = population_store.loaded(conn)
    surface = modelled_surface().rescaled(figures)
    with _LOCK:
        _CACHED[store] = (version, surface)
    return surface
