// Replaces the WebJar's own swagger-initializer.js, which points at a demo contract on the internet.
// This page shows the contract of the node that serves it, and calls nothing but that node.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '../openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The default validator badge would send our contract to an outside service.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout'
  });
};
