// YASGUI over this server's endpoint: no persistence between visits (a link's query is what opens),
// prefix completion from this server, no calls to outside services.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  Yasgui.Yasqe.defaults.value = config.query;
  // Only completers that need no outside service (the class and property ones ask LOV).
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasqe: { autocompleters: ["prefixes", "variables"], prefixCcApi: config.prefixes, value: config.query },
  });
  var tab = yasgui.getTab();
  tab.setQuery(config.query);
  window.tkgYasgui = yasgui;
})();
