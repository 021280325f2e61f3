/**
 * Type OIDs whose JavaScript form differs between node-postgres and PGlite by
 * default, and the form both adapters use instead.
 */
export const INT8_OID = 20;
export const INT8_ARRAY_OID = 1016;
export const DATE_OID = 1082;
export const DATE_ARRAY_OID = 1182;
export const TEXT_ARRAY_OID = 1009;

/** `int8` as `bigint`: lossless, where the drivers disagree (string vs number). */
export const parseInt8 = (value: string): bigint => BigInt(value);

/** `date` as its `YYYY-MM-DD` text: a JS Date would add a time zone the column does not have. */
export const parseDate = (value: string): string => value;
