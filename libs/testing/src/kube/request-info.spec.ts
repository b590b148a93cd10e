import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from './request-info.js';

describe('request info', () => {
  it.each([
    [
      'GET',
      '/api/v1/namespaces/ns/configmaps/a',
      false,
      { verb: 'get', group: '', resource: 'configmaps', namespace: 'ns', name: 'a' },
    ],
    [
      'GET',
      '/apis/apps/v1/namespaces/ns/deployments',
      false,
      { verb: 'list', group: 'apps', resource: 'deployments', namespace: 'ns' },
    ],
    ['GET', '/apis/apps/v1/deployments', true, { verb: 'watch', resource: 'deployments' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods', false, { verb: 'watch', resource: 'pods', namespace: 'ns' }],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/ns/deployments/web/status',
      false,
      { verb: 'patch', subresource: 'status', name: 'web' },
    ],
    [
      'GET',
      '/api/v1/namespaces/team-a',
      false,
      { verb: 'get', resource: 'namespaces', name: 'team-a', namespace: 'team-a' },
    ],
    [
      'PUT',
      '/api/v1/namespaces/team-a/finalize',
      false,
      { verb: 'update', resource: 'namespaces', name: 'team-a', subresource: 'finalize' },
    ],
    ['DELETE', '/api/v1/namespaces/ns/secrets', false, { verb: 'deletecollection', resource: 'secrets' }],
    [
      'POST',
      '/api/v1/namespaces/ns/serviceaccounts/sa/token',
      false,
      { verb: 'create', resource: 'serviceaccounts', name: 'sa', subresource: 'token' },
    ],
  ] as const)('%s %s', (method, path, watch, expected) => {
    expect(parseRequestInfo(method, path, watch)).toMatchObject({ resourceRequest: true, ...expected });
  });

  it('treats discovery paths as non-resource requests', () => {
    for (const path of ['/api', '/apis', '/api/v1', '/apis/apps/v1', '/version', '/openapi/v3']) {
      expect(parseRequestInfo('GET', path, false)).toMatchObject({
        resourceRequest: false,
        verb: 'get',
        path,
      });
    }
  });

  it('names the object of a list by metadata.name field selector for authorization', () => {
    expect(
      parseRequestInfo('GET', '/api/v1/namespaces/ns/configmaps', true, 'metadata.name=a').selectorName,
    ).toBe('a');
  });
});
