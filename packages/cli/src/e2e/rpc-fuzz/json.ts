/** A JSON value as the Connect protocol carries it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
