"""The schema: created by migrations, equal to the code's tables, spatially indexed."""

from __future__ import annotations

import pytest
from builders import add_station
from sqlalchemy import inspect, select, text

from stationmap.store import Store
from stationmap.store.backend import create_store_engine, geometry_in_box, spatial_index_is_used
from stationmap.store.migrate import (
    current_revision,
    downgrade_schema,
    head_revision,
    upgrade_schema,
)
from stationmap.store.schema import metadata, stations

TABLES = {"unions", "import_batches", "stations", "audit_entries"}


def test_migrations_create_the_tables_the_code_declares(store):
    inspector = inspect(store.engine)
    assert set(inspector.get_table_names()) >= TABLES
    for table in metadata.sorted_tables:
        migrated = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(migrated) == set(table.columns.keys()), table.name
        for column in table.columns:
            assert migrated[column.name]["nullable"] == column.nullable, (table.name, column.name)
    checks = {c["name"] for c in inspector.get_check_constraints("stations")}
    assert {"ck_stations_kind", "ck_stations_status"} <= checks


def test_schema_is_at_the_newest_migration(store):
    assert current_revision(store.engine) == head_revision()
    assert store.schema_is_current()


def test_init_schema_twice_is_harmless(store):
    station = add_station(store)
    assert store.init_schema() == head_revision()
    assert store.get_station(station.id) == station


def test_downgrade_to_empty_and_upgrade_again(database_url, regions):
    store = Store(create_store_engine(database_url), regions=regions)
    store.init_schema()
    downgrade_schema(store.engine, "base")
    assert not TABLES & set(inspect(store.engine).get_table_names())
    assert not store.schema_is_current()
    store.init_schema()
    assert add_station(store).version == 1
    store.close()


def test_geometry_column_is_registered_with_srid_4326(store):
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            row = conn.execute(
                text(
                    "SELECT srid, spatial_index_enabled FROM geometry_columns "
                    "WHERE f_table_name = 'stations'"
                )
            ).one()
            assert tuple(row) == (4326, 1)
        else:
            sql = "SELECT Find_SRID(current_schema()::text, 'stations', 'geom')"
            srid = conn.execute(text(sql))
            assert srid.scalar_one() == 4326


def test_spatial_index_is_present(store):
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            found = conn.execute(
                text("SELECT name FROM sqlite_master WHERE name = 'idx_stations_geom'")
            ).all()
        else:
            found = (
                conn.execute(
                    text(
                        "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_stations_geom' "
                        "AND schemaname = current_schema()"
                    )
                )
                .scalars()
                .all()
            )
            assert "gist" in found[0]
    assert len(found) == 1


def test_box_query_plan_uses_the_spatial_index(store):
    for i in range(200):
        add_station(store, name=f"驿站{i}", lonlat=(116.0 + i * 0.01, 39.9))
    query = select(stations.c.id).where(geometry_in_box(stations.c.geom, 116.5, 39.8, 116.6, 40.0))
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("ANALYZE stations"))
            conn.execute(text("SET enable_seqscan = off"))
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        assert spatial_index_is_used(conn, str(compiled), {})
        assert len(conn.execute(query).all()) == 11


@pytest.mark.parametrize("url", ["mysql://localhost/x", "not a url", "oracle://a/b"])
def test_unsupported_database_url_is_a_config_error(url):
    from stationmap.errors import ConfigError

    with pytest.raises(ConfigError, match="STATIONMAP_DATABASE_URL"):
        create_store_engine(url)


def test_accounts_migration_keeps_stored_stations_and_unions(database_url, regions):
    """0003 → 0004 rebuilds the unions' check on SQLite by copying the table: the
    stations that point at a union must come through, and the national union fit."""
    store = Store(create_store_engine(database_url), regions=regions)
    store.init_schema()
    [union] = store.add_unions([{"name": "玄武区总工会", "jurisdiction": "320102"}], "test")
    kept = add_station(store, union_id=union.id)
    downgrade_schema(store.engine, "0003")
    before = _rows(store, "unions", "stations")

    upgrade_schema(store.engine, "0004")

    after = _rows(store, "unions", "stations")
    assert after["unions"] == before["unions"]
    assert after["stations"] == before["stations"]
    store.init_schema()
    assert store.get_station(kept.id).union_id == union.id
    [national] = store.add_unions([{"name": "中华全国总工会", "jurisdiction": ""}], "test")
    assert national.jurisdiction == ""
    store.close()


def test_status_reason_migration_goes_both_ways_keeping_stations(database_url, regions):
    """0005 adds two columns to stations; its downgrade drops them in place (SQLite too),
    keeping every station and the spatial index the finder's SQL queries use."""
    store = Store(create_store_engine(database_url), regions=regions)
    store.init_schema()
    kept = add_station(store, status="closed", status_reason="拆迁", reopen_on="2031-01-01")
    downgrade_schema(store.engine, "0004")
    with store.engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM stations")).keys()
    assert "status_reason" not in columns and "reopen_on" not in columns
    store.init_schema()
    again = store.get_station(kept.id)
    assert (again.name, again.status_reason, again.reopen_on) == (kept.name, None, None)
    assert [s.id for s in store.stations_in_box(118, 31, 119, 33)] == [kept.id]
    store.close()


def _rows(store: Store, *tables: str) -> dict[str, list[tuple]]:
    with store.engine.connect() as conn:
        return {t: sorted(conn.execute(text(f"SELECT * FROM {t}")).all(), key=str) for t in tables}
