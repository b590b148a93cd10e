/** What a request addresses, parsed from its method and path as kube-apiserver's RequestInfoFactory does. */
export interface RequestInfo {
  path: string;
  verb: string;
  resourceRequest: boolean;
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  /** list/watch with `fieldSelector=metadata.name=x`: the name RBAC sees. */
  selectorName?: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * `fieldSelector` is only consulted for list and watch: `metadata.name=x` names the object
 * for authorization (so RBAC resourceNames apply), as in kube-apiserver.
 */
export function parseRequestInfo(
  method: string,
  path: string,
  watchParam: boolean,
  fieldSelector?: string | null,
): RequestInfo {
  const lower = method.toLowerCase();
  const nonResource: RequestInfo = { path, verb: lower, resourceRequest: false, group: '', version: '' };
  const parts = path
    .split('/')
    .filter((p) => p.length > 0)
    .map(decodeURIComponent);
  let rest: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api' && parts.length >= 2) {
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else return nonResource;
  if (rest.length === 0) return nonResource;
  let verb: string;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  switch (method) {
    case 'POST':
      verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      verb = 'get';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = 'delete';
      break;
    default:
      verb = lower;
  }
  const info: RequestInfo = { path, verb, resourceRequest: true, group, version };
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      info.namespace = rest[1];
      if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
    }
  }
  if (rest.length >= 3) info.subresource = rest[2];
  if (rest.length >= 2) info.name = rest[1];
  info.resource = rest[0];
  if (watchPath || (info.verb === 'get' && watchParam && !info.name)) info.verb = 'watch';
  else if (info.verb === 'get' && !info.name) info.verb = 'list';
  if (info.verb === 'delete' && !info.name) info.verb = 'deletecollection';
  if (watchPath && info.name) info.verb = 'watch';
  if ((info.verb === 'list' || info.verb === 'watch') && !info.name && fieldSelector) {
    const m = /^metadata\.name==?([^,=!]+)$/.exec(fieldSelector.trim());
    if (m && !/[/%]/.test(m[1])) info.selectorName = m[1];
  }
  return info;
}
