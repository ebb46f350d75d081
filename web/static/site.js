// Small conveniences; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Changing the sort order re-runs the search at once.
  const sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", () => sort.form.submit());
  }
  // "Wrong tag?": offer only the values that belong to the chosen tag.
  const field = document.getElementById("label-field");
  const value = document.getElementById("label-value");
  if (field && value) {
    const groups = Array.from(value.querySelectorAll("optgroup"));
    const sync = () => {
      const name = field.value === "areas" ? "research areas (one)" : field.value;
      groups.forEach((g) => { g.hidden = g.label !== name; g.disabled = g.label !== name; });
      const none = value.querySelector('option[value=""]');
      if (none) { none.hidden = field.value !== "areas"; none.disabled = field.value !== "areas"; }
      const first = value.querySelector("optgroup:not([disabled]) option");
      if (first) { value.value = first.value; }
    };
    field.addEventListener("change", sync);
    sync();
  }
});
