// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit")) el.form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const msg = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) event.preventDefault();
});
