// One person for a case worker: found by national ID (sent in a POST body, never the
// URL) or by name and birth date; every read states a purpose (audited). Sensitive
// fields stay masked until the worker states a purpose and reveals them.
import { api, ApiError, asOf, boot, fmt, h, has, notice, programmeName, programmes, sexLabel, t, table } from "../app.js";

const PURPOSE = "sitthi.purpose";

// The registry fields by dimension (what the page groups values under).
const DIMENSIONS = {
  identity: ["title", "first_name", "last_name", "sex", "birth_date", "age", "nationality", "vital_status", "death_date"],
  residence: ["household_id", "house_code", "address", "province_code", "district_code", "subdistrict_code", "phone"],
  income: ["income"],
  employment: ["employment"],
  health: ["health", "disability"],
  education: ["education"],
  social_welfare: ["welfare_card", "state_care"],
};

function label(prefix, name) {
  return has(`${prefix}.${name}`) ? t(`${prefix}.${name}`) : name;
}

function value(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "boolean") return v ? t("yes") : t("no");
  if (typeof v === "number") return fmt.num(v);
  if (/^\d{4}-\d{2}-\d{2}/.test(String(v))) return fmt.date(String(v).slice(0, 10));
  if (Array.isArray(v)) return v.join(", ");
  return String(v);
}

function purposeInput(id, remembered = true) {
  const value = remembered ? sessionStorage.getItem(PURPOSE) || "" : "";
  return h("input", { id, name: "purpose", required: true, minlength: 5, maxlength: 300, value, size: 40 });
}

function searchForms(main, list) {
  const out = h("div", { id: "results", "aria-live": "polite" });
  const nid = h("input", { id: "national-id", name: "national_id", inputmode: "numeric", autocomplete: "off", required: true, minlength: 13, maxlength: 20 });
  const purpose1 = purposeInput("purpose-id");
  const byId = h(
    "form",
    {
      class: "panel",
      id: "by-id",
      onsubmit: async (e) => {
        e.preventDefault();
        sessionStorage.setItem(PURPOSE, purpose1.value);
        out.replaceChildren();
        try {
          const record = await api("/api/v1/persons/lookup", { method: "POST", body: { national_id: nid.value, purpose: purpose1.value } });
          nid.value = "";
          history.replaceState(null, "", `/app/person?id=${record.person_id}`);
          main.replaceChildren();
          render(main, record, list);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          out.append(notice(err.message, "error"));
        }
      },
    },
    h("h2", {}, t("person.by_id")),
    h("p", { class: "sub" }, t("person.by_id_note")),
    h("div", { class: "row" }, h("label", { for: "national-id" }, t("person.national_id"), nid), h("label", { for: "purpose-id" }, t("purpose"), purpose1), h("button", { class: "btn", type: "submit", id: "lookup" }, t("person.find"))),
  );
  const first = h("input", { id: "first-name", required: true, maxlength: 100 });
  const last = h("input", { id: "last-name", required: true, maxlength: 100 });
  const born = h("input", { id: "birth-date", type: "date" });
  const purpose2 = purposeInput("purpose-name");
  const byName = h(
    "form",
    {
      class: "panel",
      id: "by-name",
      onsubmit: async (e) => {
        e.preventDefault();
        sessionStorage.setItem(PURPOSE, purpose2.value);
        out.replaceChildren();
        try {
          const found = await api("/api/v1/persons/search", {
            method: "POST",
            body: { first_name: first.value, last_name: last.value, birth_date: born.value || null, purpose: purpose2.value },
          });
          out.append(
            found.candidates.length
              ? table(
                  t("person.candidates"),
                  [t("col.person"), t("field.first_name"), t("field.last_name"), t("field.birth_date"), { text: t("col.score"), num: true }],
                  found.candidates.map((c) => [h("a", { href: `/app/person?id=${c.person_id}` }, c.person_id), c.first_name ?? "—", c.last_name ?? "—", value(c.birth_date), fmt.dec(c.score)]),
                  { id: "candidates" },
                )
              : notice(t("person.none")),
          );
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          out.append(notice(err.message, "error"));
        }
      },
    },
    h("h2", {}, t("person.by_name")),
    h(
      "div",
      { class: "row" },
      h("label", { for: "first-name" }, t("field.first_name"), first),
      h("label", { for: "last-name" }, t("field.last_name"), last),
      h("label", { for: "birth-date" }, t("field.birth_date"), born),
      h("label", { for: "purpose-name" }, t("purpose"), purpose2),
      h("button", { class: "btn", type: "submit", id: "search" }, t("person.search")),
    ),
  );
  main.append(byId, byName, out);
}

