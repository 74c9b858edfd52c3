import type { Organization } from "../organizations/index.js";

const COLOR = /^#[0-9a-f]{6}$/;

/** WCAG relative luminance of an sRGB colour `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** White on the colour when that reads at 4.5:1 or better (WCAG AA), else the page's dark ink. */
function inkOn(hex: string): string {
  const contrastWithWhite = 1.05 / (luminance(hex) + 0.05);
  return contrastWithWhite >= 4.5 ? "#ffffff" : "#1b1f24";
}

/**
 * The merchant's colour as a stylesheet: buttons in it, with text that stays readable on it. Served from
 * Glade's own origin (the page's policy allows no inline style); the colour is checked again here, so nothing
 * but `#rrggbb` ever reaches CSS.
 */
export function brandStylesheet(color: string): string | null {
  if (!COLOR.test(color)) return null;
  const ink = inkOn(color);
  return `button:not(.secondary):not([disabled]){background:${color};color:${ink}}
button.secondary{color:${color};border-color:${color}}
.inline button{background:${color};color:${ink}}
`;
}

export function brandStylesheetUrl(organizationId: string, color: string): string {
  return `/checkout/brand/${organizationId}/${color.slice(1)}.css`;
}

/** What the hosted page shows of the merchant's look (Settings in the dashboard). */
export function brandOf(org: Pick<Organization, "id" | "brandColor" | "logoUrl"> | undefined): {
  stylesheet: string | null;
  logoUrl: string | null;
} {
  const color = org?.brandColor ?? null;
  return {
    stylesheet: org && color && COLOR.test(color) ? brandStylesheetUrl(org.id, color) : null,
    logoUrl: org?.logoUrl?.startsWith("https://") ? org.logoUrl : null,
  };
}
