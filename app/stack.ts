import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { ChariotPki, ChariotPkiProps } from '../lib';

/**
 * The ready app's stack: the whole Chariot hierarchy, local state.
 */
export class ChariotTlsStack extends TerraformStack {
  /** The hierarchy. */
  public readonly pki: ChariotPki;

  constructor(scope: Construct, id: string, props: ChariotPkiProps) {
    super(scope, id);
    this.pki = new ChariotPki(this, 'pki', props);
  }
}