function askPurpose(main, id, list) {
  const purpose = purposeInput("purpose-read");
  main.append(
    h(
      "form",
      {
        class: "panel",
        id: "read-purpose",
        onsubmit: async (e) => {
          e.preventDefault();
          sessionStorage.setItem(PURPOSE, purpose.value);
          await open(main, id, list);
        },
      },
      h("p", {}, t("person.purpose_first")),
      h("div", { class: "row" }, h("label", { for: "purpose-read" }, t("purpose"), purpose), h("button", { class: "btn", type: "submit" }, t("person.open"))),
    ),
  );
}

async function open(main, id, list) {
  const record = await api(`/api/v1/persons/${encodeURIComponent(id)}`, { params: { purpose: sessionStorage.getItem(PURPOSE) } });
  main.replaceChildren();
  render(main, record, list);
}

function fieldsSection(record) {
  const sources = new Map();
  for (const v of record.values || []) {
    if (!sources.has(v.field)) sources.set(v.field, []);
    sources.get(v.field).push(v);
  }
  const sections = [];
  for (const [dimension, names] of Object.entries(DIMENSIONS)) {
    const rows = [];
    for (const name of names) {
      if (record.masked.includes(name)) {
        rows.push([label("field", name), { text: t("masked"), cls: "masked" }, ""]);
        continue;
      }
      const columns = record.fields[name];
      if (!columns) continue;
      for (const [column, v] of Object.entries(columns)) {
        const seen = sources.get(column) || [];
        const said = seen.map((s) => `${t(`source.${s.source}`)} ${value(s.value)} (${fmt.date(s.as_of)})`).join("; ");
        rows.push([label("column", column), value(v), h("span", { class: "source" }, said || "—")]);
      }
    }
    if (rows.length) {
      sections.push(table(t(`dimension.${dimension}`), [t("col.field"), t("col.value"), t("col.sources")], rows, { id: `dim-${dimension}` }));
    }
  }
  return sections;
}

function revealForm(main, record, list) {
  if (!record.masked.length) return null;
  const boxes = record.masked.map((f) => h("input", { type: "checkbox", id: `reveal-${f}`, value: f, checked: true }));
  const purpose = purposeInput("purpose-reveal", false); // a reveal says its own purpose
  const message = h("div", { "aria-live": "polite" });
  return h(
    "form",
    {
      class: "panel",
      id: "reveal",
      onsubmit: async (e) => {
        e.preventDefault();
        const fields = boxes.filter((b) => b.checked).map((b) => b.value);
        if (!fields.length) return;
        try {
          const shown = await api(`/api/v1/persons/${record.person_id}/reveal`, { method: "POST", body: { fields, purpose: purpose.value } });
          main.replaceChildren();
          render(main, shown, list, true);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          message.replaceChildren(notice(err.message, "error"));
        }
      },
    },
    h("h2", {}, t("person.masked")),
    h("p", { class: "sub" }, t("person.masked_note")),
    h("fieldset", {}, h("legend", {}, t("person.reveal_which")), boxes.map((b) => h("label", { class: "inline", for: b.id }, b, label("field", b.value)))),
    h("div", { class: "row" }, h("label", { for: "purpose-reveal" }, t("person.reveal_purpose"), purpose), h("button", { class: "btn danger", type: "submit", id: "reveal-button" }, t("person.reveal"))),
    message,
  );
}

