// Copy buttons: hidden in the page, shown once this script runs (without
// JavaScript the key stays selectable by hand). The clipboard API needs a
// secure context; elsewhere the text is selected and copied the old way.
(function () {
  function selectText(target) {
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(text, target) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    selectText(target);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject();
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) {
      return;
    }
    button.classList.remove("bo-hidden");
    button.addEventListener("click", function () {
      var status = document.getElementById("copy-status");
      copy(target.textContent.trim(), target).then(
        function () {
          if (status) {
            status.textContent = button.getAttribute("data-copied-label");
          }
        },
        function () {
          selectText(target);
          if (status) {
            status.textContent = button.getAttribute("data-failed-label");
          }
        }
      );
    });
  });
})();
