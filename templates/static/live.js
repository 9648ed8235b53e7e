// fedihub live updates. A feed that names a public stream (data-stream) listens to it over
// server-sent events and offers the new posts with a link that reloads the page: the page is
// rendered on the server as always, so nothing received is ever written into the page as HTML.
// The reader's own streams (home, notifications, messages) come from /live/<name>, which takes
// the page's session cookie and says only that something arrived.
(function () {
  "use strict";
  var feed = document.querySelector(".feed[data-stream]");
  if (!feed || !window.EventSource) {
    return;
  }
  var stream = feed.getAttribute("data-stream") || "";
  var paths = { "public": "public", "public:local": "public/local" };
  var own = { "user": "home", "user:notification": "notifications", "direct": "direct" };
  var url = null;
  var eventName = "update";
  if (own[stream]) {
    eventName = own[stream];
    url = "/live/" + eventName;
  } else if (paths[stream]) {
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
  source.addEventListener(eventName, function () {
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
