import { AmeideError, type FieldViolation } from '@ameide/errors';

/** An amount in minor units (cents) of an ISO 4217 currency. */
export interface Money {
  readonly currency: string;
  readonly amountMinor: bigint;
}

const CURRENCY = /^[A-Z]{3}$/;
/** Largest amount accepted anywhere: keeps every sum inside int64. */
export const MAX_AMOUNT_MINOR = 10n ** 15n;

/** Field violations of a currency code (empty when valid). */
export function currencyViolations(currency: string, field: string): FieldViolation[] {
  if (currency === '') return [{ field, description: 'is required (ISO 4217 code, e.g. EUR)' }];
  if (!CURRENCY.test(currency))
    return [
      {
        field,
        description: `must be an ISO 4217 code of three capital letters, got ${JSON.stringify(currency)}`,
      },
    ];
  return [];
}

/**
 * Field violations of an amount given as proto `Money` (undefined when missing).
 * `field` is its path, e.g. `unit_price`.
 */
export function moneyViolations(
  money: { currency: string; amountMinor: bigint } | undefined,
  field: string,
  rules: { currency?: string; positive?: boolean } = {},
): FieldViolation[] {
  if (money === undefined) return [{ field, description: 'is required' }];
  const violations = currencyViolations(money.currency, `${field}.currency`);
  if (
    violations.length === 0 &&
    rules.currency !== undefined &&
    money.currency !== rules.currency
  ) {
    violations.push({
      field: `${field}.currency`,
      description: `must be ${rules.currency}, got ${money.currency}`,
    });
  }
  if (money.amountMinor < 0n)
    violations.push({ field: `${field}.amount_minor`, description: 'must not be negative' });
  else if (rules.positive && money.amountMinor === 0n)
    violations.push({ field: `${field}.amount_minor`, description: 'must be positive' });
  if (money.amountMinor > MAX_AMOUNT_MINOR)
    violations.push({
      field: `${field}.amount_minor`,
      description: `must be at most ${MAX_AMOUNT_MINOR}`,
    });
  return violations;
}

/** Throws `invalid_argument` listing every violation, when there is any. */
export function refuseInvalid(message: string, violations: readonly FieldViolation[]): void {
  if (violations.length > 0)
    throw AmeideError.invalidArgument(
      `${message}: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
      violations,
    );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Violations of a required uuid field. */
export function uuidViolations(value: string, field: string): FieldViolation[] {
  if (value === '') return [{ field, description: 'is required' }];
  if (!UUID.test(value))
    return [{ field, description: `must be a UUID, got ${JSON.stringify(value.slice(0, 60))}` }];
  return [];
}

/** Violations of a required text field of at most `max` characters. */
export function textViolations(value: string, field: string, max: number): FieldViolation[] {
  if (value.trim() === '') return [{ field, description: 'is required' }];
  if (value.length > max) return [{ field, description: `must be at most ${max} characters` }];
  return [];
}
