// ino_geo web maps: the page runtime. Data reach the page only as JSON and are shown
// with textContent, never as markup.
window.inoGeo = window.inoGeo || { layers: {}, counts: {}, base: {}, extra: {} };
(function (G) {
  // Attribute table built with textContent: data never becomes markup.
  G.table = function (props, fields) {
    var t = document.createElement('table');
    t.className = 'ino-geo-attrs';
    for (var i = 0; i < fields.length; i++) {
      var v = props[fields[i][0]];
      if (v === null || v === undefined || v === '') continue;
      var tr = t.insertRow();
      var th = document.createElement('th');
      th.textContent = fields[i][1];
      tr.appendChild(th);
      var td = tr.insertCell();
      if (fields[i][2] === 'cite') G.cite(td, String(v));
      else td.textContent = (typeof v === 'object') ? JSON.stringify(v) : String(v);
    }
    return t;
  };
  // A citation: its http(s) parts become links (href set as a property), the rest text.
  G.cite = function (td, text) {
    var parts = text.split('; ');
    for (var i = 0; i < parts.length; i++) {
      if (i) td.appendChild(document.createTextNode('; '));
      if (/^https?:\/\/[^\s]+$/i.test(parts[i])) {
        var a = document.createElement('a');
        a.href = parts[i]; a.target = '_blank'; a.rel = 'noopener noreferrer';
        a.textContent = parts[i];
        td.appendChild(a);
      } else td.appendChild(document.createTextNode(parts[i]));
    }
  };
  // Place labels [lat, lon, text, priority, minZoom], most important first: shown from their
  // zoom, left out where they would overlap a label already placed.
  G.labels = function (map, rows) {
    var group = L.layerGroup();
    var markers = rows.map(function (r) {
      var span = document.createElement('span');
      span.textContent = r[2];
      var icon = L.divIcon({ className: 'ino-geo-label ino-geo-label-p' + r[3], html: span, iconSize: null });
      return L.marker([r[0], r[1]], { icon: icon, interactive: false, keyboard: false });
    });
    function overlaps(a, b) { return !(a.right < b.left || a.left > b.right || a.bottom < b.top || a.top > b.bottom); }
    function update() {
      if (!map.hasLayer(group)) return;
      group.clearLayers();
      var z = map.getZoom(), view = map.getBounds().pad(0.1), placed = [];
      for (var i = 0; i < rows.length; i++) {
        if (z < rows[i][4] || !view.contains([rows[i][0], rows[i][1]])) continue;
        group.addLayer(markers[i]);
        var el = markers[i].getElement(), box = el && el.firstChild ? el.firstChild.getBoundingClientRect() : null;
        var hit = false;
        for (var j = 0; box && j < placed.length && !hit; j++) hit = overlaps(box, placed[j]);
        if (hit) group.removeLayer(markers[i]); else if (box) placed.push(box);
      }
      G.labelCount = group.getLayers().length;
    }
    map.on('zoomend moveend', update);
    group.on('add', function () { setTimeout(update, 0); });
    group.addTo(map);
    return group;
  };
  // Narrow embeds: the legend and the layer control fold into buttons.
  G.narrow = function () {
    if (window.innerWidth >= 600) return;
    var d = document.querySelector('#ino-geo-legend details');
    if (d) d.removeAttribute('open');
    document.documentElement.className += ' ino-geo-narrow';
    var c = document.querySelector('.leaflet-control-layers');
    if (!c) return;
    c.classList.remove('leaflet-control-layers-expanded');
    // Leaflet expands it on a click of its button; a click elsewhere folds it again
    document.addEventListener('click', function (ev) {
      if (!c.contains(ev.target)) c.classList.remove('leaflet-control-layers-expanded');
    });
  };
  window.addEventListener('load', function () { G.narrow(); });
  G.style = function (base, feature) {
    var s = {};
    for (var k in base) s[k] = base[k];
    var c = feature && feature.properties && feature.properties._c;
    if (c) { s.fillColor = c; if (base._byStroke) s.color = c; }
    delete s._byStroke;
    return s;
  };
  G.bind = function (layer, feature, popup, tooltip) {
    if (popup.length) layer.bindPopup(function () { return G.table(feature.properties, popup); }, { maxWidth: 360 });
    if (tooltip.length) layer.bindTooltip(function () { return G.table(feature.properties, tooltip); }, { sticky: true });
  };
})(window.inoGeo);
