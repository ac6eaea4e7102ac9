import { Construct } from 'constructs';
import { LocalBackend, TerraformStack } from 'cdktf';
import { ChariotPki } from '../lib';
import { AppConfig } from './config';

/**
 * The ready app's stack: the whole Chariot hierarchy and the backend that keeps its state.
 */
export class ChariotTlsStack extends TerraformStack {
  /** The hierarchy. */
  public readonly pki: ChariotPki;

  constructor(scope: Construct, id: string, config: AppConfig) {
    super(scope, id);
    new LocalBackend(this, { path: config.backend.localPath });
    this.pki = new ChariotPki(this, 'pki', config.pki);
  }
}
