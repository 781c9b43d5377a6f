// The print button on the badge sheet (a file, because the CSP forbids inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-button");
  if (button) button.addEventListener("click", () => window.print());
});
