/* One station's or one county's map. Positions come from the server already in the
   system of the page's basemap (GCJ-02 on 高德's tiles). */
"use strict";
(function (sm) {
  const el = document.getElementById("map");
  const county = document.getElementById("county-data");

  function stationMap() {
    const lat = Number(el.dataset.lat), lon = Number(el.dataset.lon);
    const map = sm.makeMap("map", [lat, lon], 16);
    const marker = L.marker([lat, lon], { icon: sm.dot(el.dataset.state, null, 18),
                                          stationId: el.dataset.id, keyboard: false }).addTo(map);
    marker.getElement().dataset.id = el.dataset.id;
  }

  /* A county marker's popup: the name (a link to the station's page), kind and state. */
  function popup(s) {
    return sm.el("div", { class: "marker-popup", "data-id": s.id }, [
      sm.el("a", { class: "name", href: "/stations/" + encodeURIComponent(s.id) }, [s.name]),
      sm.el("div", {}, [s.kind + " · ", sm.el("span", { class: "state " + s.state }, [s.state_label])]),
      sm.el("a", { class: "more", href: "/stations/" + encodeURIComponent(s.id) }, ["查看详情与导航 ›"]),
    ]);
  }

  function countyMap(data) {
    const map = sm.makeMap("map", [35, 105], 4);
    const outline = L.geoJSON(data.boundary, { interactive: false,
      style: { color: "#b91c1c", weight: 2, fillOpacity: 0.05 } }).addTo(map);
    map.fitBounds(outline.getBounds());
    sm.outline = outline;
    data.stations.forEach((s) => {
      const marker = L.marker([s.lat, s.lon], { icon: sm.dot(s.state, null, 22), stationId: s.id, title: s.name })
        .bindPopup(() => popup(s), { maxWidth: 260 }).addTo(map);
      marker.getElement().dataset.id = s.id;
    });
  }

  if (county) countyMap(JSON.parse(county.textContent)); else stationMap();
})(window.stationmap);
