// Mathematics in texts: $…$ inline and $$…$$ displayed, rendered by the vendored KaTeX in
// every element with the class "math-render" (and again after htmx swaps new content in).
// KaTeX builds its own markup from the TeX source; untrusted commands stay disabled.
(() => {
  const render = (root) => {
    if (!window.renderMathInElement) return;
    root.querySelectorAll(".math-render").forEach((el) => {
      window.renderMathInElement(el, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false },
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
        trust: false,
      });
    });
  };
  const start = () => render(document);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSwap", (event) => render(event.target));
})();
