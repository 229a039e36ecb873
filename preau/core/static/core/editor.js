// The rich-text editor. A textarea with data-rich-editor="<name>" becomes a toolbar (the page's
// #rich-editor-toolbar template, translated) and an editable area whose HTML goes into the
// hidden field <name>; the textarea then sends nothing. Without JavaScript the textarea's plain
// text is sent. Pictures (PNG, JPEG, GIF, WebP up to data-image-max bytes) are pasted or
// inserted inside the text. The server sanitises whatever arrives.
(() => {
  const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
  const STATEFUL = ["bold", "italic", "underline"];

  const paragraphs = (text) =>
    text
      .split(/\n{2,}/)
      .map((block) => {
        const p = document.createElement("p");
        block.split("\n").forEach((line, i) => {
          if (i) p.append(document.createElement("br"));
          p.append(line);
        });
        return p.outerHTML;
      })
      .join("");

  const enhance = (textarea) => {
    const template = document.getElementById("rich-editor-toolbar");
    const form = textarea.form;
    const hidden = form && form.elements.namedItem(textarea.dataset.richEditor);
    if (!template || !hidden) return;
    const toolbar = template.content.firstElementChild.cloneNode(true);
    const area = document.createElement("div");
    const status = document.createElement("p");
    const label = form.querySelector(`label[for="${textarea.id}"]`);
    if (label && !label.id) label.id = `${textarea.id}-label`;
    area.className = "editor__area";
    area.contentEditable = "true";
    area.id = `${textarea.id}-editor`;
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (label) area.setAttribute("aria-labelledby", label.id);
    const described = textarea.getAttribute("aria-describedby");
    if (described) area.setAttribute("aria-describedby", described);
    toolbar.setAttribute("aria-controls", area.id);
    status.className = "field__error editor__status";
    status.setAttribute("role", "alert");
    area.innerHTML = hidden.value.trim() || (textarea.value.trim() ? paragraphs(textarea.value) : "");
    const wrapper = document.createElement("div");
    wrapper.className = "editor";
    wrapper.append(toolbar, area, status);
    textarea.after(wrapper);
    textarea.hidden = true;
    textarea.removeAttribute("name");
    const sync = () => { hidden.value = area.innerHTML; };
    sync();
    area.addEventListener("input", sync);
    form.addEventListener("submit", sync);
    form.addEventListener("htmx:configRequest", sync);

    const maxBytes = Number(textarea.dataset.imageMax || 1048576);
    const insertPicture = (file) => {
      status.textContent = "";
      if (!IMAGE_TYPES.includes(file.type)) { status.textContent = toolbar.dataset.imageBadType; return; }
      if (file.size > maxBytes) { status.textContent = toolbar.dataset.imageTooBig; return; }
      const reader = new FileReader();
      reader.onload = () => {
        area.focus();
        document.execCommand("insertImage", false, reader.result);
        const alt = file.name.replace(/\.[^.]+$/, "");
        area.querySelectorAll("img:not([alt])").forEach((img) => { img.alt = alt; });
        sync();
      };
      reader.readAsDataURL(file);
    };
    const picker = toolbar.querySelector("[data-editor-image]");
    picker.addEventListener("change", () => {
      [...picker.files].forEach(insertPicture);
      picker.value = "";
    });
    area.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData ? event.clipboardData.files : [])];
      if (files.length) { event.preventDefault(); files.forEach(insertPicture); }
    });
    area.addEventListener("drop", (event) => {
      const files = [...(event.dataTransfer ? event.dataTransfer.files : [])];
      if (files.length) { event.preventDefault(); files.forEach(insertPicture); }
    });

    const tools = [...toolbar.querySelectorAll("[data-command]")];
    tools.forEach((tool, i) => { tool.tabIndex = i ? -1 : 0; });
    const refresh = () => {
      tools.forEach((tool) => {
        if (STATEFUL.includes(tool.dataset.command)) {
          tool.setAttribute("aria-pressed", String(document.queryCommandState(tool.dataset.command)));
        }
      });
    };
    document.addEventListener("selectionchange", () => { if (document.activeElement === area) refresh(); });
    toolbar.addEventListener("click", (event) => {
      const tool = event.target.closest("[data-command]");
      if (!tool) return;
      const command = tool.dataset.command;
      if (command === "insertImage") { picker.click(); return; }
      area.focus();
      if (command === "createLink") {
        const url = window.prompt(toolbar.dataset.linkPrompt, "https://");
        if (url && /^(https?:|mailto:)/i.test(url.trim())) document.execCommand("createLink", false, url.trim());
      } else {
        document.execCommand(command, false);
      }
      refresh();
      sync();
    });
    // One tab stop for the toolbar; arrows move between its buttons (WAI-ARIA toolbar).
    toolbar.addEventListener("keydown", (event) => {
      const index = tools.indexOf(event.target);
      if (index < 0 || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
      event.preventDefault();
      const next = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: tools.length - 1 }[event.key];
      const target = tools[(next + tools.length) % tools.length];
      tools.forEach((tool) => { tool.tabIndex = tool === target ? 0 : -1; });
      target.focus();
    });
  };

  const start = () => document.querySelectorAll("textarea[data-rich-editor]").forEach(enhance);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
