import type { EventEnvelope } from '../envelope/event-envelope.js';

// Subject tokens may not contain '.', '*', '>' or whitespace; tenant ids may
// contain '.', so it is escaped (and '%' with it, to stay reversible).
function escapeToken(value: string): string {
  return value
    .replace(/%/g, '%25')
    .replace(/\./g, '%2E')
    .replace(/\*/g, '%2A')
    .replace(/>/g, '%3E')
    .replace(/\s/g, '_');
}

/** Reverses the escaping of a subject token. */
export function unescapeToken(token: string): string {
  return token.replace(/%2E/g, '.').replace(/%2A/g, '*').replace(/%3E/g, '>').replace(/%25/g, '%');
}

/**
 * `<prefix>.<tenant>.<domain>.<type without the domain>`, e.g.
 * `events.acme.sales.order.confirmed.v1` for `sales.order.confirmed.v1`.
 */
export function eventSubject(
  prefix: string,
  envelope: Pick<EventEnvelope, 'tenantId' | 'domain' | 'type'>,
): string {
  const type = envelope.type.startsWith(`${envelope.domain}.`)
    ? envelope.type.slice(envelope.domain.length + 1)
    : envelope.type;
  return `${prefix}.${escapeToken(envelope.tenantId || '_')}.${escapeToken(envelope.domain)}.${type}`;
}

/** The tenant token of a subject made by {@link eventSubject}. */
export function tenantOfSubject(prefix: string, subject: string): string | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const token = subject.slice(prefix.length + 1).split('.')[0];
  return token === undefined ? undefined : unescapeToken(token);
}
