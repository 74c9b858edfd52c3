import { html } from "hono/html";
import type { Html } from "../layout.js";

const WIDTH = 300;
const HEIGHT = 80;

/**
 * A bar chart drawn on the server as inline SVG (no script). The SVG is decoration for sighted readers
 * (aria-hidden); the same numbers are in the table next to it, which screen readers read instead.
 */
export function barChart(
  id: string,
  caption: string,
  labels: string[],
  values: number[],
  format: (n: number) => string,
): Html {
  const max = Math.max(0, ...values);
  const slot = WIDTH / Math.max(1, values.length);
  const bar = Math.max(1, slot * 0.75);
  const bars = values.map((v, i) => {
    const h = max > 0 ? Math.max(v > 0 ? 1 : 0, (Math.max(0, v) / max) * (HEIGHT - 2)) : 0;
    return html`<rect x="${(i * slot + (slot - bar) / 2).toFixed(2)}" y="${(HEIGHT - h).toFixed(2)}" width="${bar.toFixed(2)}" height="${h.toFixed(2)}"><title>${labels[i]}: ${format(v)}</title></rect>`;
  });
  return html`<div class="overview-chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" width="100%" height="${HEIGHT}" aria-hidden="true" focusable="false"><line x1="0" y1="${HEIGHT - 0.5}" x2="${WIDTH}" y2="${HEIGHT - 0.5}" class="overview-axis"></line>${bars}</svg>
<div class="overview-range" aria-hidden="true"><span>${labels[0] ?? ""}</span><span>${max > 0 ? `max ${format(max)}` : "none"}</span><span>${labels.at(-1) ?? ""}</span></div>
<table class="sr-only" id="${id}-table"><caption>${caption}</caption><thead><tr><th scope="col">Period starting</th><th scope="col">Value</th></tr></thead><tbody>${values.map((v, i) => html`<tr><th scope="row">${labels[i]}</th><td>${format(v)}</td></tr>`)}</tbody></table>
</div>`;
}
