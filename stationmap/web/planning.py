"""The planners' pages under /planning: coverage by area and hour, a county's gaps and
proposed sites, and a county's coverage as a shareable offline map.

Pages are thin, as in :mod:`.pages`: the server renders where a page starts (from
:mod:`.planning_contents`) and ``static/js/planning.js`` asks the coverage API for the
figures. No sign-in, GET only: nothing here writes to the store.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request

from ..coverage.areas import NATION
from . import context
from .answers import GEOJSON, JSON, finish, request_from_environ
from .api import response_from
from .coverage_endpoints import MAX_CANDIDATE_BYTES, proposals_from_upload
from .forms import UploadedFile
from .planning_contents import (
    areas_geojson,
    county_view,
    offline_map_html,
    page_area,
    planning_page,
    stations_at,
)
from .routing import answered

blueprint = Blueprint("planning", __name__)

DAY_CACHE = "public, max-age=86400"
"""The areas' outlines change only with a release."""


@blueprint.get("/planning")
def national():
    """Coverage of the provinces, cities or counties of an area, at an hour."""
    within = page_area(request.args.get("within", NATION))
    if within.level == "county":
        kept = urlencode({k: v for k, v in request.args.items() if k in ("at", "radius_m")})
        return redirect(f"/planning/county/{within.adcode}" + (f"?{kept}" if kept else ""))
    return render_template(
        "planning/national.html", **planning_page(context.service(), request.args)
    )


@blueprint.get("/planning/areas.geojson")
def areas():
    """The simplified outlines of the areas the choropleth colours."""
    within = page_area(request.args.get("within", NATION))
    body = areas_geojson(request.args.get("level", "province"), within)
    response = Response(body, mimetype=GEOJSON)
    response.headers["Cache-Control"] = DAY_CACHE
    return response


@blueprint.get("/planning/county/<adcode>")
def county(adcode: str):
    """A county's gaps, stations, figures across the day, and proposed sites."""
    return render_template(
        "planning/county.html", **county_view(context.service(), adcode, request.args)
    )


@blueprint.get("/planning/county/<adcode>/stations.json")
def county_stations(adcode: str):
    """The county's stations, each open, closed or unknown at the hour asked."""
    found = stations_at(context.service(), adcode, request.args)
    response = Response(json.dumps(found, ensure_ascii=False), mimetype=JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/planning/county/<adcode>/map.html")
def county_map(adcode: str):
    """The county's coverage and proposals as one standalone HTML file: to share."""
    page = offline_map_html(context.service(), adcode, request.args)
    response = Response(page, mimetype="text/html")
    response.headers["Content-Disposition"] = f'attachment; filename="coverage-{adcode}.html"'
    return response


@blueprint.post("/planning/county/<adcode>/proposals")
def county_proposals_from_list(adcode: str):
    """Proposals among the sites of an uploaded candidate list (multipart ``file``, the
    proposals' parameters as fields, the page's CSRF token). Writes nothing: JSON like the
    API's proposals."""
    sent = request.files.get("file")
    file = None
    if sent is not None:
        file = UploadedFile(sent.filename or "list", sent.stream.read(MAX_CANDIDATE_BYTES + 1))
    answer = answered(
        lambda: proposals_from_upload(context.service(), adcode, request.form.to_dict(), file)
    )
    asked = request_from_environ(request.environ, {"adcode": adcode})
    return response_from(finish(asked, answer, public=False))
