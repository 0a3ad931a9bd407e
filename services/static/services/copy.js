// Copy buttons: shown only when the clipboard is available (the key stays
// selectable by hand otherwise).
(function () {
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.classList.remove("bo-hidden");
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = document.getElementById("copy-status");
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        if (status) {
          status.textContent = button.getAttribute("data-copied-label");
        }
      });
    });
  });
})();
