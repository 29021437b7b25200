// The chart host's browser half (see ui/charts.py): one Plotly graph per mounted chart,
// kept alive across reruns and updated in place with Plotly.react.
//
// Streamlit calls the default export on the first mount and again, with the same
// parentElement, each time the chart's data changes. The graph div lives on that element,
// so a rerun diffs against the graph on screen instead of building a new one.

const PLOTLY_SRC = "@PLOTLY_SRC@";
const DEFAULT_HEIGHT = 450; // plotly.js's own default

// plotly.js from the app's static folder, loaded once by a single script tag whose
// promise every chart on the page shares (it survives this module being re-imported).
function loadPlotly() {
  if (!window.__lrlabPlotly) {
    window.__lrlabPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = PLOTLY_SRC;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.__lrlabPlotly = undefined; // the next chart tries again
        script.remove();
        reject(new Error(`plotly.js did not load from ${PLOTLY_SRC}`));
      };
      document.head.appendChild(script);
    });
  }
  return window.__lrlabPlotly;
}

// Charts on this page by key: an animated chart moves the step marker of the chart it
// "follows", and the keyboard drives the first animated chart.
const charts = (window.__lrlabCharts = window.__lrlabCharts || new Map());
const PRESENT_FONT_SCALE = 1.3; // 15-17 px chart text -> 20-22 px, as the page's body text
const COARSE = window.matchMedia && window.matchMedia("(pointer: coarse)").matches; // a phone or tablet

// Every font size in a layout, scaled (a copy: the figure on record is left as sent).
function scaleFonts(value, scale, inFont = false) {
  if (Array.isArray(value)) return value.map((v) => scaleFonts(v, scale, inFont));
  if (!value || typeof value !== "object") return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (inFont && k === "size" && typeof v === "number") out[k] = Math.round(v * scale);
    else out[k] = scaleFonts(v, scale, /font$/i.test(k));
  }
  return out;
}

class Chart {
  constructor(parent) {
    this.div = document.createElement("div");
    this.div.className = "lrlab-chart";
    this.div.style.width = "100%";
    // What Plotly redraws in here does not make the browser lay out or repaint the rest
    // of the page, which Plotly's text measuring would otherwise force again and again.
    this.div.style.contain = "layout paint style";
    parent.appendChild(this.div);
    this.pending = null; // the newest data not drawn yet
    this.shown = null; // the data on screen
    this.running = false;
    this.width = 0; // the column's width, from the resize observer
    this.drawnWidth = undefined;
    this.observer = new ResizeObserver((entries) => this.resized(entries[0].contentRect.width));
    this.observer.observe(this.div);
    this.key = null;
    this.frames = []; // frame names, in order (the step numbers)
    this.frameIndex = -1; // the frame on screen
    this.speed = 1;
    this.playing = false;
    this.autoplayed = null; // the last autoplay token played
    this.last = null; // the newest data received (its texts are the page's language)
    this.touchZoom = false; // on a touch screen, dragging scrolls the page unless asked
    this.listening = false;
  }

  // A text Python sent in the page's language (see ui/charts.py); ``fallback`` (no words) if none came.
  text(name, fallback) {
    const texts = this.last && this.last.texts;
    return (texts && texts[name]) || fallback;
  }

  update(data) {
    this.last = data;
    this.pending = data;
    if (!this.running) this.run();
  }

  // Draws the newest data, one Plotly call at a time: data that arrives while a draw is
  // running replaces whatever was waiting, so a fast slider never queues stale figures.
  async run() {
    this.running = true;
    try {
      const Plotly = await loadPlotly();
      while (this.pending) {
        const data = this.pending;
        this.pending = null;
        await this.draw(Plotly, data);
        this.shown = data;
      }
    } catch (err) {
      console.error("lrlab chart:", err);
      this.div.textContent = this.text("failed", "{error}").replace("{error}", err.message);
    } finally {
      this.running = false;
    }
  }

