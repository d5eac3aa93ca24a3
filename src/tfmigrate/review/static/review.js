// The review app's only script: shows a field's place in the archived original (its provenance)
// when the field is pointed at or clicked. The original's frame is sandboxed and runs nothing.
document.addEventListener("DOMContentLoaded", () => {
  const frame = document.getElementById("original");
  if (!frame) return;
  let shown = "";
  const show = (field) => {
    if (field === shown) return;
    shown = field;
    frame.src = frame.dataset.base + "?field=" + encodeURIComponent(field) + "#tf-mark";
  };
  for (const element of document.querySelectorAll("[data-field]")) {
    element.addEventListener("mouseenter", () => show(element.dataset.field));
    element.addEventListener("click", () => show(element.dataset.field));
  }
});
