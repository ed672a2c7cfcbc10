// Viewer request of the fan app's default behaviour (CloudFront Functions, cloudfront-js-2.0).
// S3 behind origin access control serves no index document: "/gacha/" must be asked for as
// "/gacha/index.html", and "/gacha" (no trailing slash, no extension) too. PAGES, filled in at synth time
// from the export, lists the exported page directories; any other extensionless path gets the export's
// 404 page (served by S3 with status 200: a distribution-wide error response would also replace the API's
// JSON 403/404 answers under /api/*). PAGES = null: no list, nothing rewritten to the 404 page.
var PAGES = __PAGES__;

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf("/") + 1);
  if (last.indexOf(".") !== -1) {
    return request; // a file: /_next/static/..., /favicon.ico, /404.html
  }
  var directory = uri.endsWith("/") ? uri : uri + "/";
  if (PAGES !== null && PAGES.indexOf(directory) === -1) {
    request.uri = "/404.html";
    return request;
  }
  request.uri = directory + "index.html";
  return request;
}
