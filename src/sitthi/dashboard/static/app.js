// The dashboard's core: sign-in, the API client, translations, formats and the layout.
// Every page module calls `boot`; everything a page shows comes from the API with the
// signed-in user's token, so the API alone decides what a role may read.

const TOKEN = "sitthi.token";
const LANG = "sitthi.lang";

export const lang = localStorage.getItem(LANG) === "en" ? "en" : "th";
let dict = {};

/** The translation of `key`, with `{name}` replaced from `vars`. */
export function t(key, vars = {}) {
  const text = dict[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** A sex code (M, F) in the page's language; anything else as it is. */
export function sexLabel(code) {
  return code && `sex.${code}` in dict ? dict[`sex.${code}`] : (code ?? "—");
}

/** Whether a translation exists (column labels fall back to the raw name). */
export function has(key) {
  return key in dict;
}

const locale = lang === "th" ? "th-TH" : "en-GB";
const numbers = new Intl.NumberFormat(locale);
const decimals = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
// Thai dates are in the Buddhist era (พ.ศ.).
const days = new Intl.DateTimeFormat(lang === "th" ? "th-TH-u-ca-buddhist" : "en-GB", {
  dateStyle: "long",
});
const moments = new Intl.DateTimeFormat(lang === "th" ? "th-TH-u-ca-buddhist" : "en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
});

export const fmt = {
  num: (n) => (n === null || n === undefined || Number.isNaN(n) ? "—" : numbers.format(n)),
  dec: (n) => (n === null || n === undefined || Number.isNaN(n) ? "—" : decimals.format(n)),
  baht: (n) => (n === null || n === undefined ? "—" : `${numbers.format(Math.round(n))} ${t("baht")}`),
  pct: (n) => (n === null || n === undefined ? "—" : `${decimals.format(n * 100)}%`),
  date(iso) {
    if (!iso) return "—";
    const text = String(iso);
    const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
    const when = new Date(day ? `${text}T00:00:00` : text);
    if (Number.isNaN(when.getTime())) return text;
    return day ? days.format(when) : moments.format(when);
  },
};

// ---------------------------------------------------------------- DOM

/** `h("a", {href: "/"}, "text", child)`: an element with attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A table from rows of cells; a cell is text, a Node, or {text|node, num, cls}. */
export function table(caption, headers, rows, { id } = {}) {
  const head = h("tr", {}, headers.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.text ?? c)));
  const body = rows.map((r) =>
    h(
      "tr",
      {},
      r.map((c, i) => {
        const cell = c !== null && typeof c === "object" && !(c instanceof Node) ? c : { node: c };
        const tag = i === 0 ? "th" : "td";
        const cls = [cell.num || headers[i]?.num ? "num" : "", cell.cls || ""].join(" ").trim();
        return h(tag, { class: cls || null, scope: i === 0 ? "row" : null, title: cell.title }, cell.node ?? cell.text ?? "");
      }),
    ),
  );
  return h(
    "div",
    { class: "table-wrap" },
    h("table", { id }, caption ? h("caption", {}, caption) : null, h("thead", {}, head), h("tbody", {}, body)),
  );
}

export function notice(text, kind = "notice") {
  return h("div", { class: kind, role: kind === "error" ? "alert" : "status" }, text);
}

// ---------------------------------------------------------------- session

