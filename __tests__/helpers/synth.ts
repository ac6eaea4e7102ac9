import { Construct } from 'constructs';
import { TerraformStack, Testing } from 'cdktf';

/** One synthesized resource block, with its Terraform type and construct path. */
export interface SynthesizedResource {
  readonly type: string;
  readonly path: string;
  readonly address: string;
  readonly props: Record<string, any>;
}

/** A synthesized stack, parsed, with lookups by construct path. */
export class Synthesized {
  public readonly json: Record<string, any>;

  constructor(public readonly text: string) {
    this.json = JSON.parse(text);
  }

  /** Every resource of a type, or of every type. */
  public resources(type?: string): SynthesizedResource[] {
    const byType: Record<string, Record<string, any>> = this.json.resource ?? {};
    return Object.entries(byType)
      .filter(([t]) => type === undefined || t === type)
      .flatMap(([t, blocks]) =>
        Object.entries(blocks).map(([name, props]) => ({ type: t, path: props['//'].metadata.path as string, address: `${t}.${name}`, props })),
      );
  }

  /** The one resource of `type` whose construct path ends with `pathSuffix` (e.g. `root-ca/cert`). */
  public resource(type: string, pathSuffix: string): SynthesizedResource {
    const matches = this.resources(type).filter((r) => r.path.endsWith(`/${pathSuffix}`));
    if (matches.length !== 1) {
      throw new Error(`expected one ${type} at */${pathSuffix}, found ${matches.length}: ${this.resources(type).map((r) => r.path).join(', ')}`);
    }
    return matches[0];
  }

  /** The Terraform interpolation of a resource attribute, as other resources reference it. */
  public ref(type: string, pathSuffix: string, attribute: string): string {
    return `\${${this.resource(type, pathSuffix).address}.${attribute}}`;
  }
}

/** Synthesizes what `fn` builds in a fresh test stack, keeping each resource's construct path. */
export function synth(fn: (scope: Construct) => void): Synthesized {
  const stack = new TerraformStack(Testing.app(), 'test');
  fn(stack);
  return new Synthesized(JSON.stringify(stack.toTerraform(), null, 2));
}
