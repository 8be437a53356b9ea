// The review queue (case workers): uncertain pairs of records side by side, each
// comparison's two values and its match weight; a decision is written through the API
// (audited) and `sitthi link` applies it on its next run.
import { api, ApiError, areaNames, areaLabel, boot, fmt, h, has, notice, t } from "../app.js";

// Similarity keys and phonetic codes are internal encodings of a name, and a birth
// date's day, month and year repeat the date: none is shown.
const HIDDEN = /(_key|_phonetic|^birth_day|^birth_month|^birth_year)$/;
const readable = (column) => column !== "masked" && !HIDDEN.test(column);

/** One comparison's values on one side: its readable columns, joined. */
function values(comparison, index) {
  const parts = Object.entries(comparison)
    .filter(([column, pair]) => Array.isArray(pair) && readable(column) && pair[index] !== null && pair[index] !== "")
    .map(([, pair]) => String(pair[index]));
  return [...new Set(parts)].join(" · ") || "—";
}

function label(name) {
  return has(`evidence.${name}`) ? t(`evidence.${name}`) : has(`field.${name}`) ? t(`field.${name}`) : name;
}

function sideHead(side, names) {
  const where = side.area?.subdistrict_code || side.area?.district_code || side.area?.province_code;
  return `${t(`source.${side.source}`)} · ${side.person_id ?? "—"}${where ? ` · ${areaLabel(names, where)}` : ""}`;
}

boot("review", async (main, user) => {
  main.append(h("h1", {}, t("review.title")), h("p", { class: "sub" }, t("review.intro")));
  const area = new URLSearchParams(location.search).get("area") || user.areas[0];
  const [body, names] = await Promise.all([api("/api/v1/review", { params: { area } }), areaNames("subdistrict", area)]);
  main.append(h("p", { id: "review-total" }, t("review.total", { n: fmt.num(body.total) })));
  if (!body.pairs.length) {
    main.append(notice(t("review.empty")));
    return;
  }
  for (const pair of body.pairs) {
    const id = pair.pair_id;
    const status = h("div", { "aria-live": "polite" });
    const note = h("input", { id: `note-${id}`, maxlength: 300, size: 40 });
    const decide = async (decision) => {
      try {
        await api(`/api/v1/review/${encodeURIComponent(id)}/decision`, { method: "POST", body: { decision, note: note.value || null } });
        status.replaceChildren(notice(t(`review.done_${decision}`), "ok"));
        for (const b of article.querySelectorAll("button")) b.disabled = true;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        status.replaceChildren(notice(err.message, "error"));
      }
    };
    const rows = Object.entries(pair.evidence).map(([name, c]) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, label(name)),
        h("td", {}, c.masked?.length && values(c, 0) === "—" ? t("masked") : values(c, 0)),
        h("td", {}, c.masked?.length && values(c, 1) === "—" ? t("masked") : values(c, 1)),
        h("td", { class: "num" }, c.level === -1 ? t("review.no_value") : fmt.dec(c.weight)),
      ),
    );
    const article = h(
      "article",
      { class: "panel", id: `pair-${id}` },
      h("h2", {}, t("review.pair", { id }), pair.match_probability !== null ? ` · ${fmt.dec(pair.match_probability * 100)}%` : ""),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          {},
          h(
            "thead",
            {},
            h("tr", {}, h("th", { scope: "col" }, t("col.field")), h("th", { scope: "col" }, sideHead(pair.left, names)), h("th", { scope: "col" }, sideHead(pair.right, names)), h("th", { scope: "col", class: "num" }, t("review.weight"))),
          ),
          h("tbody", {}, rows),
        ),
      ),
      h("div", { class: "row" }, h("label", { for: `note-${id}` }, t("review.note"), note), h("button", { class: "btn", type: "button", onclick: () => decide("same") }, t("review.same")), h("button", { class: "btn secondary", type: "button", onclick: () => decide("different") }, t("review.different"))),
      status,
    );
    if (pair.decided) {
      // decided already (kept in the operational store): shown, not asked again
      status.replaceChildren(notice(t("review.decided", { decision: t(`review.${pair.decided.decision}`), who: pair.decided.decided_by, day: fmt.date(pair.decided.decided_at.slice(0, 10)) }), "ok"));
      for (const b of article.querySelectorAll("button")) b.disabled = true;
    }
    main.append(article);
  }
});
