/* The rider's page: where am I, what is near, what is open, take me there. */
"use strict";
(function (sm) {
  const cfg = sm.config;
  const state = { point: null };
  const map = sm.makeMap("map", [35.0, 105.0], 4);
  const markers = L.layerGroup().addTo(map);
  const list = document.getElementById("list");
  const status = document.getElementById("status");
  const card = document.getElementById("card");
  const filters = sm.chips(document.getElementById("chips"), () => load());

  function say(text) { status.textContent = text; }

  function nearestUrl() {
    const [lon, lat] = state.point;
    const q = new URLSearchParams({ lon, lat, k: 10, crs: cfg.crs, ...filters.params() });
    return "/api/v1/stations/nearest?" + q;
  }

  async function load() {
    if (!state.point) return;
    say("正在查找附近的驿站…");
    try {
      const body = await sm.getJSON(nearestUrl());
      render(body.features);
      say(body.features.length ? "离你最近的 " + body.features.length + " 个驿站" : "附近没有符合条件的驿站，试试减少筛选条件");
    } catch (error) {
      say("查找失败：" + error.message);
    }
  }

  function render(features) {
    list.replaceChildren(...features.map(item));
    markers.clearLayers();
    const bounds = [[state.point[1], state.point[0]]];
    features.forEach((f) => {
      const [lon, lat] = f.geometry.coordinates;
      bounds.push([lat, lon]);
      L.marker([lat, lon], { icon: sm.dot(f.properties.open_now), title: f.properties.name })
        .on("click", () => openCard(f.id)).addTo(markers);
    });
    L.circleMarker([state.point[1], state.point[0]], { radius: 7, color: "#1d4ed8" }).addTo(markers);
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  }

  function item(f) {
    const p = f.properties;
    const [label, css] = sm.stateLabel(p.open_now);
    const amenities = sm.el("ul", { class: "amenities" },
      p.amenities.slice(0, 6).map((a) => sm.el("li", {}, [cfg.amenities[a]])));
    const li = sm.el("li", { class: "station", "data-id": f.id, tabindex: "0" }, [
      sm.el("div", { class: "name" }, [p.name]),
      sm.el("div", { class: "row" }, [
        sm.el("span", { class: "distance" }, [sm.distance(p.distance_m)]),
        sm.el("span", { class: "state " + css }, [label]),
        sm.el("span", { class: "kind" }, [cfg.kinds[p.kind]]),
      ]),
      amenities,
    ]);
    li.addEventListener("click", () => openCard(f.id));
    return li;
  }

  async function openCard(id) {
    const [f, links] = await Promise.all([
      sm.getJSON("/api/v1/stations/" + id + "?crs=" + cfg.crs),
      sm.getJSON("/api/v1/stations/" + id + "/navigation"),
    ]);
    const p = f.properties;
    /* A masked number (138****5621) is shown, never dialled: stripping the stars
       would call a stranger. */
    const phones = (p.phone || "").split(";").filter(Boolean).map((n) => n.includes("*")
      ? sm.el("span", { class: "phone masked" }, ["电话 " + n])
      : sm.el("a", { class: "phone", href: "tel:" + n }, ["拨打 " + n]));
    card.replaceChildren(
      sm.el("button", { class: "close", type: "button", "aria-label": "关闭" }, ["✕"]),
      sm.el("h2", {}, [p.name]),
      sm.el("p", { class: "address" }, [p.address]),
      sm.el("p", { class: "hours" }, ["开放时间：" + (p.hours_text || "未知")]),
      sm.el("p", {}, phones),
      sm.el("p", { class: "nav" }, [
        sm.el("a", { class: "nav-amap", href: links.amap }, ["高德导航"]),
        sm.el("a", { class: "nav-baidu", href: links.baidu }, ["百度导航"]),
        sm.el("a", { class: "nav-tencent", href: links.tencent }, ["腾讯导航"]),
      ]),
      sm.el("p", {}, [sm.el("a", { href: "/stations/" + id }, ["详情"])]),
    );
    card.hidden = false;
    card.querySelector(".close").addEventListener("click", () => { card.hidden = true; });
  }

  function locate() {
    if (!navigator.geolocation) return fallback("这个浏览器不能定位");
    say("正在定位…");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        state.point = [position.coords.longitude, position.coords.latitude];
        load();
      },
      () => fallback("没有拿到位置：请输入地名或驿站名"),
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  function fallback(text) {
    say(text);
    document.getElementById("place").focus();
  }

  /* Typed text: a county to choose (玄武区), else a station name or address. */
  async function searchPlace(event) {
    event.preventDefault();
    const q = document.getElementById("place").value.trim();
    if (!q) return;
    try {
      const found = await sm.getJSON("/api/v1/counties?" + new URLSearchParams({ name: q, crs: cfg.crs }));
      if (found.counties.length) return offerCounties(found.counties);
      const body = await sm.getJSON("/api/v1/stations/search?" + new URLSearchParams({ q, limit: 1, crs: cfg.crs }));
      if (!body.features.length) return say("没有找到“" + q + "”");
      state.point = body.features[0].geometry.coordinates;
      load();
    } catch (error) { say("查找失败：" + error.message); }
  }

  function offerCounties(counties) {
    const box = document.getElementById("counties");
    box.replaceChildren(...counties.map((c) => {
      const button = sm.el("button", { type: "button", "data-adcode": c.adcode }, [c.city === c.province ? c.province + c.name : c.city + c.name]);
      button.addEventListener("click", () => {
        box.hidden = true;
        state.point = [c.lon, c.lat];
        load();
      });
      return button;
    }));
    box.hidden = false;
    say("请选择区县");
  }

  document.getElementById("locate").addEventListener("click", locate);
  document.getElementById("place-form").addEventListener("submit", searchPlace);
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then((p) => {
      if (p.state === "granted") locate(); else say("点“定位我”找附近的驿站，或输入地名");
    }).catch(() => say("点“定位我”找附近的驿站"));
  }
  sm.rider = { state, load };
})(window.stationmap);
