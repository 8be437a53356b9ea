// The map: any indicator by province (a choropleth), district and subdistrict (ranked
// tables: no geometry ships below provinces), as a count, a share of the population or
// per 1,000 people. Suppressed cells are shown as such, never as 0.
import {
  api,
  areaLabel,
  areaNames,
  asOf,
  boot,
  cellNode,
  fmt,
  h,
  indicatorLabel,
  lang,
  notice,
  programmes,
  statistics,
  t,
  table,
} from "../app.js";

const LEVELS = { 0: "province", 2: "district", 4: "subdistrict" };
const MEASURES = ["count", "share", "per1000"];

function here() {
  const q = new URLSearchParams(location.search);
  const within = /^[0-9]{2}([0-9]{2})?$/.test(q.get("within") || "") ? q.get("within") : "";
  return {
    indicator: q.get("indicator") || "population",
    measure: MEASURES.includes(q.get("measure")) ? q.get("measure") : "count",
    release: q.get("release") || "",
    within,
    level: LEVELS[within.length],
  };
}

function link(state, changes) {
  const next = { ...state, ...changes };
  const q = new URLSearchParams();
  q.set("indicator", next.indicator);
  if (next.measure !== "count") q.set("measure", next.measure);
  q.set("level", LEVELS[next.within.length]);
  if (next.within) q.set("within", next.within);
  if (next.release) q.set("release", next.release);
  return `/app/map?${q}`;
}

/** The value shown for an area: null where it cannot be told (suppressed, or a share
 *  whose population is suppressed). */
function measureOf(cell, population, measure) {
  if (!cell || cell.suppressed) return null;
  if (measure === "count") return cell.persons;
  if (!population || population.suppressed || !population.persons) return null;
  return measure === "share" ? cell.persons / population.persons : (cell.persons * 1000) / population.persons;
}

function shown(value, measure) {
  if (value === null) return "—";
  if (measure === "share") return fmt.pct(value);
  if (measure === "per1000") return fmt.dec(value);
  return fmt.num(value);
}

boot("map", async (main) => {
  const state = here();
  const [national, list, releases] = await Promise.all([
    statistics({ level: "national", release: state.release }),
    programmes(),
    api("/api/v1/releases"),
  ]);
  const indicators = national.cells.map((c) => c.indicator);
  if (!indicators.includes(state.indicator)) state.indicator = "population";
  const [cells, population, names, parents] = await Promise.all([
    statistics({ level: state.level, within: state.within, indicator: state.indicator, release: state.release }),
    state.indicator === "population" || state.measure === "count"
      ? null
      : statistics({ level: state.level, within: state.within, indicator: "population", release: state.release }),
    areaNames(state.level, state.within),
    state.within.length === 4 ? areaNames("district", state.within.slice(0, 2)) : null,
  ]);
  const provinceNames = state.within ? await areaNames("province") : names;
  const k = cells.suppression_k;

  main.append(h("h1", {}, t("map.title")), asOf(cells));

  // Filters, kept in the URL so that every level and the breadcrumb keep them.
  const indicatorSelect = h(
    "select",
    { id: "indicator", name: "indicator" },
    indicators.map((i) => h("option", { value: i, selected: i === state.indicator }, indicatorLabel(i, list))),
  );
  const measureSelect = h(
    "select",
    { id: "measure", name: "measure" },
    MEASURES.map((m) => h("option", { value: m, selected: m === state.measure }, t(`measure.${m}`))),
  );
  const releaseSelect = h(
    "select",
    { id: "release", name: "release" },
    h("option", { value: "" }, t("release.newest")),
    releases.releases
      .slice()
      .reverse()
      .map((r) => h("option", { value: r.release, selected: String(r.release) === state.release }, t("release.option", { release: r.release, day: fmt.date(r.as_of) }))),
  );
  const go = () => location.assign(link(state, { indicator: indicatorSelect.value, measure: measureSelect.value, release: releaseSelect.value }));
  for (const s of [indicatorSelect, measureSelect, releaseSelect]) s.addEventListener("change", go);
  main.append(
    h(
      "form",
      { class: "filters", id: "filters", onsubmit: (e) => (e.preventDefault(), go()) },
      h("label", { for: "indicator" }, t("map.indicator"), indicatorSelect),
      h("label", { for: "measure" }, t("map.measure"), measureSelect),
      h("label", { for: "release" }, t("map.release"), releaseSelect),
    ),
  );

  // The breadcrumb back up: Thailand › province › district.
  const crumbs = [{ label: t("thailand"), href: link(state, { within: "" }) }];
  if (state.within.length >= 2) {
    const p = state.within.slice(0, 2);
    crumbs.push({ label: areaLabel(provinceNames, p), href: link(state, { within: p }) });
  }
  if (state.within.length === 4) crumbs.push({ label: areaLabel(parents, state.within), href: link(state, { within: state.within }) });
  main.append(
    h(
      "nav",
      { class: "breadcrumb", "aria-label": t("map.breadcrumb") },
      h(
        "ol",
        {},
        crumbs.map((c, i) =>
          h("li", {}, i === crumbs.length - 1 ? h("span", { "aria-current": "page" }, c.label) : h("a", { href: c.href }, c.label)),
        ),
      ),
    ),
  );
  if (names === null) main.append(notice(t("map.no_names")));

  // The population of each area, for shares and rates (of the population itself: 100%).
  const base = state.indicator === "population" ? cells : population;
  const pop = new Map((base?.cells || []).map((c) => [c.area_code, c]));
  const rows = cells.cells.map((c) => ({
    code: c.area_code,
    cell: c,
    value: measureOf(c, pop.get(c.area_code), state.measure),
  }));
  rows.sort((a, b) => (b.value ?? -1) - (a.value ?? -1) || a.code.localeCompare(b.code));
  const leaf = state.level === "subdistrict";
  const title = `${indicatorLabel(state.indicator, list)} · ${t(`measure.${state.measure}`)} · ${t(`level.${state.level}`)}`;

  if (state.level === "province" && names && window.echarts) {
    main.append(h("h2", {}, title));
    const chart = h("div", { class: "chart", id: "choropleth", role: "img", "aria-label": t("map.aria", { title }) });
    main.append(
      chart,
      h(
        "p",
        { class: "legend" },
        h("span", {}, h("span", { class: "swatch suppressed" }), t("suppressed")),
        h("span", {}, h("span", { class: "swatch none" }), t("cell.none")),
      ),
    );
    drawMap(chart, rows, names, state);
  } else {
    main.append(h("h2", {}, title));
  }

  main.append(
    table(
      t("map.ranked"),
      [{ text: "#", num: true }, t(`level.${state.level}`), { text: t(`measure.${state.measure}`), num: true }, ...(state.measure === "count" ? [] : [{ text: t("col.persons"), num: true }])],
      rows.map((r, i) => {
        const label = areaLabel(names, r.code);
        const area = leaf ? label : h("a", { href: link(state, { within: r.code }) }, label);
        const value = r.cell.suppressed
          ? cellNode(r.cell, k)
          : r.value === null
            ? { text: t("suppressed"), num: true, cls: "suppressed", title: t("cell.share_suppressed") }
            : { text: shown(r.value, state.measure), num: true };
        return [fmt.num(i + 1), area, value, ...(state.measure === "count" ? [] : [cellNode(r.cell, k)])];
      }),
      { id: "areas" },
    ),
  );
  if (!rows.length) main.append(notice(t("map.empty")));
  main.append(h("p", { class: "sub" }, t("map.suppression", { k: fmt.num(k) })));
});

