// Uploads with progress: each chosen or dropped file is sent by its own XMLHttpRequest to the
// form's address, with a <progress> per file. Without JavaScript the form posts as usual.
(() => {
  const form = document.querySelector("form[data-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  const input = form.querySelector("input[type=file]");
  const list = form.querySelector("[data-upload-progress]");
  const drop = form.querySelector("[data-drop]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const folder = form.querySelector("input[name=folder]");

  const sendOne = (file) => new Promise((resolve) => {
    const item = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    const status = document.createElement("span");
    status.className = "small muted";
    item.append(label, " ", bar, " ", status);
    list.append(item);
    const data = new FormData();
    data.append("files", file, file.name);
    if (folder) data.append("folder", folder.value);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) bar.value = Math.round((100 * event.loaded) / event.total);
    });
    xhr.addEventListener("load", () => {
      let detail = "";
      try { detail = JSON.parse(xhr.responseText).detail || ""; } catch (e) { detail = ""; }
      const ok = xhr.status >= 200 && xhr.status < 300;
      bar.value = ok ? 100 : bar.value;
      status.textContent = ok ? form.dataset.doneLabel : `${form.dataset.errorLabel} ${detail}`;
      resolve(ok);
    });
    xhr.addEventListener("error", () => { status.textContent = form.dataset.errorLabel; resolve(false); });
    xhr.send(data);
  });

  const sendAll = async (files) => {
    let sent = 0;
    for (const file of files) { if (await sendOne(file)) sent += 1; }
    if (sent === files.length) window.location.reload();
  };

  form.addEventListener("submit", (event) => {
    if (!input.files.length) return;
    event.preventDefault();
    sendAll(Array.from(input.files));
  });
  if (drop) {
    ["dragenter", "dragover"].forEach((name) => drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("is-dragging"); }));
    ["dragleave", "drop"].forEach((name) => drop.addEventListener(name, () => drop.classList.remove("is-dragging")));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) sendAll(Array.from(event.dataTransfer.files));
    });
  }
})();
