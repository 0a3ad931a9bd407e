// Live preview while a template is written: the email is posted into the
// sandboxed frame (its own URL, its own strict CSP); placeholders and the
// SMS cost come back as JSON. Text is only ever set with textContent.
(function () {
  var form = document.getElementById("template-form");
  if (!form) {
    return;
  }
  var channel = form.getAttribute("data-channel");
  var url = form.getAttribute("data-preview-url");
  var subject = form.querySelector("[data-preview=subject]");
  var body = form.querySelector("[data-preview=body]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;

  function refreshFrame() {
    var previewForm = document.getElementById("preview-form");
    if (!previewForm) {
      return;
    }
    document.getElementById("preview-subject").value = subject ? subject.value : "";
    document.getElementById("preview-body").value = body.value;
    previewForm.submit();
  }

  function show(summary) {
    var names = summary.placeholders.length ? summary.placeholders.join(", ") : "aucun";
    document.getElementById("preview-placeholder-list").textContent = names;
    if (summary.sms) {
      showSmsCost(summary.sms);
    }
  }

  // The sentences come from the server (one wording for this page and the
  // template's page): encoding and fragments, then which characters force
  // Unicode, count double or are replaced.
  function showSmsCost(sms) {
    document.getElementById("preview-sms-summary").textContent = sms.summary;
    var notes = document.getElementById("preview-sms-notes");
    while (notes.firstChild) {
      notes.removeChild(notes.firstChild);
    }
    sms.notes.forEach(function (note) {
      var item = document.createElement("li");
      item.textContent = note;
      notes.appendChild(item);
    });
    document.getElementById("preview-sms-body").textContent = sms.body;
  }

  function refreshSummary() {
    var data = new FormData();
    data.append("channel", channel);
    data.append("format", "json");
    data.append("subject", subject ? subject.value : "");
    data.append("body", body.value);
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (summary) { if (summary) { show(summary); } });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      refreshSummary();
      refreshFrame();
    }, 400);
  }

  [subject, body].forEach(function (field) {
    if (field) {
      field.addEventListener("input", schedule);
    }
  });
  refreshSummary();
  refreshFrame();
})();
