// Swagger UI over this server's own spec; everything it loads comes from this
// server, so the page works offline. Requests made with "Try it out" carry the
// browser's session cookie (same origin), or a bearer token set with Authorize.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayRequestDuration: true,
    persistAuthorization: false,
    withCredentials: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
