/**
 * The locale a document is written for: the language most used in the customer's billing country
 * (`DE` → `de-DE`), from the runtime's own CLDR data; English (US) when the country is unknown.
 */
export function localeForCountry(country: string | null | undefined): string {
  if (!country || !/^[A-Za-z]{2}$/.test(country)) return "en-US";
  try {
    const likely = new Intl.Locale("und", { region: country.toUpperCase() }).maximize();
    return `${likely.language}-${likely.region ?? country.toUpperCase()}`;
  } catch {
    return "en-US";
  }
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** A calendar day as the locale writes it ("Dec 4, 2026", "4. Dez. 2026"), in UTC like every date Glade stores. */
export function formatDay(date: Date, locale = "en-US"): string {
  let formatter = dayFormatters.get(locale);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
    if (dayFormatters.size > 1_000) dayFormatters.clear();
    dayFormatters.set(locale, formatter);
  }
  return formatter.format(date);
}
