import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Where tests keep their SQLite files: in memory (/dev/shm) when the machine has it. Every commit of
 * `synchronous = FULL` waits for the disk (about a millisecond here), and the suite makes tens of
 * thousands of them; a process killed with SIGKILL loses nothing either way, only a machine crash
 * would, and no test crashes the machine.
 */
export function scratchRoot(): string {
  root ??= inMemory() ? '/dev/shm' : tmpdir();
  return root;
}
let root: string | undefined;

function inMemory(): boolean {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return statSync('/dev/shm').isDirectory();
  } catch {
    return false;
  }
}
