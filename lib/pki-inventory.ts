import * as path from 'node:path';
import { IConstruct } from 'constructs';
import { ChariotPki } from './chariot-pki';
import { InventoryCertificate } from './inventory-model';
import { UploadReadme } from './upload-readme';
import { inventoryJson } from './private/inventory-json';
import { inventoryMarkdown } from './private/inventory-markdown';
import { describe, hierarchyOrder, isInventoried, readmesByCertificate, showDirectory, siteOfPath } from './private/inventory-walk';

/**
 * Options of `PkiInventory.of`.
 */
export interface PkiInventoryOptions {
  /**
   * File paths are shown relative to this directory.
   * @default - the `outputDirectory` of the `ChariotPki` in the scope when there is exactly one, else the working directory
   */
  readonly outputDirectory?: string;

  /**
   * The directory the inventory is written to. When set, the output directory is shown relative to it
   * (or absolute when it lies outside), so readers know where the files are.
   * @default - the output directory is not shown
   */
  readonly inventoryDirectory?: string;
}

/**
 * A deterministic, secret-free description of the certificates a construct tree intends to issue:
 * roles, subjects, names, keys, usages, validity and files. Written next to the configuration and
 * committed, it lets a pull request show what a change does to the PKI, one line per changed fact.
 *
 * Certificates are listed depth first from each root, siblings in construct path order, so reordering
 * a list in the configuration changes nothing.
 */
export class PkiInventory {
  /**
   * The inventory of every `RootCa`, `IntermediateCa`, `ServerCert` and `ClientCert` under `scope` (included).
   */
  public static of(scope: IConstruct, options: PkiInventoryOptions = {}): PkiInventory {
    const found = scope.node.findAll();
    const composites = found.filter((c): c is ChariotPki => c instanceof ChariotPki);
    const outputDirectory = path.resolve(options.outputDirectory ?? (composites.length === 1 ? composites[0].outputDirectory : process.cwd()));
    const readmes = readmesByCertificate(found.filter((c): c is UploadReadme => c instanceof UploadReadme));
    const sites = siteOfPath(composites);
    const certificates = hierarchyOrder(found.filter(isInventoried)).map((c) => ({ ...describe(c, outputDirectory, readmes), ...sites.get(c.node.path) }));
    const shown = options.inventoryDirectory === undefined ? undefined : showDirectory(outputDirectory, options.inventoryDirectory);
    return new PkiInventory(certificates, shown);
  }

  private constructor(
    /** The certificates, depth first from each root CA. */
    public readonly certificates: InventoryCertificate[],
    /** The output directory as shown: relative to the inventory directory when inside it, else absolute. */
    public readonly outputDirectory?: string,
  ) {}

  /** The inventory for machines: plain JSON data with every key present (`null` where a value does not apply). */
  public toJson(): any {
    return inventoryJson(this);
  }

  /** The inventory for people: a hierarchy outline, then one table per certificate, one fact per line. */
  public toMarkdown(): string {
    return inventoryMarkdown(this);
  }
}
