// 导入 and 用户管理: a form marked data-once is sent once; a second tap while it is on its way does nothing.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  for (const button of form.querySelectorAll("button[type=submit]")) button.setAttribute("aria-busy", "true");
});
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;  // back to a page kept in memory: its forms may be sent again
  for (const form of document.querySelectorAll("form[data-sent]")) delete form.dataset.sent;
});
