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

// Progress of work the worker does (a decision file being checked or recorded): a block with
// data-progress-url asks that JSON endpoint for the counts and moves its <progress> bar; when the
// work stops (or moves to its next phase) the page is loaded again to show the outcome. Without
// JavaScript the page offers a link to refresh it.
const progressBlock = document.querySelector("[data-progress-url]");
if (progressBlock) {
  const bar = progressBlock.querySelector("progress");
  const text = progressBlock.querySelector("[data-progress-text]");
  const poll = () => {
    fetch(progressBlock.dataset.progressUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((state) => {
        if (!state.in_progress || state.status !== progressBlock.dataset.progressStatus) {
          window.location.reload();
          return;
        }
        bar.max = Math.max(1, state.total);
        bar.value = state.done;
        if (text.textContent !== state.text) text.textContent = state.text;
        setTimeout(poll, 1500);
      })
      .catch(() => setTimeout(poll, 5000));
  };
  setTimeout(poll, 1000);
}
