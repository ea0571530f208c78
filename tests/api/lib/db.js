// db.js — direct SQL on the test server's store, for what the API cannot show or cannot wait for
// (aging a session by 11 minutes, a password by 91 days; reading a failure counter). Uses the
// sqlite3 or psql command-line client; sqlAvailable() says whether it can run here.
import { execFileSync } from 'node:child_process';
import { DATA, DB } from './client.js';

let available;
/** Whether SQL can be run: a data dir or PostgreSQL URL is known and the client is installed. */
export function sqlAvailable() {
  if (available === undefined) {
    available = false;
    if (DB || DATA)
      try {
        execFileSync(DB ? 'psql' : 'sqlite3', ['--version'], { stdio: 'ignore' });
        available = true;
      } catch {
        available = false;
      }
  }
  return available;
}

/** Why SQL tests are skipped, or false. */
export const sqlSkip = () => (sqlAvailable() ? false : 'no sqlite3/psql client or no JICENG_TEST_DATA/JICENG_TEST_DB');

/** Run one statement; returns its output (rows as "a|b" lines) trimmed. */
export function sql(statement) {
  if (DB) return execFileSync('psql', [DB, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' }).trim();
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', `${DATA}/jiceng.db`, statement], { encoding: 'utf8' }).trim();
}
