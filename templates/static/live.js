// fedihub live updates. A feed that names a public stream (data-stream) listens to it over
// server-sent events and offers the new posts with a link that reloads the page: the page is
// rendered on the server as always, so nothing received is ever written into the page as HTML.
// The reader's own streams (home, notifications, messages) need an API token the pages do not
// hold; they are left to a reload.
(function () {
  "use strict";
  var feed = document.querySelector(".feed[data-stream]");
  if (!feed || !window.EventSource) {
    return;
  }
  var stream = feed.getAttribute("data-stream") || "";
  var paths = { "public": "public", "public:local": "public/local" };
  var url = null;
  if (paths[stream]) {
    url = "/api/v1/streaming/" + paths[stream];
  } else if (stream.indexOf("hashtag:") === 0) {
    url = "/api/v1/streaming/hashtag?tag=" + encodeURIComponent(stream.slice(8));
  }
  if (!url) {
    return;
  }
  var label = feed.getAttribute("data-new-label") || "New posts: {count}";
  var banner = null;
  var count = 0;
  var source = new EventSource(url);
  source.addEventListener("update", function () {
    count += 1;
    if (!banner) {
      banner = document.createElement("a");
      banner.className = "button primary live-banner";
      banner.href = window.location.pathname + window.location.search;
      banner.setAttribute("role", "status");
      feed.parentNode.insertBefore(banner, feed);
    }
    banner.textContent = label.replace("{count}", String(count));
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
