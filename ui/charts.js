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
  }

  update(data) {
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
      this.div.textContent = `The chart could not be drawn: ${err.message}`;
    } finally {
      this.running = false;
    }
  }

  async draw(Plotly, { figure, config, height }) {
    const layout = { ...figure.layout };
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
    await Plotly.react(this.div, { data: figure.data, layout, frames: figure.frames || [], config: config || {} });
  }

  resized(width) {
    width = Math.round(width);
    if (!width || width === this.width) return;
    this.width = width;
    const last = this.pending || this.shown;
    if (last && !last.figure.layout.width && this.drawnWidth !== width) this.update(last);
  }

  destroy() {
    this.observer.disconnect();
    if (window.Plotly) window.Plotly.purge(this.div);
    this.div.remove();
  }
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
