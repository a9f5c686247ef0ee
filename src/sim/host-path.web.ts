/**
 * The browser's twin of host-path.ts: a page has no folders, so a path is
 * taken as written (whatever would open it then says it cannot).
 */

export function folderOf(_file: string): string {
  return ".";
}

export function joinPath(_folder: string, path: string): string {
  return path;
}

export function resolvePath(_base: string | undefined, path: string): string {
  return path;
}