function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      [...atob(part)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/** The signed-in user as the token says ({sub, role, areas}), or null. */
export function session() {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  const claims = claimsOf(token);
  if (!claims || (claims.exp && claims.exp * 1000 < Date.now())) return null;
  return { token, sub: claims.sub, role: claims.role, areas: claims.areas || [] };
}

export async function signIn(username, password) {
  const form = new URLSearchParams({ grant_type: "password", username, password });
  const got = await fetch("/oauth2/user/token", { method: "POST", body: form });
  if (!got.ok) throw await problemOf(got);
  const body = await got.json();
  sessionStorage.setItem(TOKEN, body.access_token);
}

export function signOut(expired = false) {
  sessionStorage.removeItem(TOKEN);
  const next = encodeURIComponent(location.pathname + location.search);
  location.assign(`/app/login?${expired ? "expired=1&" : ""}next=${next}`);
}

// ---------------------------------------------------------------- API

export class ApiError extends Error {
  constructor(status, problem) {
    super((lang === "th" ? problem.title_th : problem.title) || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function problemOf(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return new ApiError(response.status, body);
}

/** A call to the API as the signed-in user; a 401 sends them back to sign in. */
export async function api(path, { method = "GET", body, params, raw = false } = {}) {
  const user = session();
  if (!user) {
    signOut(true);
    throw new ApiError(401, {});
  }
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== "") url.searchParams.set(k, v);
  }
  const headers = { Authorization: `Bearer ${user.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const got = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (got.status === 401) {
    signOut(true);
    throw await problemOf(got);
  }
  if (!got.ok) throw await problemOf(got);
  return raw ? got : got.json();
}

/** Every cell of a statistics query, page after page. */
export async function statistics(params) {
  let offset = 0;
  let out = null;
  for (;;) {
    const page = await api("/api/v1/statistics", { params: { ...params, limit: 10000, offset } });
    if (out === null) out = page;
    else out.cells.push(...page.cells);
    if (page.next_offset === null || page.next_offset === undefined) return out;
    offset = page.next_offset;
  }
}

/** Area code → {th, en, map} from GET /api/v1/areas. */
export async function areaNames(level, within) {
  const body = await api("/api/v1/areas", { params: { level, within } });
  return new Map(body.areas.map((a) => [a.code, { th: a.name_th, en: a.name_en, map: a.map_name }]));
}

export function areaLabel(names, code) {
  if (code === "TH") return t("thailand");
  const found = names?.get(code);
  return found ? found[lang] : code;
}

let programmeCache = null;
export async function programmes(release) {
  if (programmeCache === null) programmeCache = api("/api/v1/programmes", { params: { release } });
  return (await programmeCache).programmes;
}

export function programmeName(list, id) {
  const p = (list || []).find((x) => x.id === id);
  return p ? (lang === "th" ? p.name_th : p.name_en) : id;
}

/** An indicator's name in the page's language (programmes named from their definitions). */
export function indicatorLabel(indicator, list) {
  const [kind, programme, gap] = indicator.split(":");
  if (kind === "entitled") return t("ind.entitled", { programme: programmeName(list, programme) });
  if (kind === "paid") return t("ind.paid", { programme: programmeName(list, programme) });
  if (kind === "gap") return `${t(`gap.${gap}`)}: ${programmeName(list, programme)}`;
  return t(`ind.${indicator}`);
}

/** A cell's number, or the word for a suppressed cell: never 0 for a hidden one. */
export function cellNode(cell, k) {
  if (!cell) return { text: "—", num: true, title: t("cell.none") };
  if (cell.suppressed) return { text: t("suppressed"), num: true, cls: "suppressed", title: t("cell.suppressed", { k: k ?? "k" }) };
  return { text: fmt.num(cell.persons), num: true };
}

// ---------------------------------------------------------------- layout

//: The pages and the roles each is made for (the API enforces; this only hides links).
export const PAGES = [
  { key: "overview", path: "/app/", roles: ["analyst", "caseworker", "admin"] },
  { key: "map", path: "/app/map", roles: ["analyst", "caseworker", "admin"] },
  { key: "programme", path: "/app/programme", roles: ["analyst", "caseworker", "admin"] },
  { key: "lists", path: "/app/lists", roles: ["caseworker"] },
  { key: "person", path: "/app/person", roles: ["caseworker"] },
  { key: "review", path: "/app/review", roles: ["caseworker"] },
  { key: "quality", path: "/app/quality", roles: ["analyst", "admin"] },
  { key: "household", path: "/app/household", roles: ["caseworker"], menu: false },
];

function header(active, user) {
  const top = document.getElementById("top");
  const nav = h(
    "nav",
    { "aria-label": t("nav.label") },
    h(
      "ul",
      { class: "nav" },
      PAGES.filter((p) => p.menu !== false && p.roles.includes(user.role)).map((p) =>
        h("li", {}, h("a", { href: p.path, "aria-current": p.key === active ? "page" : null }, t(`nav.${p.key}`))),
      ),
    ),
  );
  top.replaceChildren(
    h("a", { class: "brand", href: "/app/" }, t("brand")),
    nav,
    h(
      "div",
      { class: "who" },
      h("span", { id: "user" }, `${user.sub} · ${t(`role.${user.role}`)}`),
      languageButton(),
      h("button", { type: "button", id: "signout", onclick: () => signOut(false) }, t("signout")),
    ),
  );
}

export function languageButton() {
  const other = lang === "th" ? "en" : "th";
  return h(
    "button",
    {
      type: "button",
      id: "lang",
      lang: other,
      "aria-label": other === "en" ? "Switch to English" : "เปลี่ยนเป็นภาษาไทย",
      onclick: () => {
        localStorage.setItem(LANG, other);
        location.reload();
      },
    },
    other === "en" ? "English" : "ไทย",
  );
}

export async function loadTranslations() {
  dict = await (await fetch(`/app/static/i18n/${lang}.json`)).json();
  document.documentElement.lang = lang;
  document.getElementById("skip").textContent = t("skip");
  document.getElementById("foot").textContent = t("footer");
}

/**
 * Start a page: translations, the signed-in user (or sign-in), the layout, then
 * `render(main, user)`. A role the page is not made for gets a message, not a request.
 */
export async function boot(key, render) {
  await loadTranslations();
  const user = session();
  if (!user) {
    signOut(false);
    return;
  }
  header(key, user);
  const main = document.getElementById("main");
  const page = PAGES.find((p) => p.key === key);
  document.title = `${t(`nav.${key}`)} · ${t("brand")}`;
  if (page && !page.roles.includes(user.role)) {
    main.replaceChildren(h("h1", {}, t(`nav.${key}`)), notice(t("role.not_here", { role: t(`role.${user.role}`) })));
    document.body.dataset.ready = "1";
    return;
  }
  main.replaceChildren();
  try {
    await render(main, user);
  } catch (err) {
    main.append(notice(err instanceof ApiError ? err.message : t("error.unexpected"), "error"));
    if (!(err instanceof ApiError)) throw err;
  } finally {
    document.body.dataset.ready = "1"; // for tests and screenshots: the page is drawn
    performance.mark("sitthi:ready"); // for benchmarks/bench_dashboard.py: when it was
  }
}

/** The release line every data page starts with: which release, as of which day. */
export function asOf(body) {
  return h("p", { class: "sub", id: "as-of" }, t("as_of", { release: body.release, day: fmt.date(body.as_of) }));
}

export function loading(el) {
  el.replaceChildren(h("p", { class: "loading", role: "status" }, t("loading")));
}
