// The focal point picker on a library picture's desk page: a click on the preview
// fills the two number inputs (fractions from the top left corner) and moves the
// marker and the frame readers see. Without this script the inputs work alone.
// A static file, as the desk's Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  function clamp(value) {
    return Math.min(1, Math.max(0, value));
  }

  // herald.core.images.crop_box, in fractions of the picture: [left, top, width, height].
  function cropBox(width, height, fx, fy, lowest, highest) {
    const aspect = width / height;
    if (aspect > highest) {
      const cut = Math.min(width, Math.round(height * highest));
      const left = Math.min(Math.max(Math.round(fx * width - cut / 2), 0), width - cut);
      return [left / width, 0, cut / width, 1];
    }
    if (aspect < lowest) {
      const cut = Math.min(height, Math.round(width / lowest));
      const top = Math.min(Math.max(Math.round(fy * height - cut / 2), 0), height - cut);
      return [0, top / height, 1, cut / height];
    }
    return [0, 0, 1, 1];
  }

  function percent(fraction) {
    return (fraction * 100).toFixed(2) + "%";
  }

  function setUp(picker) {
    const form = picker.closest("form");
    const inputX = form && form.querySelector("input[name=focal_x]");
    const inputY = form && form.querySelector("input[name=focal_y]");
    const image = picker.querySelector(".focal-picker__image");
    if (!inputX || !inputY || !image) return;
    const width = Number(picker.dataset.width);
    const height = Number(picker.dataset.height);
    const lowest = Number(picker.dataset.aspectMin);
    const highest = Number(picker.dataset.aspectMax);
    const markers = picker.querySelectorAll("[data-focal-marker]");
    const crop = picker.querySelector("[data-focal-crop]");

    function draw() {
      const fx = clamp(Number(inputX.value));
      const fy = clamp(Number(inputY.value));
      if (Number.isNaN(fx) || Number.isNaN(fy)) return;
      markers.forEach(function (marker) {
        marker.setAttribute("cx", percent(fx));
        marker.setAttribute("cy", percent(fy));
      });
      if (crop && width && height) {
        const box = cropBox(width, height, fx, fy, lowest, highest);
        crop.setAttribute("x", percent(box[0]));
        crop.setAttribute("y", percent(box[1]));
        crop.setAttribute("width", percent(box[2]));
        crop.setAttribute("height", percent(box[3]));
      }
    }

    image.addEventListener("click", function (event) {
      const rect = image.getBoundingClientRect();
      inputX.value = clamp((event.clientX - rect.left) / rect.width).toFixed(2);
      inputY.value = clamp((event.clientY - rect.top) / rect.height).toFixed(2);
      draw();
      inputX.dispatchEvent(new Event("change", { bubbles: true }));
      inputY.dispatchEvent(new Event("change", { bubbles: true }));
    });
    inputX.addEventListener("input", draw);
    inputY.addEventListener("input", draw);
    picker.classList.add("focal-picker--live");
  }

  function start() {
    document.querySelectorAll("[data-focal-picker]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
