"""Settings: documented in one place, read once, bad values refused with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stationmap.config import SETTINGS, load_settings
from stationmap.errors import ConfigError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_use_the_embedded_spatialite_file():
    settings = load_settings({})
    assert settings.database_url == ""
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("instance/stationmap.sqlite")
    assert settings.log_level == "INFO"
    assert (settings.worker_timeout, settings.trust_proxy) == (60, 0)
    assert settings.access_log_format.startswith('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s')


def test_server_settings_are_read():
    settings = load_settings(
        {
            "STATIONMAP_WORKER_TIMEOUT": " 120 ",
            "STATIONMAP_TRUST_PROXY": "1",
            "STATIONMAP_ACCESS_LOG_FORMAT": '%(h)s "%(r)s" %(s)s %(M)sms %({x-request-id}i)s',
        }
    )
    assert (settings.worker_timeout, settings.trust_proxy) == (120, 1)
    assert settings.access_log_format.endswith("%({x-request-id}i)s")


def test_environment_is_read():
    settings = load_settings(
        {
            "STATIONMAP_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "STATIONMAP_LOG_LEVEL": "debug",
            "STATIONMAP_INSTANCE_DIR": "/tmp/sm",
        }
    )
    assert settings.effective_database_url == "postgresql+psycopg://u@h/db"
    assert (settings.log_level, str(settings.instance_dir)) == ("DEBUG", "/tmp/sm")


def test_overrides_win_over_the_environment():
    settings = load_settings({"STATIONMAP_LOG_LEVEL": "ERROR"}, {"log_level": "WARNING"})
    assert settings.log_level == "WARNING"


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("STATIONMAP_DATABASE_URL", "mysql://x/y", "expected sqlite:///PATH"),
        ("STATIONMAP_DATABASE_URL", "stations.sqlite", "expected sqlite:///PATH"),
        ("STATIONMAP_LOG_LEVEL", "loud", "expected one of DEBUG"),
        ("STATIONMAP_BASEMAP", "google", "expected one of osm"),
        ("STATIONMAP_FINDER", "redis", "expected memory or database"),
        ("STATIONMAP_WORKER_TIMEOUT", "0", "expected a whole number from 1 to 3600"),
        ("STATIONMAP_WORKER_TIMEOUT", "30s", "expected a whole number from 1 to 3600"),
        ("STATIONMAP_WORKER_TIMEOUT", "３０", "expected a whole number from 1 to 3600"),
        ("STATIONMAP_TRUST_PROXY", "yes", "expected a whole number from 0 to 5"),
        ("STATIONMAP_TRUST_PROXY", "-1", "1 behind one nginx"),
        ("STATIONMAP_ACCESS_LOG_FORMAT", "%(h", "incomplete format key"),
        ("STATIONMAP_ACCESS_LOG_FORMAT", "%(h)d", "expected a gunicorn access log format"),
        ("STATIONMAP_ACCESS_LOG_FORMAT", "", "with at least one"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(env, value, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings({env: value})
    assert env in caught.value.message and repr(value) in caught.value.message


def test_unknown_override_is_refused():
    with pytest.raises(ConfigError, match="unknown setting 'databse_url'"):
        load_settings({}, {"databse_url": "sqlite:///x"})


def test_every_setting_is_documented_in_the_readme():
    documented = set(re.findall(r"`(STATIONMAP_[A-Z_]+)`", README.read_text(encoding="utf-8")))
    assert {s.env for s in SETTINGS} <= documented


def test_tianditu_without_a_key_stops_the_app_at_start(spatialite_url):
    from stationmap import create_app

    with pytest.raises(ConfigError, match="STATIONMAP_TIANDITU_KEY is empty"):
        create_app({"database_url": spatialite_url, "basemap": "tianditu"})


@pytest.mark.parametrize(
    ("basemap", "crs"), [("osm", "wgs84"), ("amap", "gcj02"), ("tianditu", "wgs84")]
)
def test_each_basemap_names_its_tiles_system_and_attribution(basemap, crs):
    from stationmap.web.basemaps import basemap_config

    config = basemap_config(load_settings({}, {"basemap": basemap, "tianditu_key": "k"}))
    assert config["crs"] == crs and config["attribution"] and "{z}" in config["url"]
