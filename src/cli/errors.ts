/**
 * One clear line for an error the CLI did not anticipate: file-system errors (EACCES, EISDIR, ENOSPC, …) say what
 * could not be done to which path in words instead of Node's raw "EACCES: permission denied, open '…'".
 */
const WHY: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'it already exists',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EXDEV: 'it is on another file system',
  ENOTEMPTY: 'the directory is not empty',
};

const VERB: Record<string, string> = {
  open: 'open', read: 'read', write: 'write', mkdir: 'create the directory', rename: 'rename', unlink: 'delete',
  rmdir: 'delete the directory', rm: 'delete', scandir: 'list', stat: 'read', lstat: 'read', access: 'access', copyfile: 'copy',
};

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const err = e as NodeJS.ErrnoException & { dest?: string };
  if (err.code && WHY[err.code]) {
    const verb = err.syscall ? (VERB[err.syscall] ?? err.syscall) : 'use';
    const what = err.path ? ` ${err.path}${err.dest ? ` → ${err.dest}` : ''}` : '';
    return `cannot ${verb}${what}: ${WHY[err.code]}`;
  }
  return err.message;
}
