"""Finding a county by its name or code: ``map --county 玄武区`` and ``stationmap counties``.

An operator knows 玄武区 or 南京市鼓楼区, not 320102; names repeat across China (four
市中区, two 桥西区), so an ambiguous name lists its candidates with their codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .regions import County, RegionIndex


def county_option(text: str) -> County:
    """The county ``--county`` names, by 6-digit code or by name; an ambiguous name lists
    its candidates with their code."""
    from .regions import load_regions

    regions, wanted = load_regions(), text.strip()
    if not wanted:
        raise click.BadParameter(
            "got nothing, expected a 6-digit county code such as 320102 or a name such as 玄武区",
            param_hint="--county",
        )
    if wanted.isdigit():
        county = regions.county(wanted)
        if county is None:
            raise click.BadParameter(
                f"got {text!r}, expected a 6-digit mainland county code such as 320102 "
                f"or a county name; look codes up with `stationmap counties NAME`",
                param_hint="--county",
            )
        return county
    matches = counties_named(regions, wanted)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise click.BadParameter(
            f"no county is called {text!r}: look it up with `stationmap counties {wanted[:2]}`",
            param_hint="--county",
        )
    raise click.BadParameter(
        f"{text!r} could be {len(matches)} counties: "
        + "; ".join(f"{county_label(c)} {c.adcode}" for c in matches[:_SHOWN])
        + ("; …" if len(matches) > _SHOWN else "")
        + f". Give the code, or the city with the name ({matches[0].city}{matches[0].name})",
        param_hint="--county",
    )


_SHOWN = 8
"""How many candidates an ambiguous county name lists."""


def counties_named(regions: RegionIndex, name: str) -> list[County]:
    """The counties ``name`` means: those it names in full (市中区, 济南市市中区), else those
    whose own name contains it (玄武 → 玄武区), else those whose city's does (朝阳市)."""
    found = regions.find_counties(name, limit=_MANY)
    exact = [c for c in found if name in _full_names(c)]
    own = [c for c in found if name in c.name]
    return exact or own or found


_MANY = 10_000
"""No limit, in effect: a name is never contained in this many counties."""


def _full_names(county: County) -> set[str]:
    """Every way a county's name is written in full, with or without its city and province."""
    c = county
    return {c.name, c.city + c.name, c.province + c.name, c.province + c.city + c.name}


def county_label(county: County) -> str:
    """省 市 区, the city left out where it repeats the province (北京市 东城区)."""
    city = "" if county.city == county.province else f" {county.city}"
    county_name = "" if county.name == county.city else f" {county.name}"
    return f"{county.province}{city}{county_name}"


@click.command("counties")
@click.argument("name")
def counties_command(name: str) -> None:
    """Look up county codes (adcodes) by name or code prefix: `stationmap counties 玄武`."""
    from .regions import load_regions

    regions = load_regions()
    wanted = name.strip()
    if wanted.isdigit():
        found = [regions.county(code) for code in regions.adcodes() if code.startswith(wanted)]
        matches = sorted((c for c in found if c is not None), key=lambda c: c.adcode)
    else:
        matches = regions.find_counties(wanted, limit=_MANY)
    if not matches:
        raise click.BadParameter(
            f"no county name or code contains {name!r}: try a shorter part such as "
            "玄武, 鼓楼 or 3201",
            param_hint="NAME",
        )
    for county in matches:
        click.echo(f"{county.adcode}  {county_label(county)}")


def place_names(regions: RegionIndex) -> dict[str, str]:
    """The place each adcode prefix covers: 江苏省 (32), 江苏省 南京市 (3201), and each
    county (320102: 江苏省 南京市 玄武区)."""
    names: dict[str, str] = {}
    for code in regions.adcodes():
        county = regions.county(code)
        assert county is not None, "every listed code is a county"
        names.setdefault(code[:2], county.province)
        same = county.city == county.province
        names.setdefault(code[:4], county.province + ("" if same else f" {county.city}"))
        names[code] = county_label(county)
    return names
