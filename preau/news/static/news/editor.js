// The news text's small toolbar: each button wraps the selected text in an HTML element (the
// text stays HTML in the textarea; the server sanitises it). Without JavaScript the toolbar
// stays hidden and the textarea works alone.
(() => {
  const wrap = (area, before, after, placeholder) => {
    const start = area.selectionStart;
    const end = area.selectionEnd;
    const chosen = area.value.slice(start, end) || placeholder;
    area.setRangeText(before + chosen + after, start, end, "end");
    area.setSelectionRange(start + before.length, start + before.length + chosen.length);
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const escapeAttr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const actions = {
    p: (area, b) => wrap(area, "<p>", "</p>", b.dataset.placeholder),
    strong: (area, b) => wrap(area, "<strong>", "</strong>", b.dataset.placeholder),
    em: (area, b) => wrap(area, "<em>", "</em>", b.dataset.placeholder),
    h2: (area, b) => wrap(area, "<h2>", "</h2>", b.dataset.placeholder),
    ul: (area, b) => {
      const start = area.selectionStart;
      const end = area.selectionEnd;
      const lines = (area.value.slice(start, end) || b.dataset.placeholder).split("\n");
      const items = lines.filter((l) => l.trim()).map((l) => `  <li>${l.trim()}</li>`);
      area.setRangeText(`<ul>\n${items.join("\n")}\n</ul>`, start, end, "end");
      area.focus();
    },
    a: (area, b) => {
      const selected = area.value.slice(area.selectionStart, area.selectionEnd);
      const url = /^https?:\/\//.test(selected) ? selected : window.prompt(b.dataset.prompt, "https://");
      if (!url || !/^(https?:\/\/|mailto:)/.test(url)) return;
      wrap(area, `<a href="${escapeAttr(url)}">`, "</a>", selected || url);
    },
  };
  document.querySelectorAll("[data-html-toolbar]").forEach((bar) => {
    const area = document.getElementById(bar.getAttribute("aria-controls"));
    if (!area) return;
    bar.hidden = false;
    bar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-wrap]");
      if (button && actions[button.dataset.wrap]) actions[button.dataset.wrap](area, button);
    });
  });
})();
