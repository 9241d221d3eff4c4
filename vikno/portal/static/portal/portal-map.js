/* The optional point on the offline map: the hromadas' boundaries drawn from our own static
   copy (no tile server), a click sets the hidden lat/lon fields. Without JavaScript the form
   works the same, with the settlement picker alone. */
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || !window.L) { return; }
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var said = document.getElementById("map-point");
  var map = window.L.map(box, { attributionControl: true, zoomControl: true, minZoom: 7, maxZoom: 14 });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  var marker = null;
  var style = { color: "#1c4a80", weight: 1, fillColor: "#e8f0fb", fillOpacity: 0.5 };

  function mark(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (marker) { marker.setLatLng(latlng); } else {
      marker = window.L.circleMarker(latlng, { radius: 8, color: "#b42318", weight: 3 }).addTo(map);
    }
    said.textContent = box.getAttribute("data-marked") + ": " + lat.value + ", " + lon.value;
  }

  fetch(box.getAttribute("data-boundaries"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = window.L.geoJSON(data, {
        style: style,
        attribution: 'Boundaries: <a href="https://github.com/slawomirmatuszak/ukrainian_geodata">ukrainian_geodata</a>, CC BY 4.0',
        onEachFeature: function (feature, l) {
          if (feature.properties && feature.properties.full_name) { l.bindTooltip(feature.properties.full_name); }
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      if (lat.value && lon.value) { mark(window.L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
    });
  map.on("click", function (e) { mark(e.latlng); });
}());
