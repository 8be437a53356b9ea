// The national overview: vulnerable groups, programme coverage, the four gaps with baht a
// month, target poor and outreach, TPMAP's four answers, and the release's lineage.
import { api, asOf, boot, cellNode, fmt, h, indicatorLabel, notice, programmeName, programmes, statistics, t, table } from "../app.js";

const GROUPS = ["population", "elderly", "disabled", "welfare_card_holders", "children", "bedridden"];
const GAPS = ["eligible_not_receiving", "receiving_not_eligible", "paid_twice", "paid_after_death"];

function card(indicator, cell, k, list) {
  const value = cellNode(cell, k);
  return h(
    "div",
    { class: "card" },
    h(
      "a",
      { href: `/app/map?indicator=${encodeURIComponent(indicator)}` },
      h("span", { class: "label" }, indicatorLabel(indicator, list)),
      h("span", { class: `value ${value.cls || ""}`, title: value.title }, value.text),
    ),
  );
}

function amount(cell) {
  if (!cell || !("amount" in cell)) return { text: "—", num: true, title: t("amount.missing") };
  if (cell.suppressed || cell.amount === null) return { text: t("suppressed"), num: true, cls: "suppressed" };
  return { text: fmt.baht(cell.amount), num: true };
}

function lineage(release) {
  const body = h("div", { id: "lineage-body" }, h("p", { class: "loading" }, t("loading")));
  const details = h("details", { class: "panel", id: "lineage" }, h("summary", {}, t("lineage.open")), body);
  let loaded = false;
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    const m = await api(`/api/v1/releases/${release}`);
    const l = m.lineage || {};
    body.replaceChildren(
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("lineage.published")), h("dd", {}, fmt.date(m.published_at)),
        h("dt", {}, t("lineage.as_of")), h("dd", {}, fmt.date(m.as_of)),
        h("dt", {}, t("lineage.link_run")), h("dd", {}, l.link_run?.run_id ?? "—"),
        h("dt", {}, t("lineage.rights_run")), h("dd", {}, l.rights_run?.run_id ?? "—"),
        h("dt", {}, t("lineage.code")), h("dd", {}, l.code_version ?? "—"),
        h("dt", {}, t("lineage.k")), h("dd", {}, fmt.num(m.suppression_k)),
      ),
      table(
        t("lineage.batches"),
        [t("col.source"), t("col.file_name"), t("col.extract_date"), { text: t("col.rows_loaded"), num: true }, { text: t("col.rows_quarantined"), num: true }],
        (l.batches || []).map((b) => [t(`source.${b.source}`), b.file_name, fmt.date(b.extract_date), fmt.num(b.rows_loaded), fmt.num(b.rows_quarantined)]),
      ),
    );
  });
  return details;
}

boot("overview", async (main) => {
  const [national, list] = await Promise.all([statistics({ level: "national" }), programmes()]);
  const k = national.suppression_k;
  const cells = new Map(national.cells.map((c) => [c.indicator, c]));
  main.append(h("h1", {}, t("overview.title")), asOf(national), lineage(national.release));

  main.append(
    h("h2", { id: "groups" }, t("overview.groups")),
    h("div", { class: "cards" }, GROUPS.map((g) => card(g, cells.get(g), k, list))),
  );

  const ids = list.map((p) => p.id);
  const paid = ids.some((id) => cells.has(`paid:${id}`));
  main.append(
    h("h2", { id: "coverage" }, t("overview.coverage")),
    table(
      null,
      [
        t("col.programme"),
        { text: t("col.entitled"), num: true },
        ...(paid ? [{ text: t("col.paid"), num: true }] : []),
        { text: t("gap.eligible_not_receiving"), num: true },
        { text: t("col.baht_month_entitled"), num: true },
      ],
      list.map((p) => [
        h("a", { href: `/app/programme?id=${p.id}` }, programmeName(list, p.id)),
        cellNode(cells.get(`entitled:${p.id}`), k),
        ...(paid ? [cellNode(cells.get(`paid:${p.id}`), k)] : []),
        cellNode(cells.get(`gap:${p.id}:eligible_not_receiving`), k),
        amount(cells.get(`entitled:${p.id}`)),
      ]),
      { id: "coverage-table" },
    ),
  );

  const gapRows = [];
  for (const gap of GAPS) {
    for (const p of list) {
      const cell = cells.get(`gap:${p.id}:${gap}`);
      if (cell) gapRows.push([t(`gap.${gap}`), programmeName(list, p.id), cellNode(cell, k), amount(cell)]);
    }
  }
  main.append(
    h("h2", { id: "gaps" }, t("overview.gaps")),
    h("p", { class: "sub" }, t("overview.gaps_intro")),
    table(null, [t("col.gap"), t("col.programme"), { text: t("col.persons"), num: true }, { text: t("col.baht_month"), num: true }], gapRows, { id: "gaps-table" }),
  );
  if (!national.cells.some((c) => "amount" in c)) main.append(notice(t("amount.missing")));

  main.append(
    h("h2", { id: "poverty" }, t("overview.poverty")),
    h("div", { class: "cards" }, ["poor", "target_poor", "outreach"].map((g) => card(g, cells.get(g), k, list))),
  );

  const sum = (names) => {
    let total = 0;
    for (const n of names) {
      const c = cells.get(n);
      if (!c || c.suppressed) return null;
      total += c.persons;
    }
    return total;
  };
  const entitled = ids.map((id) => `entitled:${id}`).filter((n) => cells.has(n));
  const wrong = ids.flatMap((id) => ["receiving_not_eligible", "paid_twice", "paid_after_death"].map((g) => `gap:${id}:${g}`)).filter((n) => cells.has(n));
  const missed = ids.map((id) => `gap:${id}:eligible_not_receiving`).filter((n) => cells.has(n));
  const recipients = ids.map((id) => `paid:${id}`).filter((n) => cells.has(n));
  const answer = (value) => (value === null ? h("span", { class: "suppressed" }, t("suppressed")) : fmt.num(value));
  main.append(
    h("h2", { id: "tpmap" }, t("overview.tpmap")),
    h(
      "ol",
      { class: "panel" },
      h("li", {}, h("strong", {}, t("tpmap.q1")), " ", t("tpmap.a1", { outreach: fmt.num(cells.get("outreach")?.persons) }), " ", answer(sum(entitled))),
      h("li", {}, h("strong", {}, t("tpmap.q2")), " ", recipients.length ? answer(sum(recipients)) : t("tpmap.a2_missing")),
      h("li", {}, h("strong", {}, t("tpmap.q3")), " ", t("tpmap.a3"), " ", answer(sum(wrong))),
      h("li", {}, h("strong", {}, t("tpmap.q4")), " ", t("tpmap.a4"), " ", answer(sum(missed))),
    ),
  );
});
