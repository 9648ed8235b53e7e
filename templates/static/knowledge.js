// The editor's live preview: the body as the server renders it (the same Markdown and sanitiser),
// asked at most every 400 ms while typing.
(function () {
  var form = document.getElementById("editor");
  var body = document.getElementById("body");
  var out = document.getElementById("preview");
  if (!form || !body || !out) return;
  var timer = null;
  function render() {
    var data = new FormData();
    data.append("csrf_token", form.elements["csrf_token"].value);
    data.append("body", body.value);
    fetch("/articles/preview", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j) out.innerHTML = j.html; });
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 400);
  });
  render();
})();
