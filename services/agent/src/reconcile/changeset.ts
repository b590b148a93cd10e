import { objectId, type Drift, type KubeObject, type ObjectId } from '@flotilla/manifests';

/**
 * What a verb did to one object (after Flux's ssa.ChangeSetEntry). `skipped` is internal:
 * a prune that was deliberately not done (not owned, annotated, already gone); it is
 * logged but not reported as an object of the binding.
 */
export type ChangeAction =
  'created' | 'configured' | 'unchanged' | 'pruned' | 'skipped' | 'failed' | 'drifted';

export interface ChangeSetEntry {
  id: ObjectId;
  action: ChangeAction;
  message?: string;
  /** Fields that differed from the desired state (reverted when the action is `configured`). */
  drift?: Drift[];
  /**
   * The object as the API server last returned it (absent when missing or deleted). Internal:
   * it holds Secret data in clear, so only derived facts (health) ever leave the agent.
   */
  live?: KubeObject;
}

export function entryFor(
  object: KubeObject | ObjectId,
  action: ChangeAction,
  extra: Omit<ChangeSetEntry, 'id' | 'action'> = {},
): ChangeSetEntry {
  const id = 'apiVersion' in object ? objectId(object) : object;
  return { id, action, ...extra };
}

/** `Kind/namespace/name` for messages and logs. */
export function describeId(id: ObjectId): string {
  return id.namespace ? `${id.kind}/${id.namespace}/${id.name}` : `${id.kind}/${id.name}`;
}
