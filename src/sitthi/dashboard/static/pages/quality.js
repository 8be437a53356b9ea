// Data quality of a release, from GET /api/v1/quality: completeness per agency,
// duplicates, disagreements, duplicate registrations, linkage per stage.
import { api, asOf, boot, fmt, h, has, t, table } from "../app.js";

function label(name) {
  return has(`column.${name}`) ? t(`column.${name}`) : has(`col.${name}`) ? t(`col.${name}`) : name;
}

function shown(key, v, fractions) {
  if (v === null || v === undefined) return "—";
  if (fractions && typeof v === "number" && key !== "records") return { text: fmt.pct(v), num: true };
  if (key === "source" || key.startsWith("source_") || key.endsWith("_source")) return t(`source.${v}`);
  if (typeof v === "number" && v <= 1 && !Number.isInteger(v)) return { text: fmt.pct(v), num: true };
  if (typeof v === "number") return { text: fmt.num(v), num: true };
  if (Array.isArray(v)) return v.map((x) => label(x)).join(", ") || "—";
  return label(String(v));
}

function rowsTable(id, rows, fractions = false) {
  if (!rows || !rows.length) return h("p", { class: "sub" }, t("quality.none"));
  const keys = Object.keys(rows[0]);
  return table(null, keys.map((k) => ({ text: label(k), num: typeof rows[0][k] === "number" })), rows.map((r) => keys.map((k) => shown(k, r[k], fractions))), { id });
}

boot("quality", async (main) => {
  const body = await api("/api/v1/quality");
  const q = body.quality;
  const release = await api(`/api/v1/releases/${body.release}`);
  main.append(h("h1", {}, t("quality.title")), asOf({ release: body.release, as_of: release.as_of }));
  main.append(h("h2", {}, t("quality.completeness")), h("p", { class: "sub" }, t("quality.completeness_note")), rowsTable("completeness", q.completeness, true));
  main.append(h("h2", {}, t("quality.duplicates")), rowsTable("duplicates", q.duplicates));
  main.append(h("h2", {}, t("quality.registrations")), rowsTable("registrations", q.duplicate_registrations));
  main.append(h("h2", {}, t("quality.conflicts")), rowsTable("conflicts", q.conflicts));
  const l = q.linkage || {};
  main.append(
    h("h2", {}, t("quality.linkage")),
    h("p", {}, t("quality.persons", { n: fmt.num(l.persons) })),
    h("div", { class: "grid2" }, h("div", {}, h("h3", {}, t("quality.stages")), rowsTable("stages", l.stages)), h("div", {}, h("h3", {}, t("quality.review")), rowsTable("review-queue", l.review_queue), h("h3", {}, t("quality.quarantined")), rowsTable("quarantined", l.quarantined))),
  );
  main.append(h("h2", {}, t("quality.overlap")), rowsTable("overlap", q.overlap));
});
