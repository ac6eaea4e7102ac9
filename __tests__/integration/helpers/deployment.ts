import { ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunResult, run } from './run';

/** The project root, where `npm run deploy` runs. */
export const PROJECT = path.resolve(__dirname, '../../..');

/** Options of `npm run deploy` and `npm run plan` in a deployment. */
export interface NpmOptions {
  /** Return a failed run instead of throwing. */
  readonly allowFailure?: boolean;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** Extra arguments, after the output directory (`--verbose`). */
  readonly args?: string[];
}

/**
 * A PKI deployed for real by the project's deploy script, in its own temporary directory:
 * its configuration, its `pki/` output, its state and its cdktf output all live there.
 */
export class Deployment {
  /** Creates an empty deployment directory with `config` as its configuration file. */
  public static create(config: Record<string, unknown>): Deployment {
    return new Deployment(fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-it-')), config);
  }

  /**
   * A second deployment in `other`'s directory, with its own configuration file (`chariot-tls.NAME.json`) and
   * cdktf output (`cdktf.NAME.out`): with the same output directory and state, it deploys the same PKI, as a
   * second operator or pipeline would.
   */
  public static beside(other: Deployment, name: string, config: Record<string, unknown>): Deployment {
    return new Deployment(other.dir, config, `.${name}`);
  }

  /** The output directory as configured, relative to {@link dir}. */
  private outputDirectory = 'pki';

  private constructor(public readonly dir: string, config: Record<string, unknown>, private readonly suffix = '') {
    this.configure(config);
  }

  /** Rewrites the configuration file; output and state stay in this directory. */
  public configure(config: Record<string, unknown>): void {
    const file = { outputDirectory: 'pki', backend: { type: 'local', path: 'terraform.tfstate' }, ...config };
    this.outputDirectory = file.outputDirectory as string;
    fs.writeFileSync(this.configFile, `${JSON.stringify(file, null, 2)}\n`);
  }

  public get configFile(): string {
    return path.join(this.dir, `chariot-tls${this.suffix}.json`);
  }

  /** The cdktf output directory of this deployment. */
  public get outdir(): string {
    return path.join(this.dir, `cdktf${this.suffix}.out`);
  }

  /** Runs `npm run deploy` (the README's main command) for this directory's configuration. */
  public deploy(options: NpmOptions = {}): RunResult {
    return this.npm('deploy', options);
  }

  /** Runs `npm run plan`: what the next deploy would do. */
  public plan(options: NpmOptions = {}): RunResult {
    return this.npm('plan', options);
  }

  /** Runs `npm run destroy`, confirmed with this deployment's environment name (its configuration file's). */
  public destroy(options: NpmOptions = {}): RunResult {
    return this.npm('destroy', { ...options, args: ['--confirm', path.basename(this.configFile, '.json'), ...(options.args ?? [])] });
  }

  /** Starts `npm run deploy` without waiting for it, its output piped; `env` adds variables, `extra` arguments (`--verbose`). */
  public startDeploy(env: Record<string, string> = {}, extra: string[] = []): ChildProcess {
    const [command, args, options] = this.npmCommand('deploy', env);
    return spawn(command, [...args, ...extra], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The directory the engine runs in for this deployment's stack. */
  public get stackDir(): string {
    return path.join(this.outdir, 'stacks', 'chariot-tls');
  }

  /** What the engine printed during the last `deploy` or `plan` (its log, beside the cdktf output). */
  public engineLog(command: 'deploy' | 'plan'): string {
    return fs.readFileSync(path.join(this.outdir, `${command}.log`), 'utf8');
  }

  /** The absolute path of a file under this deployment's output directory (`pki/` unless configured). */
  public file(relative: string): string {
    return path.join(this.dir, this.outputDirectory, relative);
  }

  public read(relative: string): string {
    return fs.readFileSync(this.file(relative), 'utf8');
  }

  /** SHA-256 fingerprint of the first certificate in a PEM file. */
  public fingerprint(relative: string): string {
    return new X509Certificate(this.read(relative)).fingerprint256;
  }

  /** Every file under the output directory, relative, sorted. */
  public files(): string[] {
    const root = this.file('');
    return (fs.readdirSync(root, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(root, f)).isFile())
      .sort();
  }

  private npm(script: string, { env, args: extra = [], ...options }: NpmOptions = {}): RunResult {
    const [command, args, spawnOptions] = this.npmCommand(script, env);
    return run(command, [...args, ...extra], { ...spawnOptions, ...options });
  }

  private npmCommand(script: string, env: Record<string, string> = {}): [string, string[], { cwd: string; env: NodeJS.ProcessEnv }] {
    return [
      'npm',
      ['run', '--silent', script, '--', '--output', this.outdir],
      { cwd: PROJECT, env: { ...process.env, CHARIOT_TLS_CONFIG: this.configFile, ...env } },
    ];
  }
}

