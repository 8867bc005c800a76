// The subscriber import's progress bar (progressive enhancement: without this script the form
// posts normally and the result page comes back). The form is sent with XMLHttpRequest, whose
// upload events give the upload's progress; meanwhile /admin/subscribers/import/progress?job=...
// tells how far the server got checking and then importing the file. The bar runs 0-40 % for the
// upload, 40-70 % for the check and 70-100 % for the import; the result page then replaces the
// form.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("import-bar");
  var status = document.getElementById("import-status");

  function show(percent, text) {
    var p = Math.max(0, Math.min(100, Math.round(percent)));
    bar.value = p;
    bar.textContent = p + "%";
    if (status.textContent !== text) status.textContent = text;
  }

  function poll(job, page, stop) {
    var url = "/admin/subscribers/import/progress?job=" + encodeURIComponent(job) +
      (page ? "&page=" + encodeURIComponent(page) : "");
    function once() {
      if (stop.done) return;
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (stop.done || !p || !p.total_bytes) return;
          if (p.phase === "checking") {
            show(40 + 30 * p.checked_bytes / p.total_bytes, "Checking rows: " + p.rows + " read");
          } else if (p.phase === "importing") {
            show(70 + 30 * p.imported_bytes / p.total_bytes, "Importing: " + p.rows + " rows written");
          }
        })
        .catch(function () {})
        .then(function () { if (!stop.done) stop.timer = setTimeout(once, 400); });
    }
    once();
  }

  form.addEventListener("submit", function (event) {
    var file = document.getElementById("import-file");
    if (!file.files || !file.files.length) return;  // the server says what is missing
    event.preventDefault();
    var data = new FormData(form);
    var job = data.get("job");
    var page = data.get("page");
    var stop = { done: false, timer: null };
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    box.hidden = false;
    show(0, "Uploading " + file.files[0].name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) show(40 * e.loaded / e.total, "Uploading: " + Math.round(100 * e.loaded / e.total) + "%");
    });
    xhr.upload.addEventListener("load", function () {
      show(40, "Checking rows");
      poll(job, page, stop);
    });
    xhr.addEventListener("load", function () {
      stop.done = true;
      clearTimeout(stop.timer);
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = doc.querySelector("main");
      if (!main) {
        button.disabled = false;
        show(0, "The import could not be finished (HTTP " + xhr.status + "). Try again.");
        return;
      }
      show(100, xhr.status < 400 ? "Done" : "Stopped");
      // The result page replaces the form, as the page without this script would show it.
      document.title = doc.title;
      document.querySelector("main").replaceChildren.apply(document.querySelector("main"),
        Array.prototype.slice.call(main.childNodes).map(function (n) { return document.importNode(n, true); }));
      var heading = document.querySelector("main h1");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    });
    xhr.addEventListener("error", function () {
      stop.done = true;
      button.disabled = false;
      show(0, "The upload failed; check the connection and try again.");
    });
    xhr.send(data);
  });
})();
