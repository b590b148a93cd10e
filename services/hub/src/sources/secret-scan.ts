import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { RenderedFile } from './render.js';

export interface SecretFinding {
  path: string;
  line: number;
  column: number;
  ruleId: string;
  /** Describes the finding; never contains the secret value. */
  message: string;
  /** For values decoded from a Kubernetes Secret: which one, e.g. `Secret default/db data.key`. */
  location?: string;
}

const CONFIG: SecretLintCoreConfig = {
  rules: [
    {
      id: '@secretlint/secretlint-rule-preset-recommend',
      rule: recommendedPreset,
      // access key ids alone are reported only with the id scan on
      rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } }],
    },
  ],
};

/** The smallest matched text we also cut out of messages ourselves, in case a rule echoes it. */
const MIN_ECHO_LENGTH = 6;

async function lintText(
  path: string,
  content: string,
): Promise<Array<Omit<SecretFinding, 'path' | 'location'>>> {
  const result = await lintSource({
    source: { filePath: path, content, contentType: 'text' },
    options: { config: CONFIG, maskSecrets: true, noPhysicFilePath: true },
  });
  return result.messages.map((message) => {
    const matched = content.slice(message.range[0], message.range[1]);
    const text =
      matched.length >= MIN_ECHO_LENGTH ? message.message.split(matched).join('****') : message.message;
    return {
      line: message.loc.start.line,
      column: message.loc.start.column + 1,
      ruleId: message.ruleId,
      message: text,
    };
  });
}

/** Literal base64 values of a Kubernetes Secret's `data`, with where they sit in the file. */
function secretDataValues(
  doc: Document,
  lines: LineCounter,
): Array<{ key: string; decoded: string; line: number; column: number; owner: string }> {
  const root = doc.contents;
  if (!isMap(root) || root.get('kind') !== 'Secret') return [];
  const data = root.get('data');
  if (!isMap(data)) return [];
  const metadata = root.get('metadata');
  const name = isMap(metadata)
    ? `${metadata.get('namespace') ?? ''}/${metadata.get('name') ?? ''}`.replace(/^\//, '')
    : '';
  const values = [];
  for (const pair of data.items) {
    if (!isScalar(pair.key) || !isScalar(pair.value) || typeof pair.value.source !== 'string') continue;
    const position = lines.linePos(pair.key.range?.[0] ?? 0);
    values.push({
      key: String(pair.key.value),
      decoded: Buffer.from(pair.value.source.replace(/\s+/g, ''), 'base64').toString('utf8'),
      line: position.line,
      column: position.col,
      owner: `Secret ${name}`,
    });
  }
  return values;
}

/**
 * Scans rendered files with secretlint's recommended rules. Kubernetes Secrets are scanned
 * twice: as text, and with each base64 `data` value decoded (a key hidden in base64 counts).
 */
export async function scanForSecrets(files: readonly RenderedFile[]): Promise<SecretFinding[]> {
  const findings: SecretFinding[] = [];
  for (const file of files) {
    for (const finding of await lintText(file.path, file.content))
      findings.push({ path: file.path, ...finding });
    if (!/^kind:\s*["']?Secret/m.test(file.content) && !/"kind"\s*:\s*"Secret"/.test(file.content)) continue;
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(file.content, { lineCounter: lines })) {
      if (!('contents' in doc) || doc.errors.length > 0) continue; // not our job to report YAML errors
      for (const value of secretDataValues(doc, lines)) {
        const location = `${value.owner} data.${value.key}`;
        for (const finding of await lintText(`${file.path}#${location}`, value.decoded)) {
          findings.push({ ...finding, path: file.path, line: value.line, column: value.column, location });
        }
      }
    }
  }
  return findings;
}
