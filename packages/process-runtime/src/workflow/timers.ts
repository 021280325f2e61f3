import type { IsoDuration, PlanTimer } from '@ameide/process-definition/plan';

/** `at` plus an ISO duration, with calendar months/years in UTC. Pure. */
export function addDuration(at: number, d: IsoDuration): number {
  const date = new Date(at);
  if (d.years !== 0 || d.months !== 0) {
    const day = date.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + d.years * 12 + d.months);
    const lastDay = new Date(
      Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0),
    ).getUTCDate();
    date.setUTCDate(Math.min(day, lastDay));
  }
  const ms = ((((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return date.getTime() + ms;
}

/** When a timer entered at `now` fires first (epoch ms). */
export function firstFiring(timer: PlanTimer, now: number): number {
  switch (timer.type) {
    case 'duration':
      return timer.ms !== undefined ? now + timer.ms : addDuration(now, timer.duration);
    case 'date':
      return timer.epochMs;
    case 'cycle':
      return timer.startEpochMs ?? nextFiring(timer, now);
  }
}

/** The cycle's next firing after one at `previous`. */
export function nextFiring(timer: Extract<PlanTimer, { type: 'cycle' }>, previous: number): number {
  return timer.intervalMs !== undefined
    ? previous + timer.intervalMs
    : addDuration(previous, timer.interval);
}
