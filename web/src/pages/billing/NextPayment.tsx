import { calendarDate } from "../../lib/format";

interface Upcoming {
  amount: { amount: number; formatted: string };
  dueDate: string;
  autopay: boolean;
}

interface AutopayShape {
  enabled: boolean;
  daysBeforeDue: number;
  maxAmount?: { amount: number; formatted: string } | null;
}

/** The next payment and whether autopay takes it, or why not (off, or above its maximum). */
export function NextPayment({ next, autopay }: { next: Upcoming | null | undefined; autopay: AutopayShape | null | undefined }) {
  if (!next) return <>Nothing is due.</>;
  return (
    <>
      {next.amount.formatted} due {calendarDate(next.dueDate)}. {autopayWords(next, autopay)}
    </>
  );
}

function autopayWords(next: Upcoming, autopay: AutopayShape | null | undefined): string {
  if (next.autopay && autopay?.enabled) {
    const when = autopay.daysBeforeDue === 0 ? "on the due date" : `${daysText(autopay.daysBeforeDue)} before the due date`;
    return `Autopay will pay it ${when}.`;
  }
  if (next.autopay) return "Autopay will pay it.";
  if (autopay?.enabled && autopay.maxAmount && next.amount.amount > autopay.maxAmount.amount)
    return `Autopay will not pay it: it is above your autopay maximum of ${autopay.maxAmount.formatted}. Please pay it yourself.`;
  if (autopay?.enabled) return "Autopay will not pay it: please pay it yourself.";
  return "Autopay is off: please pay it yourself.";
}

export function daysText(count: number): string {
  return count === 1 ? "1 day" : `${count} days`;
}
