/** Why a source could not be fetched, rendered or trusted; `code` is stable for the API and UI. */
export type SourceErrorCode =
  | 'url_refused'
  | 'auth_failed'
  | 'fetch_failed'
  | 'ref_not_found'
  | 'path_refused'
  | 'path_not_found'
  | 'limit_exceeded'
  | 'render_failed'
  | 'timeout';

export class SourceError extends Error {
  constructor(
    readonly code: SourceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}
