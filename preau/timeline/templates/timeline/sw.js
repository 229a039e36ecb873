/* Préau's service worker: shows a pushed notification and opens its page on click. */
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Préau", {
    body: data.body || "",
    tag: data.tag || undefined,
    data: { url: data.url || "/timeline/" },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/timeline/";
  if (url.charAt(0) !== "/" || url.charAt(1) === "/") { url = "/timeline/"; }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if ("focus" in windows[i] && windows[i].url === new URL(url, self.location.origin).href) { return windows[i].focus(); }
    }
    return self.clients.openWindow(url);
  }));
});
