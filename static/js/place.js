/* One station's or one county's map. */
"use strict";
(function (sm) {
  const el = document.getElementById("map");
  const county = document.getElementById("county-data");
  if (!county) {
    const lat = Number(el.dataset.lat), lon = Number(el.dataset.lon);
    const map = sm.makeMap("map", [lat, lon], 16);
    L.marker([lat, lon], { icon: sm.dot(true) }).addTo(map);
    return;
  }
  const data = JSON.parse(county.textContent);
  const map = sm.makeMap("map", [35, 105], 4);
  const outline = L.geoJSON(data.boundary, { style: { color: "#b91c1c", weight: 2, fillOpacity: 0.05 } }).addTo(map);
  map.fitBounds(outline.getBounds());
  document.querySelectorAll("#stations li").forEach((li) => {
    L.marker([Number(li.dataset.lat), Number(li.dataset.lon)], { icon: sm.dot(true) }).addTo(map);
  });
})(window.stationmap);