function drawMap(el, rows, names, state) {
  const chart = window.echarts.init(el, null, { renderer: "canvas" });
  const byMap = new Map();
  const nameMap = {};
  for (const [code, n] of names) {
    if (!n.map) continue;
    byMap.set(n.map, code);
    nameMap[n.map] = n[lang];
  }
  const codeToRow = new Map(rows.map((r) => [r.code, r]));
  const data = [];
  for (const [code, n] of names) {
    if (!n.map) continue;
    const r = codeToRow.get(code);
    // No value (not "-"): a cell without a number is drawn grey, outside the colour scale.
    if (!r) data.push({ name: n[lang], code, state: "none" });
    else if (r.value === null) data.push({ name: n[lang], code, state: "suppressed", itemStyle: { areaColor: "#9a9a9a" } });
    else data.push({ name: n[lang], value: r.value, code, state: "ok" });
  }
  const values = data.filter((d) => d.state === "ok").map((d) => d.value);
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: (p) => {
        const d = p.data || {};
        const v = d.state === "suppressed" ? t("suppressed") : d.state === "ok" ? shown(d.value, state.measure) : t("cell.none");
        return `${p.name}: ${v}`;
      },
    },
    visualMap: {
      min: values.length ? Math.min(...values) : 0,
      max: values.length ? Math.max(...values) : 1,
      calculable: false,
      left: "left",
      bottom: 10,
      text: [t("map.high"), t("map.low")],
      inRange: { color: ["#e3eef9", "#1d4e89"] },
      formatter: (v) => shown(v, state.measure),
    },
    series: [
      {
        type: "map",
        map: "泰国",
        nameMap,
        roam: false,
        itemStyle: { areaColor: "#f2f2f2", borderColor: "#666", borderWidth: 0.5 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#f0a400" } },
        select: { disabled: true },
        data,
      },
    ],
  });
  chart.on("click", (p) => {
    if (p.data?.code) location.assign(link(state, { within: p.data.code }));
  });
  // Resize on the next frame, and only while the map has a size: ECharts fails to lay out
  // a map in a box of zero width (as during a viewport change).
  let pending = false;
  window.addEventListener("resize", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (!chart.isDisposed() && el.clientWidth > 0 && el.clientHeight > 0) chart.resize();
    });
  });
  el.dataset.drawn = String(data.length);
}
