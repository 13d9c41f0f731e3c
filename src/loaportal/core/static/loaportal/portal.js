// LOA Portal progressive enhancements. No inline scripts (strict Content-Security-Policy).

// "Show password": a checkbox next to a password field switches it between hidden and shown.
document.addEventListener("gcdsChange", (event) => {
  const box = event.target.closest("[data-show-password-for]");
  if (!box) return;
  const field = document.getElementById(box.dataset.showPasswordFor);
  if (!field) return;
  const checked = Array.isArray(box.value) ? box.value.length > 0 : Boolean(box.value);
  field.setAttribute("type", checked ? "text" : "password");
});
