import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './mosquitto';
import { run } from './run';

/** A PostgreSQL server of its own, on loopback, for one test file. */
export interface Postgres {
  /** A connection string for the `postgres` superuser (trusted on loopback, no password). */
  readonly url: string;
  /** The psql program of the same version. */
  readonly psql: string;
  /** Runs SQL with psql and returns its unaligned output. */
  sql(query: string): string;
  /** Stops the server and removes its data. */
  stop(): void;
}

/** Where Debian's packages put the server programs (`postgresql` installs the current major version). */
const PG_LIB = '/usr/lib/postgresql';

/**
 * Starts PostgreSQL from Debian's packages (scripts/test-deps.sh installs them) in a temporary data
 * directory, listening on 127.0.0.1 on a free port and nowhere else. The server refuses to run as
 * root, so as root it runs as the `postgres` user the package creates.
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = serverBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-pg-'));
  const asServer = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asServer.length > 0) run('chown', ['-R', 'postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const pg = (program: string, ...args: string[]) => {
    const [command, ...rest] = [...asServer, path.join(bin, program), ...args];
    return run(command, rest);
  };

  pg('initdb', '--pgdata', data, '--username', 'postgres', '--auth', 'trust', '--no-sync', '--no-instructions');
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
  pg('pg_ctl', '--pgdata', data, '--log', path.join(dir, 'server.log'), '--options', options, '--wait', 'start');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
  const psql = path.join(bin, 'psql');
  return {
    url,
    psql,
    sql: (query) => execFileSync(psql, ['--no-psqlrc', '--tuples-only', '--no-align', '--command', query, url], { encoding: 'utf8' }).trim(),
    stop: () => {
      pg('pg_ctl', '--pgdata', data, '--mode', 'immediate', 'stop');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The bin directory of the newest PostgreSQL installed. */
function serverBin(): string {
  const versions = fs.existsSync(PG_LIB) ? fs.readdirSync(PG_LIB).filter((v) => fs.existsSync(path.join(PG_LIB, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${PG_LIB}: run scripts/test-deps.sh (it installs the Debian package postgresql)`);
  return path.join(PG_LIB, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}
