/* Territoires d'industrie — one-line embed.
 *   <script src="https://…/widget.js" data-region="27" data-layers="sites,formations" async></script>
 * inserts a responsive, lazy-loaded iframe of /embed where the script is;
 *   <div data-territoires-map data-region="27"></div> + the script (once)
 * fills every such div instead. data-* attributes are the /embed
 * parameters (region, departement, territoire, layers, period, lang, center,
 * zoom, controls, search, basemap), plus data-height (default 480px) and data-title. */
(function () {
  'use strict';
  var script = document.currentScript;
  var src = script && script.src ? script.src : '';
  var origin = src ? new URL(src, location.href).origin : location.origin;
  var PARAMS = ['region', 'departement', 'territoire', 'layers', 'period', 'lang', 'center', 'zoom', 'controls', 'search', 'basemap'];

  function frame(data) {
    var q = [];
    for (var i = 0; i < PARAMS.length; i++) {
      var v = data[PARAMS[i]];
      if (v !== undefined && v !== '') q.push(PARAMS[i] + '=' + encodeURIComponent(v));
    }
    var f = document.createElement('iframe');
    f.src = origin + '/embed' + (q.length ? '?' + q.join('&') : '');
    f.title = data.title || (data.lang === 'en' ? 'Map of the Territoires d\u2019industrie' : 'Carte des Territoires d\u2019industrie');
    f.loading = 'lazy';
    f.setAttribute('allow', 'geolocation; fullscreen');
    f.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
    f.style.cssText = 'display:block;width:100%;max-width:100%;border:0;height:' + (data.height || '480px') + ';';
    f.className = 'territoires-map-frame';
    return f;
  }

  var hosts = document.querySelectorAll('[data-territoires-map]');
  var filled = 0;
  for (var i = 0; i < hosts.length; i++) {
    if (hosts[i].getAttribute('data-territoires-map-ready')) continue;
    hosts[i].setAttribute('data-territoires-map-ready', '1');
    hosts[i].appendChild(frame(hosts[i].dataset));
    filled++;
  }
  if (!filled && script && script.parentNode) {
    script.parentNode.insertBefore(frame(script.dataset), script.nextSibling);
  }
})();
