// A household and its members (case workers): GET /api/v1/households/{id} where it
// exists; the person page shows the same members otherwise.
import { api, asOf, boot, fmt, h, hasRoute, notice, t, table } from "../app.js";

boot("household", async (main) => {
  const id = new URLSearchParams(location.search).get("id") || "";
  main.append(h("h1", {}, t("household.title", { id })));
  if (!(await hasRoute("/api/v1/households/{household_id}"))) {
    main.append(notice(t("household.missing")));
    return;
  }
  const purpose = sessionStorage.getItem("sitthi.purpose");
  const home = await api(`/api/v1/households/${encodeURIComponent(id)}`, { params: { purpose } });
  const members = home.members || [];
  main.append(
    asOf(home),
    h("p", {}, t("person.size", { n: fmt.num(home.size ?? members.length) })),
    table(
      null,
      [t("col.person"), t("field.first_name"), t("field.last_name"), t("field.sex"), { text: t("field.age"), num: true }],
      members.map((m) => [h("a", { href: `/app/person?id=${m.person_id}` }, m.person_id), m.first_name ?? "—", m.last_name ?? "—", m.sex ?? "—", { text: fmt.num(m.age), num: true }]),
      { id: "members" },
    ),
  );
});
