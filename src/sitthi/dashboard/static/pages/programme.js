// A programme: its rules and legal sources, who is entitled, its gaps by province, and
// the trend across releases (the national cells of every published release).
import { api, areaLabel, areaNames, asOf, boot, cellNode, fmt, h, lang, programmeName, programmes, statistics, t, table } from "../app.js";

const GAPS = ["eligible_not_receiving", "receiving_not_eligible", "paid_twice", "paid_after_death"];

function chooser(main, list) {
  main.append(
    h("h1", {}, t("programme.all")),
    h("ul", { class: "panel", id: "programmes" }, list.map((p) => h("li", {}, h("a", { href: `/app/programme?id=${p.id}` }, programmeName(list, p.id))))),
  );
}

boot("programme", async (main) => {
  const list = await programmes();
  const id = new URLSearchParams(location.search).get("id");
  const p = list.find((x) => x.id === id);
  if (!p) {
    chooser(main, list);
    return;
  }
  const [national, names] = await Promise.all([statistics({ level: "national" }), areaNames("province")]);
  const k = national.suppression_k;
  const cells = new Map(national.cells.map((c) => [c.indicator, c]));
  main.append(h("h1", {}, programmeName(list, id)), asOf(national));

  const rules = Object.entries(p.eligibility || {}).map(([name, c]) => h("li", {}, (lang === "th" ? c.th : c.en) || name));
  main.append(
    h(
      "div",
      { class: "grid2" },
      h(
        "section",
        { class: "panel", "aria-labelledby": "rules-h" },
        h("h2", { id: "rules-h" }, t("programme.rules")),
        h("ul", { id: "rules" }, rules),
        h("h3", {}, t("programme.legal")),
        h("ul", {}, (p.legal_source || []).map((s) => h("li", { lang: "th" }, s))),
        h("h3", {}, t("programme.claim")),
        h("p", { lang: "th" }, p.claim?.how_th ?? "—"),
        h("p", { lang: "th" }, p.claim?.where_th ?? ""),
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": "numbers-h" },
        h("h2", { id: "numbers-h" }, t("programme.numbers")),
        table(
          null,
          [t("col.indicator"), { text: t("col.persons"), num: true }, { text: t("col.baht_month"), num: true }],
          [
            [`entitled:${id}`, t("col.entitled")],
            ...(cells.has(`paid:${id}`) ? [[`paid:${id}`, t("col.paid")]] : []),
            ...GAPS.filter((g) => cells.has(`gap:${id}:${g}`)).map((g) => [`gap:${id}:${g}`, t(`gap.${g}`)]),
          ].map(([indicator, label]) => {
            const cell = cells.get(indicator);
            // the baht a month the cell's persons are entitled to, paid, or miss
            const amount = cell && !cell.suppressed ? fmt.baht(cell.amount) : "—";
            return [h("a", { href: `/app/map?indicator=${indicator}` }, label), cellNode(cell, k), { text: amount, num: true }];
          }),
          { id: "numbers" },
        ),
      ),
    ),
  );

  // Gaps by province: one column per gap the programme has.
  const gaps = GAPS.filter((g) => cells.has(`gap:${id}:${g}`));
  const byGap = await Promise.all(gaps.map((g) => statistics({ level: "province", indicator: `gap:${id}:${g}` })));
  const provinces = new Set(byGap.flatMap((s) => s.cells.map((c) => c.area_code)));
  const lookup = byGap.map((s) => new Map(s.cells.map((c) => [c.area_code, c])));
  const rows = [...provinces].sort().map((code) => [
    h("a", { href: `/app/map?indicator=gap:${id}:${gaps[0]}&level=district&within=${code}` }, areaLabel(names, code)),
    ...lookup.map((m) => cellNode(m.get(code), k)),
  ]);
  main.append(
    h("h2", { id: "by-area" }, t("programme.by_area")),
    gaps.length ? table(null, [t("level.province"), ...gaps.map((g) => ({ text: t(`gap.${g}`), num: true }))], rows, { id: "gaps-by-area" }) : h("p", {}, t("programme.no_gaps")),
  );

  // The trend: each series' national cell in every release (/statistics/trend), a
  // release without the indicator shown as none, a suppressed one as suppressed.
  const series = [`entitled:${id}`, ...gaps.map((g) => `gap:${id}:${g}`)];
  const trends = await Promise.all(series.map((s) => api(`/api/v1/statistics/trend?indicator=${encodeURIComponent(s)}`)));
  const asCell = (point) => (!point || point.status === "absent" ? undefined : point.status === "suppressed" ? { suppressed: true } : { persons: point.persons });
  const trend = trends[0].points.map((point) => ({
    r: point,
    cells: new Map(series.map((s, i) => [s, asCell(trends[i].points.find((q) => q.release === point.release))])),
  }));
  const seriesName = (s) => (s.startsWith("entitled") ? t("col.entitled") : t(`gap.${s.split(":")[2]}`));
  main.append(
    h("h2", { id: "trend" }, t("programme.trend")),
    table(
      null,
      [t("col.release"), ...series.map((s) => ({ text: seriesName(s), num: true }))],
      trend.map(({ r, cells: c }) => [`${r.release} · ${fmt.date(r.as_of)}`, ...series.map((s) => cellNode(c.get(s), k))]),
      { id: "trend-table" },
    ),
  );
  if (window.echarts && trend.length > 1) {
    const el = h("div", { class: "chart small", role: "img", "aria-label": t("programme.trend") });
    main.append(el);
    const chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "category", data: trend.map(({ r }) => fmt.date(r.as_of)) },
      yAxis: { type: "value" },
      series: series.map((s) => ({ type: "line", name: seriesName(s), connectNulls: false, data: trend.map(({ cells: c }) => (c.get(s) && !c.get(s).suppressed ? c.get(s).persons : null)) })),
    });
  }
});
