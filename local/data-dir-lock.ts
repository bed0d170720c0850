import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in a data directory that names the process using it. */
export const LOCK_FILE = 'server.pid';

/** A data directory another live process holds. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`data directory ${dir} is in use by process ${pid}; stop that process or choose another data directory`);
    this.name = 'DataDirInUseError';
  }
}

/**
 * Claims `dir` for this process. Two processes on one directory would share one LevelDB, which
 * refuses the second with an uncaught "Database is closed" deep inside dynalite; this lock turns
 * that into a clear refusal naming the holder.
 *
 * The lock is a file holding our pid, written aside and hard-linked into place, so it appears
 * whole or not at all. A lock whose process is gone (a crash, kill -9) is taken over. Two starts
 * taking over the same stale lock at the same instant could both pass; LevelDB's own lock then
 * still stops the second, if only with dynalite's raw error.
 * @returns a release function, which removes the lock if it is still ours.
 * @throws DataDirInUseError while a live process holds the lock.
 */
export function lockDataDir(dir: string): () => void {
  const lock = join(dir, LOCK_FILE);
  const draft = join(dir, `${LOCK_FILE}.${process.pid}`);
  writeFileSync(draft, String(process.pid));
  try {
    for (;;) {
      try {
        linkSync(draft, lock);
        heldHere.add(lock);
        return () => {
          heldHere.delete(lock);
          if (holder(lock) === process.pid) rmSync(lock, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = holder(lock);
      // Our own pid in a lock we did not take is an earlier process's: containers reuse pids on restart.
      const live = pid === process.pid ? heldHere.has(lock) : pid !== undefined && isAlive(pid);
      if (live) throw new DataDirInUseError(dir, pid!);
      rmSync(lock, { force: true }); // stale: its process is gone
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Locks this process holds, to tell them from a lock left by an earlier process with our pid. */
const heldHere = new Set<string>();

/** The pid in a lock file; undefined if it is gone or holds no pid. */
function holder(lock: string): number | undefined {
  try {
    const text = readFileSync(lock, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but is another user's
  }
}
