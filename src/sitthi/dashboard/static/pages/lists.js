// Gap and outreach lists of an area (case workers, their own areas): a page of the list
// from GET /api/v1/lists/{kind} where it exists, and the whole list as CSV or Excel from
// GET /api/v1/exports/{kind}. The purpose is stated and audited with everyone listed.
import { api, ApiError, boot, fmt, h, has, notice, programmeName, programmes, t, table } from "../app.js";

const PURPOSE = "sitthi.purpose";

function cell(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return { text: fmt.num(v), num: true };
  if (typeof v === "boolean") return v ? t("yes") : t("no");
  if (Array.isArray(v)) return v.join(", ");
  return String(v);
}

function filename(response, fallback) {
  const found = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return found ? found[1] : fallback;
}

boot("lists", async (main, user) => {
  const list = await programmes();
  const q = new URLSearchParams(location.search);
  const kind = q.get("kind") === "outreach" ? "outreach" : "gaps";
  const area = /^[0-9]{2}([0-9]{2}){0,2}$/.test(q.get("area") || "") ? q.get("area") : user.areas[0] || "";
  const programme = q.get("programme") || "";
  const gap = q.get("gap") || "";

  main.append(h("h1", {}, t("lists.title")), h("p", { class: "sub" }, t("lists.intro", { areas: user.areas.join(", ") || "—" })));
  const kindSelect = h("select", { id: "kind", name: "kind" }, ["gaps", "outreach"].map((k) => h("option", { value: k, selected: k === kind }, t(`lists.${k}`))));
  const areaInput = h("input", { id: "area", name: "area", value: area, required: true, pattern: "[0-9]{2}([0-9]{2}){0,2}", size: 8, inputmode: "numeric" });
  const programmeSelect = h("select", { id: "programme", name: "programme" }, h("option", { value: "" }, t("lists.all")), list.map((p) => h("option", { value: p.id, selected: p.id === programme }, programmeName(list, p.id))));
  const gapSelect = h("select", { id: "gap", name: "gap" }, h("option", { value: "" }, t("lists.all")), ["eligible_not_receiving", "receiving_not_eligible", "paid_twice", "paid_after_death"].map((g) => h("option", { value: g, selected: g === gap }, t(`gap.${g}`))));
  const purpose = h("input", { id: "purpose", name: "purpose", required: true, minlength: 5, maxlength: 300, size: 40, value: sessionStorage.getItem(PURPOSE) || "" });
  const form = h(
    "form",
    {
      class: "filters panel",
      id: "list-form",
      onsubmit: (e) => {
        e.preventDefault();
        sessionStorage.setItem(PURPOSE, purpose.value);
        const next = new URLSearchParams({ kind: kindSelect.value, area: areaInput.value });
        if (programmeSelect.value) next.set("programme", programmeSelect.value);
        if (gapSelect.value) next.set("gap", gapSelect.value);
        location.assign(`/app/lists?${next}`);
      },
    },
    h("label", { for: "kind" }, t("lists.kind"), kindSelect),
    h("label", { for: "area" }, t("lists.area"), areaInput),
    h("label", { for: "programme" }, t("col.programme"), programmeSelect),
    h("label", { for: "gap" }, t("col.gap"), gapSelect),
    h("label", { for: "purpose" }, t("purpose"), purpose),
    h("button", { class: "btn", type: "submit", id: "show" }, t("lists.show")),
  );
  main.append(form);
  const status = h("div", { id: "export-status", "aria-live": "polite" });
  const params = { area, programme: kind === "gaps" ? programme : "", gap: kind === "gaps" ? gap : "" };

  async function download(format) {
    status.replaceChildren();
    if (purpose.value.trim().length < 5) {
      status.append(notice(t("lists.purpose_needed"), "error"));
      purpose.focus();
      return;
    }
    sessionStorage.setItem(PURPOSE, purpose.value);
    try {
      const got = await api(`/api/v1/exports/${kind}`, { params: { ...params, format, purpose: purpose.value }, raw: true });
      const blob = await got.blob();
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: filename(got, `sitthi-${kind}-${area}.${format}`) });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status.append(notice(t("lists.exported", { file: a.download }), "ok"));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      status.append(notice(err.message, "error"));
    }
  }
  main.append(
    h(
      "div",
      { class: "row" },
      h("button", { class: "btn", type: "button", id: "export-xlsx", onclick: () => download("xlsx") }, t("lists.excel")),
      h("button", { class: "btn secondary", type: "button", id: "export-csv", onclick: () => download("csv") }, t("lists.csv")),
    ),
    status,
  );
  if (!area || !sessionStorage.getItem(PURPOSE)) {
    main.append(notice(t("lists.choose")));
    return;
  }
  const page = await api(`/api/v1/lists/${kind}`, { params: { ...params, purpose: sessionStorage.getItem(PURPOSE), limit: 100 } });
  const { rows, columns } = page;
  main.append(
    rows.length
      ? table(
          t("lists.preview", { shown: fmt.num(rows.length), total: fmt.num(page.total) }),
          columns.map((c) => (has(`column.${c}`) ? t(`column.${c}`) : c)),
          rows.map((r) => columns.map((c) => (c === "person_id" && r[c] ? h("a", { href: `/app/person?id=${r[c]}` }, r[c]) : c === "programme" ? programmeName(list, r[c]) : c === "gap" ? t(`gap.${r[c]}`) : cell(r[c])))),
          { id: "list" },
        )
      : notice(t("lists.empty")),
  );
});
