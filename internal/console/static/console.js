// Probity console: progressive enhancement only; every page works without this file.
// On narrow screens the main navigation folds behind a Menu button.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var button = document.querySelector("header .menu");
  var nav = document.getElementById("nav");
  if (!button || !nav) return;
  var narrow = window.matchMedia("(max-width: 40rem)");
  function fold() {
    var folded = narrow.matches && button.getAttribute("aria-expanded") !== "true";
    nav.setAttribute("data-collapsed", folded ? "true" : "false");
    button.hidden = !narrow.matches;
  }
  button.addEventListener("click", function () {
    button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
    fold();
  });
  narrow.addEventListener("change", fold);
  fold();
})();

// Evidence file upload (the control page's form.upload with data-issue): a file chosen or
// dropped on the form is PUT to an upload URL the console issues, with a progress bar,
// then imported by its evidenceFileName through a plain form post. Without this script
// the same form posts the file as multipart, which the server imports itself.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.upload[data-issue]");
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector(".dropzone");
    var bar = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    var csrf = form.querySelector('input[name="csrf"]').value;
    var button = form.querySelector('button[type="submit"]');
    var busy = false;

    function say(text) { status.textContent = text; }

    function post(url, fields, done) {
      var body = new URLSearchParams();
      body.set("csrf", csrf);
      Object.keys(fields).forEach(function (k) { body.set(k, fields[k]); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
      xhr.onload = function () { done(xhr); };
      xhr.onerror = function () { fail("the connection failed"); };
      xhr.send(body.toString());
    }

    function fail(why) {
      busy = false;
      button.disabled = false;
      bar.hidden = true;
      say("The upload failed: " + why + ". Try again, or use the form without JavaScript.");
    }

    function importFile(name) {
      // A real form post, so the page that follows is the control's, with its notice.
      var f = document.createElement("form");
      f.method = "post";
      f.action = form.getAttribute("data-import");
      [["csrf", csrf], ["evidenceFileName", name]].forEach(function (kv) {
        var i = document.createElement("input");
        i.type = "hidden"; i.name = kv[0]; i.value = kv[1];
        f.appendChild(i);
      });
      document.body.appendChild(f);
      f.submit();
    }

    function upload(file) {
      if (busy || !file) return;
      busy = true;
      button.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      say("Uploading " + file.name + "…");
      post(form.getAttribute("data-issue"), { fileName: file.name }, function (xhr) {
        if (xhr.status !== 200) { fail("the server answered " + xhr.status); return; }
        var grant;
        try { grant = JSON.parse(xhr.responseText); } catch (e) { fail("the server's answer was not understood"); return; }
        var put = new XMLHttpRequest();
        put.open("PUT", grant.uploadUrl);
        put.upload.onprogress = function (ev) {
          if (ev.lengthComputable) bar.value = Math.round(100 * ev.loaded / ev.total);
        };
        put.onload = function () {
          if (put.status !== 200) { fail("the upload URL answered " + put.status); return; }
          bar.value = 100;
          say("Uploaded " + file.name + "; importing…");
          importFile(grant.evidenceFileName);
        };
        put.onerror = function () { fail("the connection failed"); };
        put.send(file);
      });
    }

    form.addEventListener("submit", function (ev) {
      if (!input.files || input.files.length === 0) return; // the server says what is missing
      ev.preventDefault();
      upload(input.files[0]);
    });
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      var files = ev.dataTransfer && ev.dataTransfer.files;
      if (files && files.length) upload(files[0]);
    });
  });
})();
