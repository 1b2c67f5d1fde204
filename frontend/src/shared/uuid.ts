/**
 * A random (version 4) UUID for a record the client names itself (a visit, an assessment, a
 * report), so a retry of the same submission is stored once. `crypto.randomUUID` exists only in
 * secure contexts; a tablet on the office network over plain http has `getRandomValues` alone.
 */
export function newUuid(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
