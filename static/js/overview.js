/* The national overview: clusters computed on the server for each view. */
"use strict";
(function (sm) {
  const cfg = sm.config;
  /* Mainland China, so the first view holds every station whatever the screen. */
  const MAINLAND = [[18.0, 73.4], [53.6, 135.1]];
  const map = sm.makeMap("map", [35.0, 105.0], 4);
  map.fitBounds(MAINLAND, { animate: false });
  const layer = L.layerGroup().addTo(map);
  let asked = 0;

  async function refresh() {
    const b = map.getBounds();
    const bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
                  Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)].map((v) => v.toFixed(5)).join(",");
    const ticket = ++asked;
    const body = await sm.getJSON("/api/v1/clusters?" + new URLSearchParams({ bbox, zoom: map.getZoom(), crs: cfg.crs, ...filters.params() }));
    if (ticket !== asked) return;
    layer.clearLayers();
    body.features.forEach((f) => {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      if (!f.id) {
        const size = Math.min(64, 26 + Math.log10(p.count) * 10);
        const icon = L.divIcon({ className: "cluster", iconSize: [size, size],
                                 html: '<span data-count="' + p.count + '">' + p.count + "</span>" });
        L.marker([lat, lon], { icon }).on("click", () => map.setView([lat, lon], map.getZoom() + 2)).addTo(layer)
          .getElement().setAttribute("data-count", p.count);
      } else {
        L.marker([lat, lon], { icon: sm.dot(p.open_now), title: p.name })
          .bindPopup('<a href="/stations/' + f.id + '">' + p.name.replace(/</g, "&lt;") + "</a>").addTo(layer);
      }
    });
    document.getElementById("total").textContent = body.total;
    document.getElementById("in-view").textContent = body.in_view;
    sm.lastView = body;
  }

  /* Province borders give a national view its bearings when tiles do not load. They are
     simplified to about 5 km, so closer in they step aside for the tiles' own. */
  const BORDERS_MAX_ZOOM = 8;
  async function addBorders() {
    map.createPane("borders").style.zIndex = 350; /* above tiles, below markers */
    const body = await sm.getJSON("/api/v1/regions/provinces?crs=" + cfg.crs);
    const borders = L.geoJSON(body, { pane: "borders", interactive: false,
      style: { className: "province-borders", color: "#64748b", weight: 1, opacity: 0.8 } });
    const show = () => (map.getZoom() <= BORDERS_MAX_ZOOM ? borders.addTo(map) : borders.remove());
    map.on("zoomend", show);
    show();
  }

  const filters = sm.chips(document.getElementById("chips"), () => refresh());
  map.on("moveend", refresh);
  refresh();
  addBorders().catch((error) => console.warn("province borders not shown:", error.message));
})(window.stationmap);
