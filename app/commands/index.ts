import { CommandDefinition } from '../command-line';
import { DEPLOY } from './deploy';
import { DESTROY } from './destroy';
import { INSPECT } from './inspect';
import { PLAN } from './plan';
import { SYNTH } from './synth';

/** Every command of the CLI; a new one is a file beside this one and a line here (and its npm script). */
export const COMMANDS: readonly CommandDefinition[] = [DEPLOY, PLAN, SYNTH, INSPECT, DESTROY];
