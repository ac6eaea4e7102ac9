/**
 * API.md is the reference jsii-docgen generates from the JSDoc of lib/: this spec compiles lib/ with jsii
 * (which also proves the public API fits every jsii language) and fails when API.md differs.
 * After changing the public API or its docs: `npm run docgen`, and commit API.md.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

jest.setTimeout(180_000);

const PROJECT = path.resolve(__dirname, '..');

describe('the API reference', () => {
  test('lib/ compiles with jsii and API.md is the reference generated from it', () => {
    const result = spawnSync(process.execPath, [path.join(PROJECT, 'tools', 'jsii.js'), '--check'], { cwd: PROJECT, encoding: 'utf8' });
    // On failure the output says what differs (or what jsii refused) and how to fix it.
    expect({ status: result.status, output: result.stderr.trim() }).toEqual({ status: 0, output: expect.stringContaining('API.md is current') });
  });
});
