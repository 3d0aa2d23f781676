// Starts Swagger UI on the API docs page (recert/api/templates/api/docs.html). A signed-in
// user's calls carry the page's CSRF token, as the pages' own scripts do.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrf = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  config.requestInterceptor = function (request) {
    if (csrf) { request.headers["X-CSRFToken"] = csrf; }
    return request;
  };
  window.ui = SwaggerUIBundle(config);
})();
