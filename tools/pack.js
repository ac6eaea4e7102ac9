#!/usr/bin/env node
/*
 * Packs the library for npm (npm run package): builds dist/, stages the package in .pack/ and runs `npm pack` there.
 *
 *   node tools/pack.js [--pack-destination DIR] [--json]
 *
 * Why a staged copy: npm always ships the package root's README.md and shows it as the package's page, and this
 * root's README.md is the ready app's (its two commands). The package's README is lib/README.md, which starts with
 * the construct API; .pack/ holds it as README.md, beside the files package.json's "files" names and the bundled
 * dependencies, with package.json minus the repository's scripts and devDependencies. A plain `npm pack` or
 * `npm publish` in the root is refused by its prepack, with this command as the fix.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const STAGE = path.join(ROOT, '.pack');
/** What the tarball holds besides dist/ and README.md; npm filters it again by "files". */
const COPIED = ['API.md', 'CHANGELOG.md', 'LICENSE', 'docs/package.md'];
/** package.json fields that belong to the repository, not to the package. */
const REPOSITORY_ONLY = ['scripts', 'devDependencies'];

function main(argv) {
  run('npm', ['run', '--silent', 'build'], ROOT);
  stage();
  const result = spawnSync('npm', ['pack', STAGE, ...argv], { cwd: process.cwd(), stdio: ['ignore', 'inherit', 'inherit'] });
  return result.status ?? 1;
}

function stage() {
  fs.rmSync(STAGE, { recursive: true, force: true });
  fs.mkdirSync(STAGE);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const field of REPOSITORY_ONLY) delete pkg[field];
  fs.writeFileSync(path.join(STAGE, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.copyFileSync(path.join(ROOT, 'lib', 'README.md'), path.join(STAGE, 'README.md'));
  fs.cpSync(path.join(ROOT, 'dist'), path.join(STAGE, 'dist'), { recursive: true });
  for (const file of COPIED) {
    if (!fs.existsSync(path.join(ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(STAGE, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(STAGE, file));
  }
  for (const name of pkg.bundleDependencies ?? []) copyInstalled(name, new Set());
}

/** An installed package and, recursively, its dependencies, from node_modules into .pack/node_modules. */
function copyInstalled(name, seen) {
  if (seen.has(name)) return;
  seen.add(name);
  const from = path.join(ROOT, 'node_modules', name);
  if (!fs.existsSync(from)) throw new Error(`bundled dependency ${name} is not installed: run npm ci`);
  fs.cpSync(from, path.join(STAGE, 'node_modules', name), { recursive: true });
  const installed = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
  for (const dependency of Object.keys(installed.dependencies ?? {})) copyInstalled(dependency, seen);
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

process.exitCode = main(process.argv.slice(2));