function render(main, record, list, revealed = false) {
  const f = record.fields;
  const name = [f.title?.title, f.first_name?.first_name, f.last_name?.last_name].filter(Boolean).join(" ") || record.person_id;
  main.append(h("h1", { id: "person-name" }, name), asOf(record), h("p", {}, h("span", { class: "tag" }, record.person_id)));
  if (revealed) main.append(notice(t("person.revealed"), "ok"));
  const reveal = revealForm(main, record, list);
  if (reveal) main.append(reveal);
  main.append(h("h2", {}, t("person.dimensions")), ...fieldsSection(record));

  const ents = record.entitlements || [];
  main.append(
    h("h2", { id: "rights" }, t("person.rights")),
    ents.length
      ? table(null, [t("col.programme"), { text: t("col.baht_month"), num: true }, t("col.why"), t("col.as_of")], ents.map((e) => [programmeName(list, e.programme), fmt.baht(e.amount), e.reason ?? t("masked"), fmt.date(e.as_of)]), { id: "entitlements" })
      : notice(t("person.no_rights")),
  );
  const gaps = record.gaps || [];
  main.append(
    h("h2", { id: "person-gaps" }, t("person.gaps")),
    gaps.length
      ? table(null, [t("col.gap"), t("col.programme"), { text: t("col.baht_month"), num: true }, t("col.detail")], gaps.map((g) => [t(`gap.${g.gap}`), programmeName(list, g.programme), fmt.baht(g.amount), [g.detail, g.unknown ? t("person.to_check") : null].filter(Boolean).join(" · ") || "—"]), { id: "gaps" })
      : notice(t("person.no_gaps")),
  );
  const notices = record.notices || [];
  if (notices.length) {
    main.append(h("h2", {}, t("person.notices")), table(null, [t("col.programme"), t("col.gap"), t("col.channel"), t("col.status"), t("col.message")], notices.map((n) => [programmeName(list, n.programme), t(`gap.${n.gap}`), n.channel, n.status, n.message_th]), { id: "notices" }));
  }
  if (record.poverty) {
    const p = record.poverty;
    main.append(
      h("h2", {}, t("person.poverty")),
      h(
        "dl",
        { class: "facts panel" },
        ["poor", "target_poor", "outreach", "welfare_card"].flatMap((k) => [h("dt", {}, t(`ind.${k === "welfare_card" ? "welfare_card_holders" : k}`)), h("dd", {}, value(p[k]))]),
        h("dt", {}, t("person.failed")),
        h("dd", {}, value(p.failed_indicators)),
      ),
    );
  }
  const home = record.household;
  if (home) {
    main.append(
      h("h2", { id: "household" }, t("person.household")),
      h("p", { id: "household-link" }, h("a", { href: `/app/household?id=${encodeURIComponent(home.household_id)}` }, home.household_id), " · ", t("person.size", { n: fmt.num(home.size) })),
      table(null, [t("col.person"), t("field.first_name"), t("field.last_name"), t("field.sex"), { text: t("field.age"), num: true }], (home.members || []).map((m) => [h("a", { href: `/app/person?id=${m.person_id}` }, m.person_id), m.first_name ?? "—", m.last_name ?? "—", sexLabel(m.sex), value(m.age)]), { id: "members" }),
    );
  }
  const links = record.links;
  if (links) {
    main.append(
      h("h2", { id: "links" }, t("person.links")),
      table(null, [t("col.source"), t("col.record"), t("col.stage"), { text: t("col.probability"), num: true }, t("col.extract_date")], links.records.map((r) => [t(`source.${r.source}`), r.record_id ?? t("person.pseudonymised"), r.stage, r.match_probability === null ? "—" : fmt.dec(r.match_probability * 100) + "%", fmt.date(r.extract_date)]), { id: "link-records" }),
      links.events.length
        ? table(t("person.events"), [t("col.event"), t("col.run"), t("col.other"), t("col.when")], links.events.map((e) => [e.event, e.run_id, e.other_person_id ?? "—", fmt.date(e.happened_at)]), { id: "link-events" })
        : null,
    );
  }
  main.append(h("p", {}, h("a", { href: "/app/person" }, t("person.another"))));
}

boot("person", async (main) => {
  const list = await programmes();
  const id = new URLSearchParams(location.search).get("id");
  main.append(h("h1", {}, t("nav.person")));
  if (id && /^P[0-9]{6,12}$/.test(id)) {
    if (sessionStorage.getItem(PURPOSE)) await open(main, id, list);
    else askPurpose(main, id, list);
  } else {
    searchForms(main, list);
  }
});
