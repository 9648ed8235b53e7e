// oauth/code.html: focusing the authorisation code selects it, ready to copy into the app.
// A file of its own because the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  var code = document.getElementById("code");
  if (code) {
    code.addEventListener("focus", function () { code.select(); });
  }
});
