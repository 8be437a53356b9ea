// The review queue (case workers): uncertain pairs of records side by side, each field's
// two values and its match weight; a decision is written through the API (audited) and
// `sitthi link` applies it on its next run.
import { api, ApiError, boot, fmt, h, hasRoute, notice, t } from "../app.js";

function side(pair, which) {
  return pair[which] || pair[`record_${which}`] || {};
}

boot("review", async (main, user) => {
  main.append(h("h1", {}, t("review.title")), h("p", { class: "sub" }, t("review.intro")));
  if (!(await hasRoute("/api/v1/review"))) {
    main.append(notice(t("review.missing")));
    return;
  }
  const body = await api("/api/v1/review", { params: { area: new URLSearchParams(location.search).get("area") || user.areas[0] } });
  const pairs = body.pairs || body.items || [];
  if (!pairs.length) {
    main.append(notice(t("review.empty")));
    return;
  }
  for (const pair of pairs) {
    const id = pair.pair_id ?? pair.id;
    const fields = pair.fields || [];
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
    const left = side(pair, "left");
    const right = side(pair, "right");
    const article = h(
      "article",
      { class: "panel", id: `pair-${id}` },
      h("h2", {}, t("review.pair", { id }), pair.match_probability !== undefined ? ` · ${fmt.dec(pair.match_probability * 100)}%` : ""),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("col.field")), h("th", { scope: "col" }, `${t(`source.${left.source}`)} ${left.record_id ?? ""}`), h("th", { scope: "col" }, `${t(`source.${right.source}`)} ${right.record_id ?? ""}`), h("th", { scope: "col", class: "num" }, t("review.weight")))),
          h("tbody", {}, fields.map((f) => h("tr", {}, h("th", { scope: "row" }, t(`field.${f.field}`)), h("td", {}, f.left ?? "—"), h("td", {}, f.right ?? "—"), h("td", { class: "num" }, f.weight === undefined || f.weight === null ? "—" : fmt.dec(f.weight))))),
        ),
      ),
      h("div", { class: "row" }, h("label", { for: `note-${id}` }, t("review.note"), note), h("button", { class: "btn", type: "button", onclick: () => decide("same") }, t("review.same")), h("button", { class: "btn secondary", type: "button", onclick: () => decide("different") }, t("review.different"))),
      status,
    );
    main.append(article);
  }
});
