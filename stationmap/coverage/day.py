"""Coverage across the 24 hours of one day: who loses their nearest station at night.

Each hour's figures are those of :mod:`.figures` at HH:00 of the chosen day (China's
time, with its public holidays). Hours when the same stations are open share one
nearest-station table, and the hours are worked out from the one with most stations open
to the one with fewest: each starts from the closest wider set already worked out (the
stations open at 22:00 are among those open at 21:00) and searches again only the cells
whose nearest station closed in between, so 24 hours cost a few searches, not 24.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ..finder import StaticFilter, StationIndex
from ..hours import CHINA_TZ
from .areas import Area
from .catchment import Catchment
from .figures import MODELLED_NOTE, StationCounts, area_figures
from .reach import StationSet, nearest_table, open_at
from .surface import PopulationSurface

HOURS = tuple(range(24))


def day_profile(
    index: StationIndex,
    surface: PopulationSurface,
    areas: list[Area],
    within: Area,
    static: StaticFilter,
    day: date,
    catchment: Catchment,
) -> dict[str, Any]:
    """The figures of ``within`` (and of each of ``areas``) at every hour of ``day``."""
    moments = [datetime.combine(day, time(hour), CHINA_TZ) for hour in HOURS]
    every = nearest_table(index, surface, StationSet(static))
    opened = [int(open_at(index, every.rows, m).sum()) for m in moments]
    tables = []  # held until the day is done, so each hour can start from a wider one
    found: dict[int, dict[str, Any]] = {}
    for hour in sorted(HOURS, key=lambda h: -opened[h]):  # most stations open first
        stations = StationSet(static, moments[hour])
        tables.append(nearest_table(index, surface, stations))
        counts = StationCounts(index, surface, stations)
        [total] = area_figures(index, surface, [within], stations, catchment, counts)
        parts = area_figures(index, surface, areas, stations, catchment, counts, quantiles=False)
        found[hour] = {
            "hour": hour,
            "at": moments[hour].isoformat(timespec="minutes"),
            "total": total.as_json(),
            "areas": [
                {
                    "adcode": f.area.adcode,
                    "covered_population": round(f.covered_population),
                    "covered_share": f.as_json()["covered_share"],
                    "stations_open": f.stations_open,
                }
                for f in parts
            ],
        }
    hours = [found[hour] for hour in HOURS]
    day_total = hours[12]["total"]
    return {
        "date": day.isoformat(),
        "within": {"adcode": within.adcode, "name": within.name, "level": within.level},
        "catchment": catchment.describe(),
        "population_source": day_total["population_source"],
        "population_note": MODELLED_NOTE if day_total["population_source"] != "loaded" else None,
        "hours": hours,
        "summary": _summary(hours),
    }


def _summary(hours: list[dict[str, Any]]) -> dict[str, Any]:
    """The best and worst covered hours, and what is lost from the afternoon to the night."""
    shares: list[tuple[int, int]] = [(h["total"]["covered_population"], h["hour"]) for h in hours]
    best, worst = max(shares), min(shares)
    afternoon = hours[16]["total"]["covered_population"]
    evening = hours[21]["total"]["covered_population"]
    return {
        "most_covered_hour": best[1],
        "most_covered_population": best[0],
        "least_covered_hour": worst[1],
        "least_covered_population": worst[0],
        "lost_16_to_21": afternoon - evening,
    }
