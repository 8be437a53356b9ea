// A household as an MSO-Logbook-style family record (case workers): where it lives, its
// counts and income, its จปฐ. verdict, and its members, each with the fields the caller
// may see (sensitive ones are revealed person by person, on the person page).
import { api, areaLabel, areaNames, asOf, boot, fmt, h, notice, sexLabel, t, table } from "../app.js";

const value = (v) => (v === null || v === undefined ? "—" : typeof v === "boolean" ? t(v ? "yes" : "no") : Array.isArray(v) ? v.join(", ") || "—" : typeof v === "number" ? fmt.num(v) : String(v));
const field = (m, name, column = name) => m.fields[name]?.[column];

boot("household", async (main) => {
  const id = new URLSearchParams(location.search).get("id") || "";
  main.append(h("h1", {}, t("household.title", { id })));
  const purpose = sessionStorage.getItem("sitthi.purpose");
  if (!purpose) {
    // every read of a household is audited with its purpose, stated on the person page
    main.append(notice(t("household.purpose_first")), h("p", {}, h("a", { href: "/app/person" }, t("nav.person"))));
    return;
  }
  const home = await api(`/api/v1/households/${encodeURIComponent(id)}`, { params: { purpose } });
  const where = home.area.subdistrict_code || home.area.district_code || home.area.province_code;
  const names = where ? await areaNames("subdistrict", where.slice(0, 2)) : null;
  const profile = Object.entries(home.profile).filter(([k]) => !["household_id", "house_code", "as_of", "members"].includes(k) && !k.endsWith("_code"));
  main.append(
    asOf(home),
    h(
      "dl",
      { class: "facts panel", id: "household-facts" },
      h("dt", {}, t("household.area")),
      h("dd", {}, where ? areaLabel(names, where) : "—"),
      h("dt", {}, t("field.house_code")),
      h("dd", {}, value(home.house_code)),
      h("dt", {}, t("household.size")),
      h("dd", {}, fmt.num(home.size)),
      ...profile.flatMap(([k, v]) => [h("dt", {}, t(`household.${k}`)), h("dd", {}, value(v))]),
    ),
  );
  if (home.poverty) {
    const p = home.poverty;
    main.append(
      h("h2", {}, t("person.poverty")),
      h("dl", { class: "facts panel", id: "household-poverty" }, ...Object.entries(p).flatMap(([k, v]) => [h("dt", {}, t(`household.poverty.${k}`)), h("dd", {}, value(v))])),
    );
  }
  main.append(
    h("h2", {}, t("household.members")),
    table(
      null,
      [t("col.person"), t("field.title"), t("field.first_name"), t("field.last_name"), t("field.sex"), { text: t("field.age"), num: true }],
      home.members.map((m) => [
        h("a", { href: `/app/person?id=${m.person_id}` }, m.person_id),
        value(field(m, "title")),
        value(field(m, "first_name")),
        value(field(m, "last_name")),
        sexLabel(field(m, "sex")),
        { text: value(field(m, "age")), num: true },
      ]),
      { id: "members" },
    ),
  );
  if (home.members.length < home.size) main.append(notice(t("household.some_hidden", { shown: fmt.num(home.members.length), size: fmt.num(home.size) })));
  if (home.masked.length) main.append(h("p", { class: "sub" }, t("household.masked", { fields: home.masked.map((f) => t(`field.${f}`)).join(", ") })));
});
