/* The national overview: clusters computed on the server for each view, a locate-me
   button, and a search for counties and stations. */
"use strict";
(function (sm) {
  const cfg = sm.config;
  /* Mainland China, so the first view holds every station whatever the screen. */
  const MAINLAND = [[18.0, 73.4], [53.6, 135.1]];
  const CLUSTER_GAP_PX = 2;
  const map = sm.makeMap("map", [35.0, 105.0], 4);
  map.fitBounds(MAINLAND, { animate: false });
  const layer = L.layerGroup().addTo(map);
  const found = L.layerGroup().addTo(map);
  const status = document.getElementById("map-status");
  const results = document.getElementById("search-results");
  let asked = 0;

  function say(text) { status.textContent = text; }

  /* A cluster's width in pixels: room for its count's digits, a little more for more. */
  function clusterSize(count) {
    const digits = String(count).length;
    return Math.round(Math.min(64, Math.max(26 + Math.log10(count) * 8, 14 + digits * 8)));
  }

  /* The server's clusters sit at their stations' mean position, so two from neighbouring
     cells can touch or overlap, and on a phone one hides the other's count. Any two whose
     squares would overlap become one (counts add; position weighted by count), until
     none do: the counts still add up to the stations in view. */
  function separate(clusters) {
    const items = clusters.map((c) => ({ count: c.count, point: map.latLngToLayerPoint([c.lat, c.lon]) }));
    const overlap = (a, b) => {
      const room = (clusterSize(a.count) + clusterSize(b.count)) / 2 + CLUSTER_GAP_PX;
      return Math.abs(a.point.x - b.point.x) < room && Math.abs(a.point.y - b.point.y) < room;
    };
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        if (!overlap(items[i], items[j])) continue;
        const a = items[i], b = items[j], n = a.count + b.count;
        a.point = L.point((a.point.x * a.count + b.point.x * b.count) / n, (a.point.y * a.count + b.point.y * b.count) / n);
        a.count = n;
        items.splice(j, 1);
        i = -1; /* a moved and grew: look at every pair again */
        break;
      }
    }
    return items.map((it) => ({ count: it.count, latlng: map.layerPointToLatLng(it.point) }));
  }

  function drawCluster(c) {
    const size = clusterSize(c.count);
    const icon = L.divIcon({ className: "cluster", iconSize: [size, size],
                             html: '<span data-count="' + c.count + '">' + c.count + "</span>" });
    L.marker(c.latlng, { icon, keyboard: false })
      .on("click", () => map.setView(c.latlng, Math.min(map.getZoom() + 2, 18)))
      .addTo(layer).getElement().setAttribute("data-count", c.count);
  }

  function drawStation(f) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    L.marker([lat, lon], { icon: sm.dot(p.open_now, p.status), title: p.name, stationId: f.id })
      .bindPopup(() => sm.el("a", { href: "/stations/" + encodeURIComponent(f.id) }, [p.name]))
      .addTo(layer);
  }

  async function refresh() {
    const b = map.getBounds();
    const bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
                  Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)].map((v) => v.toFixed(5)).join(",");
    const ticket = ++asked;
    const body = await sm.getJSON("/api/v1/clusters?" + new URLSearchParams({ bbox, zoom: map.getZoom(), crs: cfg.crs, ...filters.params() }));
    if (ticket !== asked) return;
    layer.clearLayers();
    const clusters = body.features.filter((f) => !f.id).map((f) => ({
      lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], count: f.properties.count }));
    separate(clusters).forEach(drawCluster);
    body.features.filter((f) => f.id).forEach(drawStation);
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

  /* 我的位置: the rider's position (in the tiles' system) and the stations around it. */
  function locate() {
    if (!navigator.geolocation) return say("此浏览器无法提供位置，请用搜索");
    say("正在定位…");
    navigator.geolocation.getCurrentPosition((position) => {
      const [lon, lat] = sm.wgs84To(cfg.crs, position.coords.longitude, position.coords.latitude);
      found.clearLayers();
      L.marker([lat, lon], { icon: L.divIcon({ className: "rider-position", iconSize: [18, 18] }),
                             interactive: false, keyboard: false }).addTo(found);
      sm.position = [lon, lat];
      map.setView([lat, lon], 15);
      say("已定位到你的位置");
    }, () => say("未能获取位置：请在浏览器设置里允许定位，或用搜索"),
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  function resultButton(label, sub, onChoose) {
    const button = sm.el("button", { type: "button" }, [label, sm.el("span", { class: "sub" }, [sub])]);
    button.addEventListener("click", () => { results.hidden = true; onChoose(); });
    return sm.el("li", {}, [button]);
  }

  function showStation(f) {
    const [lon, lat] = f.geometry.coordinates;
    found.clearLayers();
    map.setView([lat, lon], 17);
    L.popup({ offset: [0, -4] }).setLatLng([lat, lon])
      .setContent(sm.el("a", { href: "/stations/" + encodeURIComponent(f.id), class: "found-station" }, [f.properties.name]))
      .addTo(found);
  }

  /* Search: counties by name first (玄武区), then stations by name or address, nearest
     the middle of the map first. */
  async function search(event) {
    event.preventDefault();
    const q = document.getElementById("map-q").value.trim();
    if (!q) return;
    say("正在搜索…");
    try {
      const centre = map.getCenter();
      const [counties, stations] = await Promise.all([
        sm.getJSON("/api/v1/counties?" + new URLSearchParams({ name: q, crs: cfg.crs })),
        sm.getJSON("/api/v1/stations/search?" + new URLSearchParams({
          q, limit: 8, crs: cfg.crs, lon: centre.lng.toFixed(6), lat: centre.lat.toFixed(6) })),
      ]);
      const items = [
        ...counties.counties.slice(0, 5).map((c) => resultButton(
          c.city === c.province ? c.province + c.name : c.city + c.name, "区县 · " + c.province,
          () => { map.setView([c.lat, c.lon], 11); say(""); })),
        ...stations.features.map((f) => resultButton(
          f.properties.name, "驿站 · " + (f.properties.county || "") + " " + (f.properties.address || ""),
          () => { showStation(f); say(""); })),
      ];
      results.replaceChildren(...items);
      results.hidden = !items.length;
      say(items.length ? "找到 " + items.length + " 项，请选择" : "没有找到“" + q + "”");
    } catch (error) {
      say("搜索失败：" + error.message);
    }
  }

  const filters = sm.chips(document.getElementById("chips"), () => refresh());
  map.on("moveend", refresh);
  document.getElementById("locate").addEventListener("click", locate);
  document.getElementById("map-search").addEventListener("submit", search);
  refresh();
  addBorders().catch((error) => console.warn("province borders not shown:", error.message));
})(window.stationmap);
