import type { ObjectId } from '@flotilla/manifests';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';

export interface ResourceInfo {
  /** Plural resource name used in URLs, e.g. `deployments`. */
  name: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/**
 * Maps kinds to REST resources from the API server's discovery documents, cached per
 * group-version. A kind missing from a cached document triggers one fresh read, because a
 * CRD applied a moment ago adds kinds to a group-version that may already be cached.
 */
export class Discovery {
  private readonly lists = new Map<string, Promise<ApiResourceList>>();

  constructor(private readonly client: KubeClient) {}

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const found = (await this.list(apiVersion, false))?.resources.find(
      (r) => r.kind === kind && !r.name.includes('/'),
    );
    if (found) return { name: found.name, namespaced: found.namespaced };
    const fresh = (await this.list(apiVersion, true))?.resources.find(
      (r) => r.kind === kind && !r.name.includes('/'),
    );
    if (fresh) return { name: fresh.name, namespaced: fresh.namespaced };
    throw new KubeApiError(404, `the server does not serve kind ${kind} in ${apiVersion}`, 'UnknownKind');
  }

  /** The group's preferred version, for references that carry only group and kind. */
  async preferredVersion(group: string): Promise<string> {
    if (group === '') return 'v1';
    const answer = await this.client.request<{ preferredVersion?: { version: string } }>({
      method: 'GET',
      path: `/apis/${group}`,
    });
    if (!answer.preferredVersion)
      throw new KubeApiError(404, `group ${group} has no preferred version`, 'UnknownKind');
    return answer.preferredVersion.version;
  }

  /** URL path of an object (or, without a name, of its collection). */
  async pathOf(id: Omit<ObjectId, 'name'> & { name?: string }): Promise<string> {
    const apiVersion = apiVersionOf(id);
    const info = await this.resource(apiVersion, id.kind);
    const root = id.group === '' ? `/api/${apiVersion}` : `/apis/${apiVersion}`;
    const scope = info.namespaced ? `/namespaces/${encodeURIComponent(id.namespace ?? 'default')}` : '';
    const name = id.name === undefined ? '' : `/${encodeURIComponent(id.name)}`;
    return `${root}${scope}/${info.name}${name}`;
  }

  private list(apiVersion: string, refresh: boolean): Promise<ApiResourceList | undefined> {
    let cached = this.lists.get(apiVersion);
    if (!cached || refresh) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const request = this.client.request<ApiResourceList>({ method: 'GET', path });
      this.lists.set(apiVersion, request);
      // A failed read must not stay cached: the group may appear once its CRD is established.
      request.catch(() => {
        if (this.lists.get(apiVersion) === request) this.lists.delete(apiVersion);
      });
      cached = request;
    }
    return cached.catch((error: unknown) => {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    });
  }
}

export function apiVersionOf(id: Pick<ObjectId, 'group' | 'version'>): string {
  return id.group === '' ? id.version : `${id.group}/${id.version}`;
}
