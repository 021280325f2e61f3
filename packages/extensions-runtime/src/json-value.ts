/** A value JSON can carry: what extensions take, return and send to host calls. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
