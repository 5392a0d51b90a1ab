/* global Redoc, document */
// Starts Redoc on the reference page. A file of its own (not an inline script) so the page
// runs under a Content-Security-Policy of script-src 'self'.
(function () {
  var container = document.getElementById('reference');
  Redoc.init(
    container.getAttribute('data-spec'),
    {
      scrollYOffset: '.site-header',
      expandResponses: '200',
      jsonSampleExpandLevel: 3,
      requiredPropsFirst: true,
      pathInMiddlePanel: true,
      nativeScrollbars: true,
      hideLoading: false,
      downloadFileName: 'openapi.json',
      theme: {
        colors: { primary: { main: '#3b4bd8' } },
        typography: {
          fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
          headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
          code: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
        },
        sidebar: { width: '280px' },
        rightPanel: { backgroundColor: '#1f2433' },
      },
    },
    container,
    function (error) {
      if (error) console.error('The API reference could not be rendered:', error);
    },
  );
})();
