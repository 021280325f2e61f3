const fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * The text decoder the host gives connect-es's JSON codec. JSON text must be
 * UTF-8 (RFC 8259); a plain TextDecoder turns invalid bytes into U+FFFD
 * silently, and the replacement characters would be stored as if the caller
 * had sent them. connect-es answers a decoder error `invalid_argument`.
 */
export const strictUtf8Decoder = {
  decode(bytes: Uint8Array): string {
    try {
      return fatal.decode(bytes);
    } catch {
      throw new Error('request body is not valid UTF-8 (JSON text must be UTF-8)');
    }
  },
};

/**
 * connect-es JSON options with {@link strictUtf8Decoder}. Its JSON codec reads
 * `textDecoder` from these options although the option types do not declare
 * it; the host's tests fail if that ever changes.
 */
export function strictJsonOptions<T extends object>(options: T): T {
  return Object.assign({ textDecoder: strictUtf8Decoder }, options);
}
