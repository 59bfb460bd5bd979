/** A plain object whose fields can be read: not null, not an array. For data from outside (JSON, storage). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
