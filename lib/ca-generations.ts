import { Problems, isKnown } from './private/validation';

/**
 * What the previous generation of a CA still does while a new generation takes over: the three
 * steps of a rotation without an outage (docs/operate.md, "Rotating a CA").
 */
export enum PreviousGeneration {
  /** Step 1: the new generation is created and trusted by every bundle; the previous one still signs. */
  ISSUING = 'issuing',
  /** Step 2: the new generation signs; the previous one is still trusted by every bundle. */
  TRUSTED = 'trusted',
  /** Step 3: the previous generation is gone: its key, certificate and file are destroyed. */
  RETIRED = 'retired',
}

/**
 * Which generation of a CA is current, and what the one before it still does.
 */
export interface CaGenerationOptions {
  /**
   * The CA's generation: 1 is the CA as first deployed, each rotation adds one. From generation 2
   * on, the CA's construct id, common name and file carry `-gN` / ` GN` (`server-ca-g2`, "... Server CA G2").
   * @default 1
   */
  readonly generation?: number;

  /**
   * What generation `generation - 1` still does. Required from generation 2 on.
   * @default - none: generation 1 has no predecessor
   */
  readonly previous?: PreviousGeneration;
}

/**
 * The generations of the four CAs of a `ChariotPki`.
 */
export interface CaGenerations {
  /**
   * The Root CA. A new root generation signs the intermediates (their keys stay); both roots are trusted during the overlap.
   * @default - generation 1
   */
  readonly rootCa?: CaGenerationOptions;

  /**
   * The Server CA, which signs the Chariot server certificate.
   * @default - generation 1
   */
  readonly serverCa?: CaGenerationOptions;

  /**
   * The Engine CA, which signs the MQTT Engine client certificates.
   * @default - generation 1
   */
  readonly engineCa?: CaGenerationOptions;

  /**
   * The Transmission CA, which signs the MQTT Transmission client certificates.
   * @default - generation 1
   */
  readonly transmissionCa?: CaGenerationOptions;
}

/** The generations of one CA that exist: the one that signs, and all that bundles trust (oldest first). */
interface LiveGenerations<T> {
  readonly issuing: T;
  readonly live: T[];
}

/** Creates the live generations of a CA (validated by `checkGenerations`) with `create(n)`. */
export function liveGenerations<T>(options: CaGenerationOptions | undefined, create: (generation: number) => T): LiveGenerations<T> {
  const current = options?.generation ?? 1;
  const previous = options?.previous;
  if (current === 1 || previous === undefined || previous === PreviousGeneration.RETIRED) {
    const only = create(current);
    return { issuing: only, live: [only] };
  }
  const [older, newer] = [create(current - 1), create(current)];
  return { issuing: previous === PreviousGeneration.ISSUING ? older : newer, live: [older, newer] };
}

/** Generation 1 keeps the id of the CA as first released (ids are Terraform addresses); later ones add `-gN`. */
export function generationId(base: string, generation: number): string {
  return generation === 1 ? base : `${base}-g${generation}`;
}

/** The highest generation a CA may reach: 99 rotations outlast any PKI. */
export const MAX_CA_GENERATION = 99;

/** Each CA of a `ChariotPki` is named `<organization> <title> CA`, with ` GN` from generation 2 on. */
const CA_TITLES = ['Root', 'Server', 'Engine', 'Transmission'];

/** A CA's common name. A new generation gets a new name: two CAs with one name and different keys confuse chain building. */
export function caName(organization: string, title: string, generation: number): string {
  return `${organization} ${title} CA${generation === 1 ? '' : ` G${generation}`}`;
}

/** The longest CA name an organization starts, at the last generation: `<organization> Transmission CA G99`. */
export const LONGEST_CA_NAME = caName('<organization>', 'Transmission', MAX_CA_GENERATION);

/**
 * The longest organization whose every CA name, at every generation, fits `maxNameLength` (X.509's 64): it is
 * checked at the first deploy, so that no later rotation overflows.
 */
export function maxOrganizationLength(maxNameLength: number): number {
  return maxNameLength - Math.max(...CA_TITLES.map((title) => caName('', title, MAX_CA_GENERATION).length));
}

const PREVIOUS_VALUES = Object.values(PreviousGeneration);

export function checkGeneration(problems: Problems, field: string, options: CaGenerationOptions): void {
  const { generation = 1, previous } = options;
  if (!isKnown(generation) || !isKnown(previous)) return;
  if (!Number.isInteger(generation) || generation < 1 || generation > MAX_CA_GENERATION) {
    problems.add(`${field}.generation`, generation, `is not a whole number from 1 to ${MAX_CA_GENERATION}`, 'use 1 for the CA as first deployed, 2 for its first rotation');
    return;
  }
  if (previous !== undefined && !PREVIOUS_VALUES.includes(previous)) {
    problems.add(`${field}.previous`, previous, `is not one of ${PREVIOUS_VALUES.join(', ')}`, 'use "issuing", then "trusted", then "retired" (docs/operate.md, "Rotating a CA")');
  } else if (generation === 1 && previous !== undefined) {
    problems.add(`${field}.previous`, previous, 'has no generation to refer to at generation 1', 'remove it, or set generation to 2 to start a rotation');
  } else if (generation > 1 && previous === undefined) {
    problems.add(
      `${field}.previous`,
      undefined,
      `is missing at generation ${generation}: say what generation ${generation - 1} still does`,
      'set "issuing" (step 1: the new CA is trusted, the old one still signs), then "trusted" (step 2), then "retired" (step 3); see docs/operate.md, "Rotating a CA"',
    );
  }
}
