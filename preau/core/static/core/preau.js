// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit")) el.form.requestSubmit();
});
// Print buttons exist only where JavaScript can print.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});
document.addEventListener("submit", (event) => {
  const msg = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) event.preventDefault();
});

// The recipient picker (messaging): options of the people search become chips with a hidden
// input; arrow keys move between options, Enter or Space choose, Escape returns to the input.
(() => {
  const chooseOption = (option) => {
    const form = option.closest("form");
    const chips = form && form.querySelector("#chosen-people");
    if (!chips) return;
    const id = option.dataset.personId;
    if (!chips.querySelector(`input[value="${id}"]`)) {
      const chip = document.createElement("li");
      chip.className = "chip";
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "to";
      input.value = id;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip__remove";
      remove.setAttribute("data-remove-chip", "");
      remove.setAttribute("aria-label", `${chips.dataset.removeLabel || "Remove"} ${option.dataset.personLabel}`);
      remove.textContent = "×";
      chip.append(input, `${option.dataset.personLabel} `, remove);
      chips.append(chip);
    }
    option.setAttribute("aria-selected", "true");
    const field = form.querySelector("[data-picker-input]");
    if (field) field.focus();
  };
  document.addEventListener("click", (event) => {
    const remove = event.target.closest && event.target.closest("[data-remove-chip]");
    if (remove) {
      const input = remove.closest("form").querySelector("[data-picker-input]");
      remove.closest(".chip").remove();
      if (input) input.focus();
      return;
    }
    const option = event.target.closest && event.target.closest("[data-picker-results] [role=option]");
    if (option) chooseOption(option);
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    const results = target.closest("form") && target.closest("form").querySelector("[data-picker-results]");
    if (!results) return;
    const options = [...results.querySelectorAll("[role=option]")];
    if (target.hasAttribute("data-picker-input")) {
      if (event.key === "ArrowDown" && options.length) { event.preventDefault(); options[0].focus(); }
      if (event.key === "Enter") event.preventDefault(); // Enter in the search never sends the message
      return;
    }
    const index = options.indexOf(target);
    if (index < 0) return;
    if (event.key === "ArrowDown" && index < options.length - 1) { event.preventDefault(); options[index + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? options[index - 1] : target.closest("form").querySelector("[data-picker-input]")).focus(); }
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); chooseOption(target); }
    if (event.key === "Escape") { event.preventDefault(); target.closest("form").querySelector("[data-picker-input]").focus(); }
  });
})();
