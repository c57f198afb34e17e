// The interaction page: audio synchronised with the transcript, live score, keyboard shortcuts.
// Plain JavaScript, no network: everything it needs is in the page's data-* attributes.
(function () {
  "use strict";
  var player = document.getElementById("player");
  var turns = Array.prototype.slice.call(document.querySelectorAll(".turn[data-start]"));
  var cursor = document.getElementById("timeline-cursor");
  var timelineBox = document.getElementById("timeline");
  var current = null;

  function seek(seconds, play) {
    if (!player || isNaN(seconds)) { return; }
    player.currentTime = Math.max(0, seconds);
    highlight(seconds);
    if (play) { player.play().catch(function () {}); }
  }

  function turnAt(t) {
    // The turn being spoken; between turns, the last one that started.
    var found = null;
    for (var i = 0; i < turns.length; i++) {
      var start = parseFloat(turns[i].dataset.start);
      var end = parseFloat(turns[i].dataset.end);
      if (t >= start && t < end) { return turns[i]; }
      if (start <= t) { found = turns[i]; }
    }
    return found;
  }

  function highlight(t) {
    var turn = turnAt(t);
    if (turn !== current) {
      if (current) { current.classList.remove("playing"); }
      if (turn) {
        turn.classList.add("playing");
        if (player && !player.paused) { turn.scrollIntoView({block: "nearest"}); }
      }
      current = turn;
    }
    var duration = timelineBox ? parseFloat(timelineBox.dataset.duration) : 0;
    if (cursor && duration > 0) { cursor.style.left = Math.min(100, 100 * t / duration) + "%"; }
  }

  if (player) {
    player.addEventListener("timeupdate", function () { highlight(player.currentTime); });
    player.addEventListener("seeked", function () { highlight(player.currentTime); });
  }
  turns.forEach(function (turn) {
    turn.addEventListener("click", function (event) {
      if (event.target.closest("button, a, input, select, textarea")) { return; }
      seek(parseFloat(turn.dataset.start), true);
    });
  });
  if (timelineBox) {
    timelineBox.addEventListener("click", function (event) {
      var box = timelineBox.getBoundingClientRect();
      var duration = parseFloat(timelineBox.dataset.duration);
      seek(duration * (event.clientX - box.left) / box.width, true);
    });
  }
  document.querySelectorAll(".seek[data-start]").forEach(function (button) {
    button.addEventListener("click", function () { seek(parseFloat(button.dataset.start), true); });
  });
  document.querySelectorAll(".evidence-link").forEach(function (button) {
    button.addEventListener("click", function () {
      var turn = document.getElementById("turn-" + button.dataset.turn);
      if (turn) {
        turn.scrollIntoView({block: "center"});
        turn.classList.add("flash-evidence");
        setTimeout(function () { turn.classList.remove("flash-evidence"); }, 1500);
      }
      if (button.dataset.start) { seek(parseFloat(button.dataset.start), false); }
    });
  });

  // Live score: the standard's arithmetic (na and unanswered leave both sums; a failed critical zeroes it).
  var criteria = Array.prototype.slice.call(document.querySelectorAll(".criterion"));
  var scoreOut = document.getElementById("score");
  var criticalFlag = document.getElementById("critical-flag");

  function recompute() {
    var earned = 0, possible = 0, counted = false, failed = false;
    criteria.forEach(function (row) {
      var select = row.querySelector("select.answer");
      if (!select) { return; }
      var value = select.value, max = parseFloat(row.dataset.max);
      if (row.dataset.critical === "1" && value === "no") { failed = true; }
      if (value === "yes") { earned += max; possible += max; counted = true; }
      else if (value === "no") { possible += max; counted = true; }
    });
    if (!scoreOut) { return; }
    var text;
    if (failed) { text = "0"; }
    else if (!counted || possible === 0) { text = "—"; }
    else { text = String(Math.round(10000 * earned / possible) / 100); }
    scoreOut.textContent = text;
    if (criticalFlag) { criticalFlag.hidden = !failed; }
  }

  criteria.forEach(function (row) {
    var select = row.querySelector("select.answer");
    var reason = row.querySelector(".override-reason");
    if (!select) { return; }
    select.addEventListener("change", function () {
      var overrides = row.dataset.machine !== "" && select.value !== "" && select.value !== row.dataset.machine;
      if (reason) {
        reason.hidden = !overrides;
        reason.required = overrides;
        if (overrides) { reason.focus(); }
      }
      row.classList.toggle("overridden", overrides);
      recompute();
    });
    row.addEventListener("focusin", function () { selected = row; mark(); });
    row.addEventListener("click", function () { selected = row; mark(); });
  });

  var selected = null;
  function mark() {
    criteria.forEach(function (row) { row.classList.toggle("selected", row === selected); });
    document.querySelectorAll(".turn").forEach(function (turn) {
      var ids = (turn.dataset.criteria || "").split(" ");
      turn.classList.toggle("evidence-of-selected", !!selected && ids.indexOf(selected.dataset.criterion) >= 0);
    });
  }

  var commentOffset = document.getElementById("comment-offset");
  var commentForm = document.getElementById("comment-form");
  if (commentForm && commentOffset && player) {
    commentForm.addEventListener("focusin", function () {
      if (!commentOffset.value) { commentOffset.value = player.currentTime.toFixed(1); }
    });
  }

  function step(delta) {
    if (!turns.length) { return; }
    var index = current ? turns.indexOf(current) + delta : 0;
    index = Math.max(0, Math.min(turns.length - 1, index));
    seek(parseFloat(turns[index].dataset.start), false);
    turns[index].scrollIntoView({block: "nearest"});
  }

  document.addEventListener("keydown", function (event) {
    var typing = event.target.closest && event.target.closest("input, textarea, select");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = document.getElementById("review-form");
      if (form) { event.preventDefault(); form.requestSubmit(document.getElementById("submit-review")); }
      return;
    }
    if (typing || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key.toLowerCase();
    if (key === " " && player) { event.preventDefault(); if (player.paused) { player.play().catch(function () {}); } else { player.pause(); } }
    else if (key === "j") { step(1); }
    else if (key === "k") { step(-1); }
    else if (event.key === "ArrowRight" && player) { seek(player.currentTime + 5, false); }
    else if (event.key === "ArrowLeft" && player) { seek(player.currentTime - 5, false); }
    else if ((key === "y" || key === "n" || key === "a") && selected) {
      var select = selected.querySelector("select.answer");
      if (select) {
        select.value = {y: "yes", n: "no", a: "na"}[key];
        select.dispatchEvent(new Event("change"));
      }
    }
  });

  // A search hit links to "#t=SECONDS": start playing from that moment (the browser may require a click first).
  var moment = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
  if (moment && player) {
    var start = function () { seek(parseFloat(moment[1]), true); };
    if (player.readyState >= 1) { start(); } else { player.addEventListener("loadedmetadata", start, {once: true}); }
  }
}());
