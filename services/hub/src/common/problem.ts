import { HttpException } from '@nestjs/common';

const base = 'https://flotilla.dev/problems/';

/** Stable problem `type` URIs: clients branch on these, never on `detail` text. */
export const ProblemType = {
  validation: { uri: `${base}validation`, title: 'Invalid request', status: 400 },
  malformedJson: { uri: `${base}malformed-json`, title: 'Malformed JSON body', status: 400 },
  unauthenticated: { uri: `${base}unauthenticated`, title: 'Authentication required', status: 401 },
  forbidden: { uri: `${base}forbidden`, title: 'Permission denied', status: 403 },
  notFound: { uri: `${base}not-found`, title: 'Not found', status: 404 },
  conflict: { uri: `${base}conflict`, title: 'Conflict', status: 409 },
  payloadTooLarge: { uri: `${base}payload-too-large`, title: 'Request body too large', status: 413 },
  unsupportedMediaType: {
    uri: `${base}unsupported-media-type`,
    title: 'Unsupported media type',
    status: 415,
  },
  rateLimited: { uri: `${base}rate-limited`, title: 'Too many requests', status: 429 },
  internal: { uri: `${base}internal`, title: 'Internal error', status: 500 },
  unavailable: { uri: `${base}unavailable`, title: 'Service unavailable', status: 503 },
} as const;

export type ProblemKind = keyof typeof ProblemType;

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** A refusal to be written to the audit trail once the request's transaction is gone. */
export interface Denial {
  actor: { kind: 'user' | 'token' | 'anonymous' | 'system'; name: string };
  requestId?: string;
  action: string;
  target?: string;
  tenant?: { id: string; slug: string } | null;
  after?: Record<string, unknown> | null;
}

export class Problem extends HttpException {
  denial?: Denial;

  constructor(
    readonly kind: ProblemKind,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? ProblemType[kind].title, ProblemType[kind].status);
  }

  static validation(errors: FieldError[]): Problem {
    const detail = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
    return new Problem('validation', detail, { errors });
  }

  static notFound(what: string): Problem {
    return new Problem('notFound', `${what} not found`);
  }

  static conflict(detail: string, extensions: Record<string, unknown> = {}): Problem {
    return new Problem('conflict', detail, extensions);
  }

  /**
   * Marks this error as an access refusal. The ProblemFilter audits it after the handler has
   * finished, so the record survives the rollback of the transaction it was thrown from.
   */
  deny(denial: Denial): this {
    this.denial = denial;
    return this;
  }

  body(): ProblemBody {
    const type = ProblemType[this.kind];
    return {
      type: type.uri,
      title: type.title,
      status: type.status,
      detail: this.detail,
      ...this.extensions,
    };
  }
}