  async draw(Plotly, data) {
    const { figure, config, height, present, key } = data;
    if (key && this.key !== key) {
      if (this.key) charts.delete(this.key);
      this.key = key;
      charts.set(key, this);
    }
    this.present = !!present;
    if (this.present) window.__lrlabPresent = true;
    let layout = { ...figure.layout };
    if (this.present) layout = scaleFonts(layout, PRESENT_FONT_SCALE);
    if (COARSE && !this.touchZoom) layout.dragmode = false; // a swipe scrolls the page
    const speeds = (layout.meta && layout.meta.playback && layout.meta.playback.speeds) || [];
    const speedMenu = (layout.updatemenus || []).findIndex((m) => m.name === "speed");
    if (speedMenu >= 0 && speeds.includes(this.speed)) {
      // Keep the speed the viewer chose across redraws, and Play's frame time with it.
      layout.updatemenus = layout.updatemenus.map((m, i) => (i === speedMenu ? { ...m, active: speeds.indexOf(this.speed) } : m));
      this.applySpeedToPlay(layout);
    }
    layout.height = height || layout.height || DEFAULT_HEIGHT;
    if (!layout.width) {
      // The column's width, as the resize observer last saw it (read once otherwise).
      layout.width = this.width || this.div.clientWidth || undefined;
    }
    this.drawnWidth = layout.width;
    const px = `${layout.height}px`;
    if (this.div.style.height !== px) this.div.style.height = px;
    // A running animation would go on drawing the old frames over the new data.
    const t = this.div._transitionData;
    if (t && (t._animationRaf || (t._frameQueue && t._frameQueue.length))) {
      await Plotly.animate(this.div, [], { mode: "immediate" }).catch(() => {});
    }
    // An empty frame list still replaces the old frames.
    const plotConfig = { ...(config || {}) };
    if (COARSE) plotConfig.scrollZoom = false;
    await Plotly.react(this.div, { data: figure.data, layout, frames: figure.frames || [], config: plotConfig });
    this.frames = (figure.frames || []).map((f) => f.name);
    const slider = (layout.sliders || [])[0];
    this.frameIndex = this.frames.length ? (slider && slider.active != null ? slider.active : this.frames.length - 1) : -1;
    this.listen();
    if (COARSE && this.frames.length) this.addTouchToggle();
    // A new figure opens on its last frame, where the followed chart's marker already is.
    if (this.frames.length && this.frameIndex !== this.frames.length - 1) this.moveMarker();
    if (data.autoplay && data.autoplay !== this.autoplayed) {
      this.autoplayed = data.autoplay;
      this.play(true);
    }
  }

  // ------------------------------------------------------------------ playback
  listen() {
    if (this.listening) return;
    this.listening = true;
    this.div.on("plotly_animatingframe", (e) => {
      const i = this.frames.indexOf(e.name);
      if (i >= 0) {
        this.frameIndex = i;
        this.moveMarker();
      }
    });
    this.div.on("plotly_animated", () => (this.playing = false));
    this.div.on("plotly_animationinterrupted", () => (this.playing = false));
    this.div.on("plotly_sliderchange", (e) => {
      const i = this.frames.indexOf(e.step && (e.step.label || (e.step.args && e.step.args[0] && e.step.args[0][0])));
      if (i >= 0) {
        this.frameIndex = i;
        this.moveMarker();
      }
    });
    this.div.on("plotly_buttonclicked", (e) => {
      if (!e.menu) return;
      if (e.menu.name === "speed") {
        const speeds = this.meta("playback").speeds || [];
        this.speed = speeds[e.active] || 1;
        const layout = { updatemenus: this.div.layout.updatemenus };
        this.applySpeedToPlay(layout, true);
        this.playing = true; // the button itself plays on from the frame shown, at its speed
      } else if (e.button && e.button.method === "animate") {
        this.playing = e.button.args[0] === null; // Play (null: every frame); Pause is [null]
      }
    });
  }

  meta(name) {
    const m = this.div.layout && this.div.layout.meta;
    return (m && m[name]) || {};
  }

  frameMs() {
    return (this.meta("playback").frame_ms || 300) / this.speed;
  }

  applySpeedToPlay(layout, relayout = false) {
    const ms = (((layout.meta || this.div.layout.meta || {}).playback || {}).frame_ms || 300) / this.speed;
    const menus = layout.updatemenus || [];
    const i = menus.findIndex((m) => m.name !== "speed" && m.buttons && m.buttons[0] && m.buttons[0].method === "animate");
    if (i < 0) return;
    if (relayout) {
      window.Plotly.relayout(this.div, { [`updatemenus[${i}].buttons[0].args[1].frame.duration`]: ms });
    } else {
      const buttons = menus[i].buttons.map((b, j) =>
        j === 0 ? { ...b, args: [b.args[0], { ...b.args[1], frame: { ...b.args[1].frame, duration: ms } }] } : b,
      );
      layout.updatemenus = menus.map((m, k) => (k === i ? { ...m, buttons } : m));
    }
  }

  // Play from the start (or on from the frame shown, unless it is the last).
  play(fromStart) {
    const Plotly = window.Plotly;
    if (!Plotly || !this.frames.length) return;
    const at = fromStart || this.frameIndex >= this.frames.length - 1 ? 0 : this.frameIndex;
    this.playing = true;
    Plotly.animate(this.div, this.frames.slice(at), {
      frame: { duration: this.frameMs(), redraw: false },
      transition: { duration: 0 },
      mode: "immediate",
    }).catch(() => {});
  }

