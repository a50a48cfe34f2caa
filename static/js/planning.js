/* The planners' pages: coverage by area at an hour (a choropleth and a sortable table),
   and a county's gaps, stations, day profile and proposed sites. Every figure comes from
   /api/v1/coverage*; the outlines from /planning/areas.geojson, in WGS-84, moved into
   the tiles' system here (GCJ-02 on 高德's tiles) as they are drawn. */
"use strict";
(function (sm) {
  const cfg = sm.config;
  const root = document.getElementById("planning");
  const start = JSON.parse(document.getElementById("planning-start").textContent);
  const state = { hour: start.hour, radius: start.radius_m };
  const statusBox = document.getElementById("status");
  const hourInput = document.getElementById("hour");
  const hourLabel = document.getElementById("hour-label");
  const radiusInput = document.getElementById("radius");

  /* Covered share at which a choropleth class starts, and the classes' colours. */
  const SHARE_BREAKS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75];
  const SHARE_COLOURS = ["#fff5eb", "#d9f0d3", "#a6dba0", "#78c679", "#41ab5d", "#238443", "#005a32"];
  const NO_PEOPLE = "#e2e8f0";
  /* People in an uncovered cell at which its shade steps up (as the offline map). */
  const GAP_BREAKS = [100, 500, 2000, 5000];
  const GAP_COLOURS = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  const FINER = { province: "city", city: "county" };
  const METHODS = { exact: "精确求解（整数规划）", greedy: "贪心算法" };

  function say(text) { statusBox.textContent = text; }
  const pad = (n) => String(n).padStart(2, "0");
  const at = () => pad(state.hour) + ":00";
  const people = (n) => (n === null || n === undefined ? "—" : Math.round(n).toLocaleString("zh-CN"));
  const share = (s) => (s === null || s === undefined ? "—" : (s * 100).toFixed(1) + "%");
  const metres = (m) => (m === null || m === undefined ? "无" : sm.distance(m));
  const query = (params) => new URLSearchParams(params).toString();

  /* A WGS-84 [lon, lat] as a Leaflet position in the tiles' system. */
  const toLatLng = (c) => { const [x, y] = sm.wgs84To(cfg.crs, c[0], c[1]); return L.latLng(y, x); };

  function classOf(value, breaks) { return breaks.filter((b) => value >= b).length; }
  function shareColour(s) { return s === null || s === undefined ? NO_PEOPLE : SHARE_COLOURS[classOf(s, SHARE_BREAKS)]; }
  function gapColour(n) { return GAP_COLOURS[classOf(n, GAP_BREAKS)]; }

  /* The parameters every coverage question shares: the hour and the radius. */
  function moment() { return { at: at(), radius_m: String(state.radius) }; }

  /* Keep the hour and radius in the address, so a reload or a shared link starts there. */
  function remember() {
    const url = new URL(window.location.href);
    url.searchParams.set("at", at());
    url.searchParams.set("radius_m", String(state.radius));
    window.history.replaceState(null, "", url);
  }

  /* Ask again only for the latest change: an older answer arriving late is dropped. */
  let asked = 0;
  async function refresh(load) {
    const mine = ++asked;
    say("正在计算 " + at() + " 的覆盖…");
    try {
      await load(() => mine === asked);
      if (mine === asked) say(at() + "，服务半径 " + sm.distance(state.radius));
    } catch (error) {
      if (mine === asked) say("出错了：" + error.message);
    }
  }

  function watchControls(onChange) {
    /* Dragging asks once it rests a quarter second; letting go asks at once; either
       way one question per new hour. */
    let timer = null;
    const ask = () => { clearTimeout(timer); timer = null; onChange(); };
    hourInput.addEventListener("input", () => {
      state.hour = Number(hourInput.value);
      hourLabel.textContent = at();
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    hourInput.addEventListener("change", () => { if (timer !== null) ask(); });
    radiusInput.addEventListener("change", () => {
      const value = Number(radiusInput.value);
      if (!(value >= 100 && value <= 50000)) { say("服务半径应在 100 到 50000 米之间"); return; }
      state.radius = value;
      onChange();
    });
  }

  function showPopulationNote(answer) {
    document.getElementById("population-note").hidden = answer.population_source === "loaded";
  }

  function drawLegend(box, breaks, colours, label, extra) {
    box.replaceChildren();
    colours.forEach((colour, i) => {
      const from = i === 0 ? 0 : breaks[i - 1], to = breaks[i];
      box.append(sm.el("span", { class: "legend-item" }, [
        sm.el("span", { class: "swatch", style: "background:" + colour }), label(from, to)]));
    });
    if (extra) box.append(sm.el("span", { class: "legend-item" }, [
      sm.el("span", { class: "swatch", style: "background:" + extra[0] }), extra[1]]));
  }

  /* -- the areas view: a choropleth of the areas of a level, and their table -- */

  /* A map that fits an area snugly: quarter zoom steps, not whole ones. */
  function makeMap() {
    const map = sm.makeMap("map", [35.0, 105.0], 4);
    map.options.zoomSnap = 0.25;
    map.options.zoomDelta = 0.5;
    return map;
  }

  /* The element shown in a box in the map's corner. */
  function inCorner(map, element, position) {
    const control = L.control({ position });
    control.onAdd = () => element;
    control.addTo(map);
  }

  function areasView() {
    const map = makeMap();
    inCorner(map, document.getElementById("legend"), "bottomleft");
    const figures = new Map();
    let outlines = null;
    let sortKey = "uncovered_population", sortDown = true;  /* where most people are out of reach */
    const tbody = document.querySelector("#areas-table tbody");

    drawLegend(document.getElementById("legend"), SHARE_BREAKS, SHARE_COLOURS,
      (from, to) => (to === undefined ? "≥" + share(from) : share(from) + "–" + share(to)).replace(/\.0%/g, "%"),
      [NO_PEOPLE, "无人口数据"]);
    const legendTitle = sm.el("strong", {}, []);
    document.getElementById("legend").prepend(legendTitle);

    function drill(adcode) {
      const params = moment();
      if (start.level === "county") {
        window.location.href = "/planning/county/" + adcode + "?" + query(params);
      } else {
        window.location.href = "/planning?" + query({ within: adcode, level: FINER[start.level], ...params });
      }
    }

    function styleOf(feature) {
      const f = figures.get(feature.properties.adcode);
      return { className: "planning-area", color: "#475569", weight: 0.6, fillOpacity: 0.85,
               fillColor: shareColour(f ? f.covered_share : null) };
    }

    function restyle() {
      if (!outlines) return;
      outlines.eachLayer((layer) => {
        const f = figures.get(layer.feature.properties.adcode);
        layer.setStyle(styleOf(layer.feature));
        const path = layer.getElement();
        if (path) {
          path.dataset.share = f && f.covered_share !== null ? String(f.covered_share) : "";
          path.dataset.fill = styleOf(layer.feature).fillColor;
        }
        layer.setTooltipContent(layer.feature.properties.name + "：覆盖率 " + share(f ? f.covered_share : null));
      });
    }

    async function loadOutlines() {
      const body = await sm.getJSON("/planning/areas.geojson?" + query({ level: start.level, within: start.within }));
      outlines = L.geoJSON(body, {
        coordsToLatLng: toLatLng,
        style: styleOf,
        onEachFeature: (feature, layer) => {
          layer.bindTooltip(feature.properties.name, { sticky: true });
          layer.on("click", () => drill(feature.properties.adcode));
          layer.on("add", () => { const p = layer.getElement(); if (p) p.dataset.adcode = feature.properties.adcode; });
        },
      }).addTo(map);
      map.fitBounds(outlines.getBounds(), { animate: false });
    }

    async function loadBorders() {
      if (start.within_level !== "nation") return;
      map.createPane("borders").style.zIndex = 450;
      const body = await sm.getJSON("/api/v1/regions/provinces?crs=" + cfg.crs);
      L.geoJSON(body, { pane: "borders", interactive: false,
        style: { className: "province-borders", color: "#1f2937", weight: 1.2, opacity: 0.9 } }).addTo(map);
    }

    function coverageParams() {
      const params = { level: start.level, ...moment() };
      if (start.within_level !== "nation") params.within = start.within;
      return params;
    }

    function setDownloads() {
      const params = coverageParams();
      document.getElementById("download-csv").href = "/api/v1/coverage?" + query({ ...params, format: "csv" });
      document.getElementById("download-xlsx").href = "/api/v1/coverage?" + query({ ...params, format: "xlsx" });
    }

    function row(area) {
      const cells = [
        ["name", area.level === "county" && area.parent_name && !area.parent_name.endsWith("直辖县级行政区划") ? area.parent_name + area.name : area.name], ["population", people(area.population)],
        ["covered_population", people(area.covered_population)], ["covered_share", share(area.covered_share)],
        ["uncovered_population", people(area.uncovered_population)], ["stations", people(area.stations)],
        ["stations_open", people(area.stations_open)], ["stations_unknown_hours", people(area.stations_unknown_hours)],
        ["stations_per_10k", area.stations_per_10k === null ? "—" : area.stations_per_10k.toFixed(2)],
        ["median_distance_m", metres(area.median_distance_m)], ["p90_distance_m", metres(area.p90_distance_m)],
      ];
      const tr = sm.el("tr", { "data-adcode": area.adcode, tabindex: "0", title: "查看" + area.name },
        cells.map(([key, text]) => sm.el("td", { "data-key": key }, [text])));
      tr.querySelector("td").prepend(sm.el("span", { class: "swatch", style: "background:" + shareColour(area.covered_share) }));
      tr.addEventListener("click", () => drill(area.adcode));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") drill(area.adcode); });
      return tr;
    }

    /* Compare two areas by the sort column; a missing figure sorts last either way. */
    function compare(a, b) {
      const x = a[sortKey], y = b[sortKey];
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      const order = typeof x === "string" ? x.localeCompare(y, "zh-CN") : x - y;
      return sortDown ? -order : order;
    }

    function drawTable() {
      const areas = [...figures.values()].sort(compare);
      tbody.replaceChildren(...areas.map(row));
      document.querySelectorAll("#areas-table th").forEach((th) => {
        const on = th.dataset.key === sortKey;
        th.setAttribute("aria-sort", on ? (sortDown ? "descending" : "ascending") : "none");
      });
    }

    document.querySelectorAll("#areas-table th").forEach((th) => {
      th.querySelector("button").addEventListener("click", () => {
        sortDown = th.dataset.key === sortKey ? !sortDown : th.dataset.type !== "text";
        sortKey = th.dataset.key;
        drawTable();
      });
    });

    function drawTotal(answer) {
      const t = answer.total;
      document.getElementById("total").textContent = answer.within.name + "：人口 " + people(t.population)
        + "，" + sm.distance(state.radius) + "内有开放驿站的 " + people(t.covered_population) + " 人（"
        + share(t.covered_share) + "）；驿站 " + people(t.stations) + " 个，" + at() + " 开放 "
        + people(t.stations_open) + " 个，开放时间未知 " + people(t.stations_unknown_hours) + " 个";
    }

    async function loadFigures(current) {
      const answer = await sm.getJSON("/api/v1/coverage?" + query(coverageParams()));
      if (!current()) return;
      figures.clear();
      legendTitle.textContent = "覆盖率（" + sm.distance(state.radius) + "内有开放驿站的人口占比）";
      answer.areas.forEach((a) => figures.set(a.adcode, a));
      restyle();
      drawTable();
      drawTotal(answer);
      showPopulationNote(answer);
      setDownloads();
      remember();
      root.dataset.at = at();
      root.dataset.radius = String(state.radius);
    }

    const first = Promise.all([loadOutlines(), loadBorders()]);
    refresh(async (current) => { await Promise.all([first, loadFigures(current)]); restyle(); });
    watchControls(() => refresh(loadFigures));
  }

  /* -- the county view: gaps, stations, the day, and proposed sites -- */

  function countyView() {
    const adcode = root.dataset.adcode;
    const map = makeMap();
    const outline = L.geoJSON(JSON.parse(document.getElementById("county-outline").textContent), {
      coordsToLatLng: toLatLng, interactive: false,
      style: { color: "#b91c1c", weight: 2, fill: false, className: "county-outline" } }).addTo(map);
    map.fitBounds(outline.getBounds(), { animate: false });
    map.createPane("gaps").style.zIndex = 350;
    const gapLayer = L.layerGroup().addTo(map);
    const stationLayer = L.layerGroup().addTo(map);
    const siteLayer = L.layerGroup().addTo(map);
    const offline = document.getElementById("offline-map");

    drawLegend(document.getElementById("gap-legend"), GAP_BREAKS, GAP_COLOURS,
      (from, to) => (to === undefined ? from.toLocaleString("zh-CN") + "人以上" : from + "–" + to + "人"));
    document.getElementById("gap-legend").prepend("未覆盖网格人口：");

    async function loadGaps(current) {
      const body = await sm.getJSON("/api/v1/coverage/gaps?" + query({ adcode, aggregate: "cells", ...moment() }));
      if (!current()) return;
      gapLayer.clearLayers();
      L.geoJSON(body, {
        pane: "gaps", coordsToLatLng: toLatLng,
        style: (f) => ({ className: "gap-cell", color: "#7f1d1d", weight: 0.4, fillOpacity: 0.6,
                         fillColor: gapColour(f.properties.population) }),
        onEachFeature: (f, layer) => layer.bindPopup("未覆盖：约 " + people(f.properties.population) + " 人<br>"
          + (f.properties.nearest_m === null ? "没有符合条件的驿站" : "最近的开放驿站 " + sm.distance(f.properties.nearest_m))),
      }).addTo(gapLayer);
      root.dataset.gapCells = String(body.features.length);
    }

    async function loadStations(current) {
      const body = await sm.getJSON("/planning/county/" + adcode + "/stations.json?" + query({ at: at() }));
      if (!current()) return;
      stationLayer.clearLayers();
      body.stations.forEach((s) => {
        const marker = L.marker(toLatLng([s.lon, s.lat]), { icon: sm.dot(s.state, null, 16), title: s.name, keyboard: false })
          .bindPopup(sm.el("div", { class: "marker-popup" }, [
            sm.el("a", { class: "name", href: "/stations/" + encodeURIComponent(s.id) }, [s.name]),
            sm.el("div", {}, [s.kind + " · " + s.state_label + "（" + at() + "）"])]))
          .addTo(stationLayer);
        marker.getElement().dataset.id = s.id;
        marker.getElement().dataset.state = s.state;
      });
    }

    function figureRows(t) {
      return [
        ["人口", people(t.population)], ["覆盖人口", people(t.covered_population) + "（" + share(t.covered_share) + "）"],
        ["未覆盖人口", people(t.uncovered_population)],
        ["驿站（此时开放 / 时间未知）", t.stations + "（" + t.stations_open + " / " + t.stations_unknown_hours + "）"],
        ["每万人驿站", t.stations_per_10k === null ? "—" : t.stations_per_10k.toFixed(2)],
        ["到最近开放驿站的距离中位数", metres(t.median_distance_m)], ["90% 的人在此距离内", metres(t.p90_distance_m)],
      ];
    }

    async function loadFigures(current) {
      const answer = await sm.getJSON("/api/v1/coverage?" + query({ level: "county", within: adcode, ...moment() }));
      if (!current()) return;
      const body = document.querySelector("#county-figures tbody");
      body.replaceChildren(...figureRows(answer.total).map(([k, v]) =>
        sm.el("tr", {}, [sm.el("th", { scope: "row" }, [k]), sm.el("td", {}, [v])])));
      document.querySelector("#county-figures caption").textContent = at() + " 的覆盖情况";
      root.dataset.coveredShare = String(answer.total.covered_share);
      showPopulationNote(answer);
    }

    let dayHours = [];
    function drawDay() {
      const chart = document.getElementById("day-chart");
      chart.replaceChildren(...dayHours.map((h) => {
        const s = h.total.covered_share || 0;
        const bar = sm.el("button", { type: "button", class: "bar" + (h.hour === state.hour ? " is-current" : ""),
          "data-hour": String(h.hour), title: pad(h.hour) + ":00 覆盖率 " + share(h.total.covered_share)
            + "，开放驿站 " + h.total.stations_open + " 个" }, [
          sm.el("span", { class: "fill", style: "height:" + Math.max(1, s * 100).toFixed(1) + "%" }),
          sm.el("span", { class: "hour-mark" }, [String(h.hour)])]);
        bar.addEventListener("click", () => { state.hour = h.hour; hourInput.value = String(h.hour); hourLabel.textContent = at(); changed(); });
        return bar;
      }));
    }

    async function loadDay() {
      const params = { adcode, radius_m: String(state.radius) };
      document.getElementById("day-csv").href = "/api/v1/coverage/day?" + query({ ...params, format: "csv" });
      document.getElementById("day-xlsx").href = "/api/v1/coverage/day?" + query({ ...params, format: "xlsx" });
      const answer = await sm.getJSON("/api/v1/coverage/day?" + query(params));
      dayHours = answer.hours;
      drawDay();
    }

    function setOfflineLink() {
      offline.href = "/planning/county/" + adcode + "/map.html?" + query({ ...moment(), p: document.getElementById("p").value });
    }

    function clearProposals(note) {
      siteLayer.clearLayers();
      document.getElementById("proposal-result").hidden = true;
      root.dataset.sites = "0";
      if (note) say(note);
    }

    function drawSites(answer) {
      siteLayer.clearLayers();
      answer.sites.forEach((site, i) => {
        const centre = toLatLng([site.lon, site.lat]);
        L.circle(centre, { radius: state.radius, color: "#1d4ed8", weight: 1.5, dashArray: "4 3",
                           fillOpacity: 0.08, className: "site-catchment", interactive: false }).addTo(siteLayer);
        L.circleMarker(centre, { radius: 9, color: "#fff", weight: 2, fillColor: "#1d4ed8", fillOpacity: 1,
                                 className: "proposed-site" })
          .bindTooltip(String(i + 1), { permanent: true, direction: "center", className: "site-rank" })
          .bindPopup("建议站点 " + (i + 1) + "：新覆盖约 " + people(site.newly_covered) + " 人")
          .addTo(siteLayer);
      });
    }

    function drawProposalText(answer) {
      const bound = answer.upper_bound === null ? "" : "；可能的最优值不超过 " + people(answer.upper_bound) + " 人"
        + (answer.gap ? "（差距至多 " + (answer.gap * 100).toFixed(2) + "%）" : "");
      document.getElementById("proposal-summary").title = answer.note || "";
      document.getElementById("proposal-summary").textContent = "新增 " + answer.sites.length + " 个站点，新覆盖约 "
        + people(answer.newly_covered) + " 人。方法：" + (METHODS[answer.method] || answer.method)
        + (answer.optimal ? "，已证明最优" : "") + bound + "。"
        + "（候选点 " + people(answer.candidates.count) + " 个，合并后需求点 " + people(answer.demand_points) + " 个）";
      const rows = [["覆盖人口", "covered_population", people], ["覆盖率", "covered_share", share],
                    ["距离中位数", "median_distance_m", metres], ["90%距离", "p90_distance_m", metres]];
      document.querySelector("#before-after tbody").replaceChildren(...rows.map(([label, key, show]) =>
        sm.el("tr", {}, [sm.el("th", { scope: "row" }, [label]), sm.el("td", {}, [show(answer.before[key])]),
                         sm.el("td", {}, [show(answer.after[key])])])));
      document.getElementById("sites").replaceChildren(...answer.sites.map((s) =>
        sm.el("li", { class: "site" }, [(s.name ? s.name + " · " : "") + "新覆盖约 "
          + people(s.newly_covered) + " 人 · " + s.lon.toFixed(5) + ", " + s.lat.toFixed(5)])));
    }

    /* Proposals among an uploaded list of candidate sites (read as an import reads a list). */
    async function proposeAmong(file, params) {
      const form = new FormData();
      form.append("file", file);
      const crs = document.getElementById("candidates-crs").value;
      if (crs) form.append("crs", crs);
      for (const [key, value] of Object.entries(params)) {
        if (key !== "adcode" && value !== undefined && value !== "") form.append(key, value);
      }
      form.append("csrf_token", document.querySelector("#propose-form [name=csrf_token]").value);
      const answered = await fetch("/planning/county/" + adcode + "/proposals", { method: "POST", body: form });
      const body = await answered.json();
      if (!answered.ok) throw new Error(body.error ? body.error.message : answered.statusText);
      return body;
    }

    async function propose(event) {
      event.preventDefault();
      const p = document.getElementById("p").value;
      const params = { adcode, p, ...moment() };
      ["csv", "xlsx", "geojson"].forEach((f) => {
        document.getElementById("sites-" + f).href = "/api/v1/coverage/proposals?" + query({ ...params, format: f });
      });
      setOfflineLink();
      say("正在计算选址建议（最多约 10 秒）…");
      const file = document.getElementById("candidates").files[0];
      try {
        const answer = file ? await proposeAmong(file, params)
          : await sm.getJSON("/api/v1/coverage/proposals?" + query(params));
        drawSites(answer);
        drawProposalText(answer);
        document.getElementById("proposal-result").hidden = false;
        root.dataset.sites = String(answer.sites.length);
        say("已生成 " + answer.sites.length + " 个建议站点");
      } catch (error) {
        say("无法生成建议：" + error.message);
      }
    }

    async function loadMoment(current) {
      await Promise.all([loadGaps(current), loadStations(current), loadFigures(current)]);
      if (current()) { remember(); setOfflineLink(); root.dataset.at = at(); drawDay(); }
    }

    let radiusOfDay = state.radius;
    function changed() {
      clearProposals();
      if (radiusOfDay !== state.radius) { radiusOfDay = state.radius; loadDay().catch((e) => say("出错了：" + e.message)); }
      refresh(loadMoment);
    }

    document.getElementById("propose-form").addEventListener("submit", propose);
    document.getElementById("p").addEventListener("change", setOfflineLink);
    loadDay().catch((e) => say("出错了：" + e.message));
    refresh(loadMoment);
    watchControls(changed);
  }

  if (root.dataset.view === "county") countyView(); else areasView();
})(window.stationmap);
