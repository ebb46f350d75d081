// Small conveniences; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // On a narrow screen the filter list starts folded, so the results come first into view.
  const filters = document.querySelector("details.filters");
  if (filters && window.matchMedia("(max-width: 56rem)").matches) {
    filters.open = false;
  }
  // Changing the sort order re-runs the search at once.
  const sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", () => sort.form.submit());
  }
});
