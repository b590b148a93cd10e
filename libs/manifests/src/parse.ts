import { LineCounter, parseAllDocuments, isMap, isSeq, type Document } from 'yaml';
import { jsonProblem } from './canonicalise.js';
import { ManifestError, type ManifestErrorLocation } from './errors.js';
import { assertUniqueObjects } from './unique.js';
import { isRecord, validateObject } from './validate-object.js';
import type { ObjectSource, SourcedObject } from './types.js';

export interface ManifestFile {
  path: string;
  content: string;
}

export interface ParseLimits {
  /** Most objects accepted across all files. */
  maxObjects: number;
  /** Most bytes (UTF-8) accepted across all files. */
  maxTotalBytes: number;
  /** Most YAML alias expansions per document (guards against "billion laughs"). */
  maxAliasCount: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxObjects: 10_000,
  maxTotalBytes: 50 * 1024 * 1024,
  maxAliasCount: 100,
};

/**
 * Parses YAML (multi-document) and JSON manifest files into validated objects, each with
 * its source location. `kind: List` documents are flattened; empty documents are skipped.
 * Throws ManifestError naming file, document and field for anything that cannot be applied.
 */
export function parseManifests(
  files: readonly ManifestFile[],
  limits: Partial<ParseLimits> = {},
): { objects: SourcedObject[] } {
  const effective = { ...DEFAULT_PARSE_LIMITS, ...limits };
  let totalBytes = 0;
  for (const file of files) {
    totalBytes += Buffer.byteLength(file.content, 'utf8');
    if (totalBytes > effective.maxTotalBytes)
      throw new ManifestError(
        { path: file.path },
        `manifests exceed the size limit of ${effective.maxTotalBytes} bytes`,
      );
  }

  const objects: SourcedObject[] = [];
  for (const file of files) {
    const documents = file.path.toLowerCase().endsWith('.json')
      ? readJsonFile(file)
      : readYamlFile(file, effective.maxAliasCount);
    for (const document of documents) {
      for (const sourced of expandDocument(document)) {
        objects.push(sourced);
        if (objects.length > effective.maxObjects)
          throw new ManifestError(
            sourced.source,
            `manifests exceed the limit of ${effective.maxObjects} objects`,
          );
      }
    }
  }
  assertUniqueObjects(objects);
  return { objects };
}

/** One non-empty document and how to find the start of each `items` entry of a List. */
interface RawDocument {
  value: unknown;
  source: ObjectSource;
  itemLine: (index: number) => number;
}

function readJsonFile(file: ManifestFile): RawDocument[] {
  let value: unknown;
  try {
    // Editors on Windows may prepend a byte-order mark, which JSON.parse rejects.
    value = JSON.parse(file.content.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ManifestError(
      { path: file.path, documentIndex: 0 },
      `invalid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return [{ value, source: { path: file.path, documentIndex: 0, line: 1 }, itemLine: () => 1 }];
}

function readYamlFile(file: ManifestFile, maxAliasCount: number): RawDocument[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(file.content, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // An empty file parses to an empty stream rather than an array.
  if (!Array.isArray(documents)) return [];
  const lineAt = (offset: number | undefined): number =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;

  const raw: RawDocument[] = [];
  for (const [documentIndex, document] of documents.entries()) {
    const where: ManifestErrorLocation = { path: file.path, documentIndex };
    const [error] = document.errors;
    if (error)
      throw new ManifestError({ ...where, line: lineAt(error.pos[0]) }, `invalid YAML: ${error.message}`);
    if (document.contents === null) continue;
    const line = lineAt(document.contents.range?.[0]);
    raw.push({
      value: toJs(document, maxAliasCount, { ...where, line }),
      source: { path: file.path, documentIndex, line },
      itemLine: (index) => lineAt(listItemOffset(document, index) ?? document.contents?.range?.[0]),
    });
  }
  return raw;
}

function toJs(document: Document, maxAliasCount: number, where: ManifestErrorLocation): unknown {
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount });
  } catch (error) {
    throw new ManifestError(where, `YAML cannot be expanded: ${(error as Error).message}`, { cause: error });
  }
  // YAML tags such as !!binary or !!set produce values that have no JSON form.
  const problem = jsonProblem(value);
  if (problem) throw new ManifestError(where, `value cannot be represented as JSON ${problem}`);
  return value;
}

function listItemOffset(document: Document, index: number): number | undefined {
  if (!isMap(document.contents)) return undefined;
  const items = document.contents.get('items', true);
  return isSeq(items) ? (items.items[index] as { range?: [number] } | undefined)?.range?.[0] : undefined;
}

function expandDocument(document: RawDocument): SourcedObject[] {
  const { value, source } = document;
  if (value === null) return [];
  if (isRecord(value) && value.kind === 'List' && value.apiVersion === 'v1') {
    if (!Array.isArray(value.items))
      throw new ManifestError({ ...source, field: 'items' }, 'a List must have an items list');
    return value.items.map((item, itemIndex) => {
      const itemSource = { ...source, itemIndex, line: document.itemLine(itemIndex) };
      return { object: validateObject(item, itemSource), source: itemSource };
    });
  }
  return [{ object: validateObject(value, source), source }];
}
