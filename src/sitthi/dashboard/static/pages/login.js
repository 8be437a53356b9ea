// Sign-in: POST /oauth2/user/token (password grant); the token lives in sessionStorage.
import { h, languageButton, loadTranslations, notice, signIn, t } from "../app.js";

await loadTranslations();
document.title = `${t("login.title")} · ${t("brand")}`;
const params = new URLSearchParams(location.search);
const next = params.get("next");
const target = next && next.startsWith("/app") && !next.startsWith("/app/login") ? next : "/app/";
const message = h("div", { id: "login-message", "aria-live": "polite" });
if (params.get("expired")) message.append(notice(t("login.expired")));
const name = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
const form = h(
  "form",
  {
    onsubmit: async (event) => {
      event.preventDefault();
      message.replaceChildren();
      try {
        await signIn(name.value, password.value);
        location.assign(target);
      } catch (err) {
        message.append(notice(err.status === 401 ? t("login.wrong") : err.message, "error"));
        password.select();
      }
    },
  },
  h("label", { for: "username" }, t("login.username"), name),
  h("label", { for: "password" }, t("login.password"), password),
  h("button", { class: "btn", type: "submit", id: "signin" }, t("login.submit")),
);
document.getElementById("top").replaceChildren(
  h("span", { class: "brand" }, t("brand")),
  h("span", { class: "spacer" }),
  languageButton(),
);
document.getElementById("main").replaceChildren(
  h("div", { class: "login" }, h("h1", {}, t("login.title")), h("p", { class: "sub" }, t("login.intro")), message, form),
);
name.focus();
document.body.dataset.ready = "1";