  pause() {
    this.playing = false;
    if (window.Plotly) window.Plotly.animate(this.div, [null], { mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 } }).catch(() => {});
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play(false);
  }

  stepBy(delta) {
    if (!this.frames.length || !window.Plotly) return;
    this.pause();
    const i = Math.max(0, Math.min(this.frames.length - 1, this.frameIndex + delta));
    this.frameIndex = i;
    window.Plotly.animate(this.div, [this.frames[i]], { mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 } }).catch(() => {});
    this.syncSlider();
    this.moveMarker();
  }

  syncSlider() {
    const sliders = this.div.layout.sliders;
    if (sliders && sliders.length && sliders[0].active !== this.frameIndex) {
      window.Plotly.relayout(this.div, { "sliders[0].active": this.frameIndex });
    }
  }

  // The followed chart's step marker: a vertical line and the losses there.
  moveMarker() {
    const data = this.pending || this.shown;
    const follow = data && data.follow && charts.get(data.follow);
    const texts = this.meta("readout");
    if (!follow || !follow.div.layout || !Array.isArray(texts) || this.frameIndex < 0) return;
    const marker = (follow.div.layout.meta || {}).marker;
    if (!marker) return;
    const step = Number(this.frames[this.frameIndex]);
    window.Plotly.relayout(follow.div, {
      [`shapes[${marker.shape}].x0`]: step,
      [`shapes[${marker.shape}].x1`]: step,
      [`annotations[${marker.annotation}].text`]: texts[this.frameIndex],
    }).catch(() => {});
  }

  touchText() {
    return this.touchZoom ? this.text("scroll", "↕") : this.text("zoom", "🔍");
  }

  // On a touch screen: a small button that lets a drag zoom the chart instead of scrolling.
  addTouchToggle() {
    if (this.touchButton) {
      this.touchButton.textContent = this.touchText(); // the language may have changed
      return;
    }
    const b = (this.touchButton = document.createElement("button"));
    b.type = "button";
    b.className = "lrlab-touch-zoom";
    b.textContent = this.touchText();
    b.style.cssText = "position:absolute;top:4px;right:4px;z-index:5;font:inherit;font-size:14px;padding:2px 8px;border-radius:6px;border:1px solid #999;background:#fff";
    this.div.style.position = "relative";
    b.addEventListener("click", () => {
      this.touchZoom = !this.touchZoom;
      b.textContent = this.touchText();
      window.Plotly.relayout(this.div, { dragmode: this.touchZoom ? "zoom" : false });
    });
    this.div.appendChild(b);
  }

  resized(width) {
    width = Math.round(width);
    if (!width || width === this.width) return;
    this.width = width;
    const last = this.pending || this.shown;
    if (last && !last.figure.layout.width && this.drawnWidth !== width) this.update(last);
  }

  destroy() {
    if (this.key && charts.get(this.key) === this) charts.delete(this.key);
    this.observer.disconnect();
    if (window.Plotly) window.Plotly.purge(this.div);
    this.div.remove();
  }
}

// ---------------------------------------------------------------------- keyboard
// While presenting: Space plays or pauses, the arrows step one frame, N and B click the
// lesson's Next and Back. Handled here, in the browser: a rerun per key press is too slow.
// A focused slider gives its arrows up (capture phase); a text field keeps every key.
function typing(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  if (el.tagName !== "INPUT") return false;
  return !["checkbox", "radio", "range", "button", "submit"].includes((el.type || "text").toLowerCase());
}

function animated() {
  for (const chart of charts.values()) if (chart.frames.length && chart.div.isConnected) return chart;
  return null;
}

function clickButton(key) {
  const button = document.querySelector(`.st-key-${key} button`);
  if (button && !button.disabled) button.click();
  return !!button;
}

function onKey(e) {
  if (!window.__lrlabPresent || e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) return;
  const chart = animated();
  let handled = true;
  if (e.key === " " && chart) chart.toggle();
  else if (e.key === "ArrowRight" && chart) chart.stepBy(1);
  else if (e.key === "ArrowLeft" && chart) chart.stepBy(-1);
  else if (e.key === "n" || e.key === "N") handled = clickButton("lesson_next");
  else if (e.key === "b" || e.key === "B") handled = clickButton("lesson_back");
  else handled = false;
  if (handled) {
    e.preventDefault();
    e.stopPropagation();
  }
}

if (!window.__lrlabKeys) {
  window.__lrlabKeys = true;
  document.addEventListener("keydown", onKey, true);
}

export default function (component) {
  const { data, parentElement } = component;
  let chart = parentElement.__lrlabChart;
  if (!chart) chart = parentElement.__lrlabChart = new Chart(parentElement);
  chart.update(data);
  // Streamlit calls the cleanup of a superseded update too; only a chart whose element
  // has left the page is torn down.
  return () => {
    setTimeout(() => {
      if (!parentElement.isConnected && parentElement.__lrlabChart === chart) {
        delete parentElement.__lrlabChart;
        chart.destroy();
      }
    }, 0);
  };
}
