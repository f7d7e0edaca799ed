import { initAll } from "/assets/govuk-frontend.min.js";

initAll();

// Printed pages show the ladder's text version, however the details were left on screen.
const printOpen = () => document.querySelectorAll("details.app-print-open:not([open])").forEach((d) => {
  d.open = true;
  d.dataset.printOpened = "yes";
});
const printClose = () => document.querySelectorAll("details[data-print-opened]").forEach((d) => {
  d.open = false;
  delete d.dataset.printOpened;
});
window.addEventListener("beforeprint", printOpen);
window.addEventListener("afterprint", printClose);
