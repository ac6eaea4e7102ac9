import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployMarker, DeployOutcome, INCOMPLETE_MARKER } from '../app/deploy-marker';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-marker-'));
/** A process id that was just used and is gone now. */
const goneProcess = () => spawnSync('true').pid!;
const line = (pid: number) => `deploy ${pid} on ${os.hostname()} started 2026-01-01T00:00:00Z`;

describe('DeployMarker: DEPLOY-INCOMPLETE shared by every deploy that may be writing', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tmpDir();
    file = path.join(dir, INCOMPLETE_MARKER);
  });

  /** Adds another deploy's line to the marker, as that deploy's begin() would. */
  const listOther = (pid: number) => fs.appendFileSync(file, `${line(pid)}\n`);

  test('says when and where the deploy started and not to copy the files, and lists it', async () => {
    await new DeployMarker(dir, new Date('2026-11-23T20:08:52.123Z')).begin(false);
    expect(fs.readFileSync(file, 'utf8')).toBe(
      `A chariot-tls deploy started at 2026-11-23T20:08:52Z on ${os.hostname()} has not finished.\n` +
        'The files in this directory may be a mix of old and new certificates and keys, or be missing:\n' +
        'do not copy them to Chariot, MQTT Engine or MQTT Transmission. Run `npm run deploy` again;\n' +
        'it completes the set and removes this file.\n\n' +
        "Deploys not finished (each removes its own line when it ends; one that succeeds also removes those of deploys that are gone):\n" +
        `deploy ${process.pid} on ${os.hostname()} started 2026-11-23T20:08:52Z\n`,
    );
  });

  test('a deploy that succeeds alone removes the marker', async () => {
    const marker = new DeployMarker(dir);
    await marker.begin(false);
    await marker.end(DeployOutcome.SUCCEEDED);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a deploy that succeeds while another is still running leaves the marker to it (finding 4)', async () => {
    const other = new DeployMarker(dir);
    await other.begin(false);
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      listOther(sleeper.pid!);
      await other.end(DeployOutcome.SUCCEEDED);
      expect(fs.readFileSync(file, 'utf8')).toContain(line(sleeper.pid!));
      expect(fs.readFileSync(file, 'utf8')).not.toContain(`deploy ${process.pid} `);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  test('a deploy that succeeds removes the lines of deploys that are gone', async () => {
    const marker = new DeployMarker(dir);
    await marker.begin(false);
    listOther(goneProcess());
    await marker.end(DeployOutcome.SUCCEEDED);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a deploy that changed nothing removes its own line only: a killed deploy\'s line keeps the marker', async () => {
    const marker = new DeployMarker(dir);
    await marker.begin(false);
    listOther(goneProcess());
    await marker.end(DeployOutcome.CHANGED_NOTHING);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(`deploy ${process.pid} `);
    expect(fs.existsSync(file)).toBe(true);
  });

  test('a deploy that changed nothing, alone, removes the marker', async () => {
    const marker = new DeployMarker(dir);
    await marker.begin(false);
    await marker.end(DeployOutcome.CHANGED_NOTHING);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('an unfinished deploy keeps its line', async () => {
    const marker = new DeployMarker(dir);
    await marker.begin(false);
    await marker.end(DeployOutcome.UNFINISHED);
    expect(fs.readFileSync(file, 'utf8')).toContain(`deploy ${process.pid} `);
  });

  test('a marker without a list (an older version) stands for an unfinished deploy, which only a success clears', async () => {
    fs.writeFileSync(file, 'A chariot-tls deploy started at 2026-01-01T00:00:00Z on old has not finished.\n');
    const failed = new DeployMarker(dir);
    await failed.begin(false);
    await failed.end(DeployOutcome.CHANGED_NOTHING);
    expect(fs.existsSync(file)).toBe(true);
    const succeeded = new DeployMarker(dir);
    await succeeded.begin(false);
    await succeeded.end(DeployOutcome.SUCCEEDED);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a first deploy that was cut short is still known as one by the next deploy, until one succeeds', async () => {
    const first = new DeployMarker(dir);
    expect(await first.begin(true)).toBe(true);
    await first.end(DeployOutcome.UNFINISHED);
    // The next deploy finds CA files on disk (firstDeploy false), but the marker remembers.
    const next = new DeployMarker(dir, new Date(Date.now() + 1000));
    expect(await next.begin(false)).toBe(true);
    await next.end(DeployOutcome.SUCCEEDED);
    expect(await new DeployMarker(dir).begin(false)).toBe(false);
  });
});
