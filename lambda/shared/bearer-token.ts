/** The token of an `Authorization: Bearer <token>` header (either case of the header name), or undefined. */
export function bearerToken(headers: Readonly<Record<string, string | undefined>> | undefined): string | undefined {
  const value = headers?.authorization ?? headers?.Authorization;
  return /^\s*Bearer[ ]+(\S+)\s*$/i.exec(value ?? '')?.[1];
}
