/** Errors answered as a Kubernetes `Status` object (metav1.Status). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `configmaps` or `deployments.apps`, as Kubernetes names a group resource in messages. */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  notFound(group: string, resource: string, name: string): StatusError {
    return new StatusError(404, 'NotFound', `${qualifiedResource(group, resource)} "${name}" not found`, {
      name,
      group: group || undefined,
      kind: resource,
    });
  },
  notFoundPath(): StatusError {
    return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  alreadyExists(group: string, resource: string, name: string): StatusError {
    return new StatusError(
      409,
      'AlreadyExists',
      `${qualifiedResource(group, resource)} "${name}" already exists`,
      {
        name,
        group: group || undefined,
        kind: resource,
      },
    );
  },
  conflict(group: string, resource: string, name: string, why: string): StatusError {
    return new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
      { name, group: group || undefined, kind: resource },
    );
  },
  badRequest(message: string): StatusError {
    return new StatusError(400, 'BadRequest', message);
  },
  invalid(group: string, kind: string, name: string, causes: StatusCause[]): StatusError {
    const what = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : (c.message ?? ''))).join(', ');
    const gk = group ? `${kind}.${group}` : kind;
    return new StatusError(422, 'Invalid', `${gk} "${name}" is invalid: ${what}`, {
      name,
      group: group || undefined,
      kind,
      causes,
    });
  },
  forbidden(message: string, details?: StatusDetails): StatusError {
    return new StatusError(403, 'Forbidden', message, details);
  },
  unauthorized(): StatusError {
    return new StatusError(401, 'Unauthorized', 'Unauthorized');
  },
  methodNotAllowed(): StatusError {
    return new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  },
  unsupportedMediaType(contentType: string): StatusError {
    return new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType || 'none'})`,
    );
  },
  gone(message: string): StatusError {
    return new StatusError(410, 'Expired', message);
  },
  tooLarge(): StatusError {
    return new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  },
  internal(message: string): StatusError {
    return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
  },
};
