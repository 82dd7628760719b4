// Atomic writes: a file or a whole folder appears complete or not at all (temp + rename in the same directory).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes a file atomically: to a temp name beside it, then renamed over the target. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Fills a folder atomically: `fill` writes into a temp folder beside `dir`, which then replaces `dir`.
 * If `fill` throws (or the job is cancelled), the temp folder is removed and `dir` is untouched.
 */
export async function writeFolderAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    await fill(tmp);
    const old = fs.existsSync(dir) ? `${dir}.old-${process.pid}-${Date.now()}` : undefined;
    if (old) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
