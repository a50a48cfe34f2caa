"""Every change leaves an audit entry: who, when, what, before and after."""

from __future__ import annotations

from builders import add_station


def test_create_and_update_are_audited(store):
    station = add_station(store, actor="clerk-1")
    store.update_station(station.id, {"phone": "025-****0000", "status": "closed"}, actor="clerk-2")
    created, updated = store.history(station.id)
    assert (created.action, created.actor, created.before) == ("create", "clerk-1", None)
    assert created.after["name"] == station.name
    assert created.after["amenities"] == ["drinking_water", "toilet"]
    assert (updated.action, updated.actor) == ("update", "clerk-2")
    assert updated.before == {"phone": "025-****1234", "status": "active"}
    assert updated.after == {"phone": "025-****0000", "status": "closed"}
    assert set(updated.changed) == {"phone", "status"}
    assert created.at <= updated.at


def test_audit_records_moves_as_coordinates(store):
    station = add_station(store)
    store.update_station(station.id, {"lon": 118.80, "lat": 32.05}, actor="t")
    moved = store.history(station.id)[-1]
    assert moved.after["lon"] == 118.80 and moved.after["lat"] == 32.05
    assert moved.before["lon"] == station.lon


def test_bulk_load_is_audited_per_batch_and_unions_per_union(store):
    [union] = store.add_unions([{"name": "玄武区总工会", "jurisdiction": "320102"}], actor="admin")
    assert store.history(union.id, entity="union")[0].after == {
        "name": "玄武区总工会",
        "jurisdiction": "320102",
    }
    before = store.last_change_id()
    add_station(store)
    assert store.last_change_id() > before
