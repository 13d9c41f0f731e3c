// The API reference page: Swagger UI over the portal's own OpenAPI document. A file, not an
// inline script, so that the page keeps the portal's CSP (script-src 'self').
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
  });
})();
