/* Shared by every page with a map: settings, the background, small formatting helpers. */
"use strict";
window.stationmap = window.stationmap || {};
(function (sm) {
  sm.config = JSON.parse(document.getElementById("config").textContent);

  /* A Leaflet map with the configured background (none: markers on a plain grey). */
  sm.makeMap = function (id, center, zoom) {
    const map = L.map(id, { zoomControl: true, attributionControl: true }).setView(center, zoom);
    const base = sm.config.basemap;
    if (base) {
      L.tileLayer(base.url, { maxZoom: base.maxZoom, subdomains: base.subdomains || "abc",
                              attribution: base.attribution }).addTo(map);
    }
    sm.map = map;
    return map;
  };

  /* A WGS-84 position (from the browser's geolocation) in `crs`, the system of the map's
     tiles: GCJ-02 is WGS-84 moved by the published formula (the same as
     stationmap.coordinates, within 1e-6 degree); outside China it is WGS-84 itself. */
  sm.wgs84To = function (crs, lon, lat) {
    if (crs !== "gcj02" || lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271) return [lon, lat];
    const a = 6378245.0, ee = 0.00669342162296594323, PI = Math.PI;
    const x = lon - 105.0, y = lat - 35.0;
    const waves = 2.0 * (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) / 3.0;
    let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + waves
      + 2.0 * (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) / 3.0
      + 2.0 * (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) / 3.0;
    let dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + waves
      + 2.0 * (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) / 3.0
      + 2.0 * (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) / 3.0;
    const radLat = lat / 180.0 * PI;
    const magic = 1 - ee * Math.sin(radLat) * Math.sin(radLat), sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * PI);
    dLon = (dLon * 180.0) / (a / sqrtMagic * Math.cos(radLat) * PI);
    return [lon + dLon, lat + dLat];
  };

  /* "350 米" or "2.4 公里". */
  sm.distance = function (metres) {
    return metres < 1000 ? Math.round(metres) + " 米" : (metres / 1000).toFixed(1) + " 公里";
  };

  /* Whether a station is open now, in words that fit every host (a bank, a hall, a shop). */
  sm.stateLabel = function (open) {
    if (open === true) return ["开放中", "open"];
    if (open === false) return ["当前未开放", "closed"];
    return ["开放时间未知", "unknown"];
  };

  /* What a rider finds at a station now: "open", "closed" (outside its hours), "unknown"
     (hours unknown) or "out_of_service" (its status is not active). */
  sm.markerState = function (open, status) {
    if (status && status !== "active") return "out_of_service";
    if (open === true) return "open";
    if (open === false) return "closed";
    return "unknown";
  };

  /* A station's dot, coloured by sm.markerState; `open` may be that state already. */
  sm.dot = function (open, status, size) {
    const state = typeof open === "string" ? open : sm.markerState(open, status);
    const px = size || 14;
    return L.divIcon({ className: "station-marker is-" + state, iconSize: [px, px] });
  };

  /* Filter chips (开放中, 24小时, amenities) that call onChange with the API parameters;
     ``initial`` ({amenities, openNow, open24h}, optional) presses chips to start with. */
  sm.chips = function (element, onChange, initial) {
    const start = initial || {};
    const state = { amenities: new Set(start.amenities || []), openNow: Boolean(start.openNow),
                    open24h: Boolean(start.open24h) };
    element.querySelectorAll("button").forEach((chip) => {
      const on = chip.hasAttribute("data-open-now") ? state.openNow
        : chip.hasAttribute("data-open-24h") ? state.open24h
          : state.amenities.has(chip.dataset.amenity);
      chip.setAttribute("aria-pressed", String(on));
    });
    state.params = function () {
      const q = {};
      if (state.amenities.size) q.amenities = [...state.amenities].join(",");
      if (state.openNow) q.open_now = "true";
      if (state.open24h) q.open_24h = "true";
      return q;
    };
    element.addEventListener("click", (event) => {
      const chip = event.target.closest("button");
      if (!chip) return;
      const on = chip.getAttribute("aria-pressed") !== "true";
      chip.setAttribute("aria-pressed", String(on));
      if (chip.dataset.amenity) { on ? state.amenities.add(chip.dataset.amenity) : state.amenities.delete(chip.dataset.amenity); }
      if (chip.hasAttribute("data-open-now")) state.openNow = on;
      if (chip.hasAttribute("data-open-24h")) state.open24h = on;
      onChange();
    });
    return state;
  };

  /* The JSON at url; an error answer throws an Error with the API's message, its HTTP
     status and, when the server asked to come back later, retryAfter (seconds). */
  sm.getJSON = async function (url) {
    const response = await fetch(url);
    const body = await response.json().catch(() => null);
    if (response.ok && body) return body;
    const message = body && body.error ? body.error.message
      : "服务器返回 " + response.status + (response.statusText ? " " + response.statusText : "");
    const error = new Error(message);
    error.status = response.status;
    error.retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw error;
  };

  sm.el = function (tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== null && v !== undefined) node.setAttribute(k, v); });
    (children || []).forEach((c) => node.append(c));
    return node;
  };
})(window.stationmap);
