import { CliError, ExitCode, type ExitCodeValue } from '../errors.js';

export interface FieldError {
  field: string;
  message: string;
}

/** An application/problem+json answer (RFC 9457) as the hub sends it. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  requestId?: string;
  errors?: FieldError[];
}

const exitByStatus: Partial<Record<number, ExitCodeValue>> = {
  401: ExitCode.notLoggedIn,
  403: ExitCode.forbidden,
  404: ExitCode.notFound,
};

/** The hub said no. `type` is stable (branch on it); `detail` is for people. */
export class HubProblem extends CliError {
  readonly type: string;
  readonly status: number;
  readonly detail: string;
  readonly fieldErrors: FieldError[];

  /** `loggedIn`: the request carried a stored token, so a 401 means it expired or was revoked. */
  constructor(status: number, body: ProblemBody | null, fallbackText = '', loggedIn = false) {
    const detail = body?.detail ?? body?.title ?? (fallbackText.trim() || `HTTP ${status}`);
    const fieldErrors = Array.isArray(body?.errors) ? body.errors : [];
    const hint = status === 401 && loggedIn ? ' (log in again: `flotilla login <server>`)' : '';
    super(HubProblem.describe(detail, fieldErrors) + hint, exitByStatus[status] ?? ExitCode.error);
    this.name = 'HubProblem';
    this.type = body?.type ?? 'about:blank';
    this.status = status;
    this.detail = detail;
    this.fieldErrors = fieldErrors;
  }

  private static describe(detail: string, errors: FieldError[]): string {
    // The detail already joins the field errors for validation problems; list them only otherwise.
    const fields = errors
      .filter((e) => !detail.includes(e.message))
      .map((e) => `\n  ${e.field || '(body)'}: ${e.message}`)
      .join('');
    return `${detail}${fields}`;
  }
}
