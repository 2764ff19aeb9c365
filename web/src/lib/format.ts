/** Dates and times for people: in the account's time zone when known, else the browser's. */
export function dateTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}

/** A calendar date ("2026-12-15") as itself, without shifting it through a time zone. */
export function calendarDate(isoDate: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${isoDate}T00:00:00Z`));
}

export function timeRange(startIso: string, endIso: string, timeZone?: string): string {
  const day = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeZone }).format(new Date(startIso));
  const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone });
  return `${day}, ${time.format(new Date(startIso))} to ${time.format(new Date(endIso))}`;
}

const UNITS = ["bytes", "KB", "MB", "GB", "TB"];

export function bytes(count: number): string {
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

export function cents(amount: number, currency = "USD"): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount / 100);
}

/** "/billing" from `?next=`, never another origin. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

/** "79.99", "$1,079.5" or "80" as cents; null when it is not an amount. */
export function parseCents(text: string): number | null {
  const cleaned = text.replace(/[$,\s]/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole = "0", fraction = ""] = cleaned.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

export function centsInput(amount: number): string {
  return (amount / 100).toFixed(2);
}

const BRANDS: Record<string, string> = { visa: "Visa", mastercard: "Mastercard", amex: "American Express" };

/** "Visa ending 4242" or "Sandbox Bank account ending 6789". */
export function methodName(method: { kind: string; brand: string | null; last4: string }): string {
  const brand = method.brand ? (BRANDS[method.brand.toLowerCase()] ?? method.brand) : null;
  if (method.kind === "BANK_ACCOUNT") return `${brand ?? "Bank"} account ending ${method.last4}`;
  return `${brand ?? "Card"} ending ${method.last4}`;
}

/** The UTC instant of a wall-clock time in an IANA time zone (no library: two offset corrections). */
export function zonedTimeToUtc(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const wanted = Date.UTC(year, month - 1, day, hour);
  let guess = wanted;
  for (let step = 0; step < 3; step += 1) {
    const shown = wallClockOf(new Date(guess), timeZone);
    const diff = wanted - shown;
    if (diff === 0) break;
    guess += diff;
  }
  return new Date(guess);
}

function wallClockOf(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((item) => item.type === type)?.value ?? 0);
  return Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"));
}

/** Today's calendar date in a time zone, as [year, month, day]. */
export function todayIn(timeZone: string): [number, number, number] {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" }).formatToParts(
    new Date(),
  );
  const part = (type: string) => Number(parts.find((item) => item.type === type)?.value ?? 0);
  return [part("year"), part("month"), part("day")];
}

const SERVICE_KINDS: Record<string, string> = { INTERNET: "Internet", TV: "TV", PHONE: "Phone" };

/** "Internet", "TV", "Phone" (and "Home security" for HOME_SECURITY): a service's kind as a member reads it. */
export function serviceKindName(kind: string): string {
  return SERVICE_KINDS[kind] ?? kind.charAt(0) + kind.slice(1).toLowerCase().replace(/_/g, " ");
}

/** "Central Time" for "America/Chicago": a time zone as people call it, else its IANA name in words. */
export function timeZoneName(timeZone: string): string {
  const named = new Intl.DateTimeFormat(undefined, { timeZone, timeZoneName: "longGeneric" })
    .formatToParts(new Date())
    .find((part) => part.type === "timeZoneName")?.value;
  return named ?? timeZone.replace(/_/g, " ");
}
