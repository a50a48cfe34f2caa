/* The clerk's station form (新增驿站 / 编辑): a draggable pin, coordinates typed or pasted in
   any of three systems, the point's county checked as it changes, the hours previewed as
   riders will read them, and one save per form.

   The server does every conversion: /manage/county-at takes the typed point in its system
   and answers its county and where the pin goes on this map (the map's own system), so a
   GCJ-02 point pasted from 高德 lands where 高德 shows it. Without map tiles the pin, the
   fields and the checks all still work. */
"use strict";
(function (sm) {
  const cfg = sm.config;
  const form = document.getElementById("station-form");
  const lon = document.getElementById("lon");
  const lat = document.getElementById("lat");
  const crs = document.getElementById("crs");
  const county = document.getElementById("county");
  const save = document.getElementById("save");
  const hours = document.getElementById("hours_text");
  const hoursRider = document.getElementById("hours-rider");
  const hoursOsm = document.getElementById("hours-osm");
  const [startLon, startLat] = cfg.start;
  const map = sm.makeMap("pin-map", [startLat, startLon], cfg.zoom);
  const pin = L.marker([startLat, startLon], {
    draggable: true, autoPan: true, title: "拖动图钉选择位置", alt: "驿站位置图钉",
    icon: L.divIcon({ className: "edit-pin", html: "<span></span>", iconSize: [30, 30], iconAnchor: [15, 30] }),
  }).addTo(map);
  let checking = 0;
  let outside = false;

  /* -- the point ---------------------------------------------------------------------- */

  /* The pin moved (dragged, or the map tapped): its place fills the fields, in the map's
     system. */
  function pinMoved() {
    const at = pin.getLatLng();
    crs.value = cfg.crs;
    lon.value = at.lng.toFixed(6);
    lat.value = at.lat.toFixed(6);
    check(false);
  }

  /* A pasted "118.80,32.05" (高德's 坐标拾取器 gives lng,lat) fills both fields. */
  function splitPair(input) {
    const parts = input.value.split(/[,，\s]+/).filter(Boolean);
    if (parts.length === 2) { lon.value = parts[0]; lat.value = parts[1]; }
  }

  async function check(movePin) {
    const turn = ++checking;
    if (!lon.value.trim() || !lat.value.trim()) {
      county.textContent = "拖动图钉或输入坐标后，这里显示所在区县";
      county.className = "county";
      return allowSave(true);
    }
    county.textContent = "正在查询所在区县…";
    const query = new URLSearchParams({ lon: lon.value.trim(), lat: lat.value.trim(), crs: crs.value });
    try {
      const found = await sm.getJSON("/manage/county-at?" + query);
      if (turn !== checking) return;
      showCounty(found);
      if (movePin) {
        const [x, y] = found.map_point;
        pin.setLatLng([y, x]);
        map.setView([y, x], Math.max(map.getZoom(), 14));
      }
    } catch (error) {
      if (turn !== checking) return;
      county.textContent = error.message;
      county.className = "county bad";
      allowSave(true);  /* the server names what is wrong when saving */
    }
  }

  function showCounty(found) {
    county.dataset.adcode = found.adcode;
    if (found.inside) {
      county.textContent = "所在区县：" + found.place + "（" + found.adcode + "）";
      county.className = "county good";
    } else {
      county.textContent = found.place + "（" + found.adcode + "）不在你的辖区（" + found.union + "），不能保存";
      county.className = "county bad";
    }
    allowSave(found.inside);
  }

  function allowSave(inside) {
    outside = !inside;
    save.disabled = outside;
  }

  /* -- the hours ---------------------------------------------------------------------- */

  async function previewHours() {
    const text = hours.value.trim();
    if (!text) { hoursRider.textContent = "开放时间未知"; hoursOsm.textContent = ""; return; }
    try {
      const shown = await sm.getJSON("/manage/hours-preview?" + new URLSearchParams({ text }));
      if (text !== hours.value.trim()) return;
      hoursRider.textContent = shown.ok ? shown.rider_text : "看不懂：" + shown.message;
      hoursRider.className = shown.ok ? "" : "bad";
      hoursOsm.textContent = shown.osm || "";
    } catch (error) {
      hoursRider.textContent = error.message;
    }
  }

  function debounced(action, ms) {
    let timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(action, ms); };
  }

  /* -- wiring ------------------------------------------------------------------------- */

  const typed = debounced(() => check(true), 350);
  pin.on("dragend", pinMoved);
  map.on("click", (event) => { pin.setLatLng(event.latlng); pinMoved(); });
  lon.addEventListener("input", () => { if (/[,，]/.test(lon.value)) splitPair(lon); typed(); });
  lat.addEventListener("input", typed);
  crs.addEventListener("change", () => check(true));
  hours.addEventListener("input", debounced(previewHours, 250));
  /* One save per form: the button is off once the form is on its way (the server's
     one-time key makes a resubmission return the first station anyway). */
  form.addEventListener("submit", (event) => {
    if (outside) { event.preventDefault(); return; }
    save.disabled = true;
    save.textContent = "正在保存…";
  });
  window.addEventListener("pageshow", () => { save.disabled = outside; save.textContent = "保存"; });

  if (lon.value.trim() && lat.value.trim()) check(true);
  if (hours.value.trim()) previewHours();
})(window.stationmap);
