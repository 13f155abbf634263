/** The notification text every target carries: a sequence number and the send time, padded to a realistic size. */

const PAD = "Ada replied to your comment on the quarterly plan: looks good, ship it on Thursday";

/** Builds the message for event `seq` sent at `sentAt` (ms, shared clock). */
export function makeMessage(seq: number, sentAt: number): string {
  return `bench ${seq} ${sentAt.toFixed(3)} ${PAD}`;
}

/** Reads back seq and send time; null when the text is not one of ours. */
export function parseMessage(message: string): { seq: number; sentAt: number } | null {
  const a = message.indexOf(" ");
  const b = message.indexOf(" ", a + 1);
  const c = message.indexOf(" ", b + 1);
  if (a < 0 || b < 0 || c < 0 || message.slice(0, a) !== "bench") return null;
  const seq = Number(message.slice(a + 1, b));
  const sentAt = Number(message.slice(b + 1, c));
  return Number.isFinite(seq) && Number.isFinite(sentAt) ? { seq, sentAt } : null;
}
