"""The HTML pages (the rider page and the maps grow here in the maps issue)."""

from __future__ import annotations

from flask import Blueprint, render_template

from . import context

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def home():
    """The front page: what the store holds, in Chinese."""
    store = context.store()
    return render_template("home.html", station_count=store.count_stations(status="active"))
