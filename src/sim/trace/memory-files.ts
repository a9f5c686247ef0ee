/**
 * Files held in memory by name, for a host with no file system: the
 * playground puts an uploaded trace here (already decompressed) and the
 * trace readers open it by that name through trace-input.web.ts.
 */
const files = new Map<string, Uint8Array>();

/** Makes `bytes` readable as the file `name` (replacing any file of that name). */
export function putMemoryFile(name: string, bytes: Uint8Array): void {
  files.set(name, bytes);
}

/** The bytes of the file `name`, or undefined. */
export function memoryFile(name: string): Uint8Array | undefined {
  return files.get(name);
}

/** Forgets the file `name`. */
export function dropMemoryFile(name: string): void {
  files.delete(name);
}
