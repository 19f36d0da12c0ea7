// Files that hold credentials or the user's choices, written whole: mode 0600
// in a 0700 directory, write-then-rename so that a reader never sees half a
// file and a crash leaves the old one.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes text to path atomically and privately; the errno code of a failure is left to the caller's sentence. */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // A fresh name per write ('wx' refuses an existing file): overlapping
  // writes cannot share a temporary file, and its mode is the one given here.
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  await rename(tmp, path);
}
