/* The rider's page: where am I, what is near, what is open, take me there.

   The list always says what it is measured from: the rider (离你最近), the map's centre
   when the position is not shared (离地图中心最近), a chosen county's centre, or the place
   a typed search named (南京东路附近, 北京市朝阳区). */
"use strict";
(function (sm) {
  const cfg = sm.config;
  const PAGE = 10;
  const MOST = { nearest: 50, search: 200 };
  const CHIPS_KEY = "stationmap.rider.chips";
  const state = {
    rider: null,  /* the rider's position [lon, lat] in the page's crs */
    view: null,   /* what the list shows: {mode, point, q, reference, from} */
    count: PAGE,
    shown: new Map(),  /* id -> feature of the list shown */
    retry: null,
  };
  const map = sm.makeMap("map", [35.0, 105.0], 4);
  const markers = L.layerGroup().addTo(map);
  const list = document.getElementById("list");
  const status = document.getElementById("status");
  const card = document.getElementById("card");
  const more = document.getElementById("more");
  const counties = document.getElementById("counties");
  const filters = sm.chips(document.getElementById("chips"), chipsChanged, savedChips());

  function say(text) { status.textContent = text; }

  /* -- chips, remembered on this phone ------------------------------------------------- */

  /* The chips chosen on the last visit; 开放中 is on until the rider turns it off. */
  function savedChips() {
    try {
      const saved = JSON.parse(localStorage.getItem(CHIPS_KEY));
      if (saved && typeof saved === "object") return saved;
    } catch (error) { /* storage blocked or garbled: start afresh */ }
    return { openNow: true, open24h: false, amenities: [] };
  }

  function chipsChanged() {
    try {
      localStorage.setItem(CHIPS_KEY, JSON.stringify({
        openNow: filters.openNow, open24h: filters.open24h, amenities: [...filters.amenities],
      }));
    } catch (error) { /* private mode: the choice lasts for this visit */ }
    state.count = PAGE;
    load();
  }

  /* -- what the list is measured from -------------------------------------------------- */

  function show(view) {
    state.view = view;
    state.count = PAGE;
    load();
  }

  function fromRider() {
    show({ mode: "nearest", point: state.rider, reference: "离你最近", from: "离你" });
  }

  /* The point a typed search is measured from: the rider, else the map's centre. */
  function searchOrigin() {
    if (state.rider) return { point: state.rider, reference: "离你最近", from: "离你" };
    const c = map.getCenter();
    return { point: [c.lng, c.lat], reference: "离地图中心最近", from: "距地图中心" };
  }

  /* -- loading the list ---------------------------------------------------------------- */

  function requestUrl(view) {
    const [lon, lat] = view.point;
    const q = { lon, lat, crs: cfg.crs, ...filters.params() };
    if (view.mode === "search") {
      return "/api/v1/stations/search?" + new URLSearchParams({ q: view.q, limit: state.count, ...q });
    }
    return "/api/v1/stations/nearest?" + new URLSearchParams({ k: state.count, ...q });
  }

  async function load() {
    const view = state.view;
    if (!view) return;
    clearTimeout(state.retry);
    say(view.mode === "search" ? "正在查找…" : "正在查找附近的驿站…");
    try {
      const body = await sm.getJSON(requestUrl(view));
      if (view !== state.view) return;
      const reference = describeReference(view, body);
      render(body.features, view, reference);
      say(summary(body, reference));
    } catch (error) {
      failed(error, load);
    }
  }

  /* An API error in the status line; a busy server (503 with Retry-After) is asked again. */
  function failed(error, again) {
    if (error.status === 503 && error.retryAfter) {
      say(error.message + "（" + error.retryAfter + " 秒后自动重试）");
      state.retry = setTimeout(again, error.retryAfter * 1000);
      return;
    }
    say("查找失败：" + chinesePart(error.message));
  }

  /* Messages the API words in both languages ("中文 / English") are shown in Chinese. */
  function chinesePart(message) {
    const [first] = String(message).split(" / ");
    return /[\u4e00-\u9fff]/.test(first) ? first : message;
  }

  /* What the list is measured from, as the status line and the card say it. */
  function describeReference(view, body) {
    const place = body.understood && body.understood.place;
    if (view.mode === "search" && body.relative_to === "place" && place) {
      const area = place.kind !== "street";
      return { title: area ? place.full_name : place.full_name + "附近", from: "距" + place.name,
               point: [place.lon, place.lat] };
    }
    if (view.mode === "search" && body.relative_to !== "point") {
      return { title: "名称匹配", from: "", point: null };
    }
    return { title: view.reference, from: view.from, point: view.point };
  }

  function summary(body, reference) {
    const n = body.features.length;
    const asked = understoodWords(body.understood);
    const what = asked ? "（" + asked + "）" : "";
    if (!n) return reference.title + "没有找到符合条件的驿站" + what + "，试试减少筛选条件或换个说法";
    return reference.title + "的 " + n + " 个驿站" + what;
  }

  /* 卫生间、银行网点、含“好味道”: what a search was read as, in the page's words. */
  function understoodWords(understood) {
    if (!understood) return "";
    return [
      ...understood.amenities.map((k) => cfg.amenities[k]),
      ...understood.kinds.map((k) => cfg.kinds[k]),
      ...understood.text.map((w) => "含“" + w + "”"),
    ].join("、");
  }

  function render(features, view, reference) {
    state.shown = new Map(features.map((f) => [f.id, { feature: f, reference }]));
    list.replaceChildren(...features.map((f) => item(f)));
    more.hidden = !(features.length === state.count && state.count < MOST[view.mode]);
    markers.clearLayers();
    const bounds = [];
    features.forEach((f) => {
      const [lon, lat] = f.geometry.coordinates;
      bounds.push([lat, lon]);
      L.marker([lat, lon], { icon: sm.dot(f.properties.open_now), title: f.properties.name })
        .on("click", () => openCard(f.id)).addTo(markers);
    });
    if (view.mode === "nearest") {
      const [lon, lat] = view.point;
      bounds.push([lat, lon]);
      /* Blue is the rider; a county's centre is drawn grey, so no one takes it for "you". */
      const rider = view.point === state.rider;
      L.circleMarker([lat, lon], { radius: 7, color: rider ? "#1d4ed8" : "#64748b", dashArray: rider ? null : "3" })
        .addTo(markers);
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  }

  function item(f) {
    const p = f.properties;
    const [label, css] = sm.stateLabel(p.open_now);
    const amenities = sm.el("ul", { class: "amenities" },
      p.amenities.slice(0, 6).map((a) => sm.el("li", {}, [cfg.amenities[a]])));
    const li = sm.el("li", { class: "station", "data-id": f.id, tabindex: "0" }, [
      sm.el("div", { class: "name" }, [p.name]),
      sm.el("div", { class: "row" }, [
        sm.el("span", { class: "distance" }, [p.distance_m == null ? "" : sm.distance(p.distance_m)]),
        sm.el("span", { class: "state " + css }, [label]),
        sm.el("span", { class: "kind" }, [cfg.kinds[p.kind]]),
      ]),
      amenities,
    ]);
    li.addEventListener("click", () => openCard(f.id));
    return li;
  }

  /* -- the station card ------------------------------------------------------------------ */

  /* Navigation from where the rider is (a route) when the position is known, else to
     the station alone (a pin). */
  function navigationUrl(id) {
    const url = "/api/v1/stations/" + id + "/navigation";
    if (!state.rider) return url;
    const [lon, lat] = state.rider;
    return url + "?" + new URLSearchParams({ lon, lat, crs: cfg.crs });
  }

  /* The card opens even when the navigation links cannot be had (they are left out and
     the status line says why). */
  async function openCard(id) {
    const shown = state.shown.get(id);
    const [station, links] = await Promise.allSettled([
      shown ? shown.feature : sm.getJSON("/api/v1/stations/" + id + "?crs=" + cfg.crs),
      sm.getJSON(navigationUrl(id)),
    ]);
    if (station.status === "rejected") return failed(station.reason, () => openCard(id));
    fillCard(station.value, links.value || null, shown ? shown.reference : null);
    if (links.status === "rejected") say("暂时无法打开导航：" + links.reason.message);
  }

  function fillCard(f, links, reference) {
    const p = f.properties;
    const [label, css] = sm.stateLabel(p.open_now);
    const distance = p.distance_m != null && reference && reference.from
      ? reference.from + " " + sm.distance(p.distance_m) : null;
    /* A masked number (138****5621) is shown, never dialled: stripping the stars
       would call a stranger. */
    const phones = (p.phone || "").split(";").filter(Boolean).map((n) => n.includes("*")
      ? sm.el("span", { class: "phone masked" }, ["电话 " + n])
      : sm.el("a", { class: "phone", href: "tel:" + n }, ["拨打 " + n]));
    const services = p.amenities.length
      ? sm.el("ul", { class: "amenities services" }, p.amenities.map((a) => sm.el("li", {}, [cfg.amenities[a]])))
      : sm.el("p", { class: "services none" }, ["服务设施：未登记"]);
    card.replaceChildren(
      sm.el("button", { class: "close", type: "button", "aria-label": "关闭" }, ["✕"]),
      sm.el("h2", {}, [p.name]),
      sm.el("p", { class: "meta" }, [
        sm.el("span", { class: "state " + css }, [label]),
        sm.el("span", { class: "kind" }, [cfg.kinds[p.kind]]),
        ...(distance ? [sm.el("span", { class: "distance" }, [distance])] : []),
      ]),
      sm.el("p", { class: "address" }, [p.address]),
      sm.el("p", { class: "hours" }, ["开放时间：" + (p.hours_text || "未知")]),
      services,
      sm.el("p", {}, phones),
      links ? sm.el("p", { class: "nav" }, [
        sm.el("a", { class: "nav-amap", href: links.amap }, ["高德导航"]),
        sm.el("a", { class: "nav-baidu", href: links.baidu }, ["百度导航"]),
        sm.el("a", { class: "nav-tencent", href: links.tencent }, ["腾讯导航"]),
      ]) : "",
      sm.el("p", {}, [sm.el("a", { href: "/stations/" + f.id }, ["详情"])]),
    );
    card.hidden = false;
    card.querySelector(".close").addEventListener("click", () => { card.hidden = true; });
  }

  /* -- where the rider is ---------------------------------------------------------------- */

  function locate() {
    if (!navigator.geolocation) return fallback("此浏览器不支持定位，请输入地名或区县名查找");
    say("正在定位…");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        state.rider = sm.wgs84To(cfg.crs, position.coords.longitude, position.coords.latitude);
        fromRider();
      },
      (error) => fallback(locationProblem(error)),
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  function locationProblem(error) {
    if (!window.isSecureContext) return "无法获取你的位置：浏览器只在 HTTPS 页面上允许定位。请输入地名或区县名查找";
    if (error && error.code === 1) return "无法获取你的位置，请在浏览器设置中允许定位，或输入地名、区县名查找";
    return "暂时无法获取你的位置，请稍后再试，或输入地名、区县名查找";
  }

  function fallback(text) {
    say(text);
    document.getElementById("place").focus();
  }

  /* -- typed text -------------------------------------------------------------------- */

  /* A county's name (玄武区) offers the county; anything else is a search (朝阳 银行,
     卫生间, 南京东路), measured from the rider or the map's centre. */
  async function searchTyped(event) {
    event.preventDefault();
    const q = document.getElementById("place").value.trim();
    if (!q) return;
    counties.hidden = true;
    card.hidden = true;
    try {
      if (q.length <= 30 && !/\s/.test(q)) {
        const found = await sm.getJSON("/api/v1/counties?" + new URLSearchParams({ name: q, crs: cfg.crs }));
        if (found.counties.length === 1) return fromCounty(found.counties[0]);
        if (found.counties.length > 1) return offerCounties(found.counties);
      }
      show({ mode: "search", q, ...searchOrigin() });
    } catch (error) { failed(error, () => searchTyped(event)); }
  }

  function countyName(c) {
    return c.city === c.province ? c.province + c.name : c.city + c.name;
  }

  function fromCounty(c) {
    counties.hidden = true;
    const name = countyName(c);
    show({ mode: "nearest", point: [c.lon, c.lat],
           reference: "离" + name + "中心最近", from: "距" + c.name + "中心" });
  }

  /* Counties of that name, nearest the rider (or the map's centre) first. */
  function offerCounties(found) {
    const origin = searchOrigin().point;
    const away = (c) => (c.lon - origin[0]) ** 2 + (c.lat - origin[1]) ** 2;
    const sorted = [...found].sort((a, b) => away(a) - away(b));
    counties.replaceChildren(...sorted.map((c) => {
      const button = sm.el("button", { type: "button", "data-adcode": c.adcode }, [countyName(c)]);
      button.addEventListener("click", () => fromCounty(c));
      return button;
    }));
    counties.hidden = false;
    say("有 " + found.length + " 个同名区县，请选择");
  }

  more.addEventListener("click", () => {
    state.count = Math.min(state.count + PAGE, MOST[state.view.mode]);
    load();
  });
  document.getElementById("locate").addEventListener("click", locate);
  document.getElementById("place-form").addEventListener("submit", searchTyped);
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then((p) => {
      if (p.state === "granted") locate(); else say("点“定位我”找附近的驿站，或输入地名");
    }).catch(() => say("点“定位我”找附近的驿站，或输入地名"));
  } else {
    say("点“定位我”找附近的驿站，或输入地名");
  }
  sm.rider = { state, load };
})(window.stationmap);
