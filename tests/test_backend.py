"""The backend seam: choosing a sqlite module, loading SpatiaLite, clear errors when it can't."""

from __future__ import annotations

import sys
import types

import pytest
from sqlalchemy import text

from stationmap.errors import DatabaseUnavailable
from stationmap.store.backend import create_store_engine, sqlite_module


def test_spatialite_is_loaded_on_every_connection(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path}/a.sqlite")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT spatialite_version()")).scalar_one()
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


def test_instance_folder_is_created_on_first_use(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path}/new/folder/s.sqlite")
    with engine.connect():
        pass
    engine.dispose()
    assert (tmp_path / "new" / "folder" / "s.sqlite").exists()


def test_wrong_spatialite_path_says_which_setting(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path}/a.sqlite", "/nowhere/mod_spatialite.so")
    with pytest.raises(DatabaseUnavailable, match=r"STATIONMAP_SPATIALITE_PATH.*/nowhere"):
        engine.connect()
    engine.dispose()


def test_python_without_extension_loading_is_told_what_to_install(monkeypatch):
    crippled = types.ModuleType("sqlite3")
    crippled.Connection = type("Connection", (), {})
    monkeypatch.setitem(sys.modules, "sqlite3", crippled)
    monkeypatch.setitem(sys.modules, "pysqlite3.dbapi2", None)
    with pytest.raises(DatabaseUnavailable) as caught:
        sqlite_module()
    assert "pip install pysqlite3-binary" in caught.value.message
    assert "--enable-loadable-sqlite-extensions" in caught.value.message


def test_a_module_that_can_load_extensions_is_chosen():
    module = sqlite_module()
    assert hasattr(module.Connection, "enable_load_extension")
