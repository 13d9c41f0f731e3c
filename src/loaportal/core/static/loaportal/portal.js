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

// Progressive disclosure: a block marked data-reveal-for="<radio group's name>" and
// data-reveal-value="<choice>" shows only while that choice is selected, right after the group.
// Without JavaScript every block shows, and the server validates only what the choice needs.
function chosenValue(radios) {
  const checked = radios.shadowRoot && radios.shadowRoot.querySelector("input[type=radio]:checked");
  if (checked) return checked.value;
  return typeof radios.value === "string" ? radios.value : "";
}

function revealFor(radios) {
  const name = radios.getAttribute("name");
  const value = chosenValue(radios);
  for (const block of document.querySelectorAll("[data-reveal-for]")) {
    if (block.dataset.revealFor === name) block.hidden = block.dataset.revealValue !== value;
  }
}

document.addEventListener("gcdsChange", (event) => {
  if (event.target.matches && event.target.matches("gcds-radios")) revealFor(event.target);
});

const revealGroups = new Set(
  [...document.querySelectorAll("[data-reveal-for]")].map((block) => block.dataset.revealFor),
);
for (const name of revealGroups) {
  const radios = document.querySelector(`gcds-radios[name="${CSS.escape(name)}"]`);
  if (radios) {
    customElements
      .whenDefined("gcds-radios")
      .then(() => (radios.componentOnReady ? radios.componentOnReady() : null))
      .then(() => revealFor(radios));
  }
}
