/** A hub API call as plain data, so every command's argument → request mapping is testable offline. */
export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null;

export interface ApiRequest {
  method: Method;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

/**
 * `api\`/tenants/${slug}/bindings\`` → `/api/v1/tenants/<slug>/bindings`, each interpolated
 * value percent-encoded so a name can never change the path it lands in.
 */
export function api(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce(
    (path, part, i) => path + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''),
    '/api/v1',
  );
}

/** `/api/v1/tenants/<tenant>/<collection>[/<name>[/<action>]]`, names encoded. */
export function inTenant(tenant: string, collection: string, name?: string, action?: string): string {
  const item = name === undefined ? '' : `/${encodeURIComponent(name)}${action ? `/${action}` : ''}`;
  return `${api`/tenants/${tenant}`}/${collection}${item}`;
}

export const get = (path: string, query?: ApiRequest['query']): ApiRequest => ({
  method: 'GET',
  path,
  query,
});
export const post = (path: string, body?: unknown): ApiRequest => ({ method: 'POST', path, body });
export const patch = (path: string, body: unknown): ApiRequest => ({ method: 'PATCH', path, body });
export const del = (path: string, query?: ApiRequest['query']): ApiRequest => ({
  method: 'DELETE',
  path,
  query,
});
