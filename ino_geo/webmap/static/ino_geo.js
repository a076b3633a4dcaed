// ino_geo web maps: the page runtime. Data reach the page only as JSON and are shown
// with textContent, never as markup.
window.inoGeo = window.inoGeo || { layers: {}, counts: {} };
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
      td.textContent = (typeof v === 'object') ? JSON.stringify(v) : String(v);
    }
    return t;
  };
  G.style = function (base, feature) {
    var s = {};
    for (var k in base) s[k] = base[k];
    var c = feature && feature.properties && feature.properties._c;
    if (c) { s.fillColor = c; if (base._byStroke) s.color = c; }
    var r = feature && feature.properties && feature.properties._r;
    if (r) s.radius = r;
    delete s._byStroke;
    return s;
  };
  G.bind = function (layer, feature, popup, tooltip) {
    if (popup.length) layer.bindPopup(function () { return G.table(feature.properties, popup); }, { maxWidth: 360 });
    if (tooltip.length) layer.bindTooltip(function () { return G.table(feature.properties, tooltip); }, { sticky: true });
  };
})(window.inoGeo);
