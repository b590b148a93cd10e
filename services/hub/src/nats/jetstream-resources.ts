import { ASSIGNMENTS_BUCKET, STATUS_STREAM, wildcards } from '@flotilla/contracts';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

export interface JetStreamResourceOptions {
  /** Copies of each stream; 3 on a NATS cluster. */
  replicas?: number;
  /** How long unconsumed status reports are kept. */
  statusMaxAgeMs?: number;
  statusMaxBytes?: number;
}

const MIB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const nanos = (ms: number) => ms * 1_000_000;

function statusStreamConfig(
  opts: Required<JetStreamResourceOptions>,
): Partial<StreamConfig> & { name: string } {
  return {
    name: STATUS_STREAM,
    subjects: [wildcards.status],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(opts.statusMaxAgeMs),
    max_bytes: opts.statusMaxBytes,
    max_msg_size: MIB,
    num_replicas: opts.replicas,
    // The server refuses a duplicate window longer than the retention.
    duplicate_window: nanos(Math.min(2 * 60 * 1000, opts.statusMaxAgeMs)),
  };
}

/**
 * Creates — or brings back in line — the assignments KV bucket and the status stream. Safe to
 * call on every hub start, from every replica.
 */
export async function ensureJetStreamResources(nc: NatsConnection, options: JetStreamResourceOptions = {}) {
  const opts: Required<JetStreamResourceOptions> = {
    replicas: 1,
    statusMaxAgeMs: 7 * DAY_MS,
    statusMaxBytes: 1024 * MIB,
    ...options,
  };
  for (const [name, value] of Object.entries(opts)) {
    if (!Number.isInteger(value) || value <= 0)
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  // allow_direct lets an agent read exactly its own key via a permission-confined subject.
  const assignments = await new Kvm(nc).create(ASSIGNMENTS_BUCKET, {
    allow_direct: true,
    history: 5,
    storage: StorageType.File,
    replicas: opts.replicas,
    maxValueSize: MIB,
  });

  const jsm = await jetstreamManager(nc);
  const config = statusStreamConfig(opts);
  try {
    const current = await jsm.streams.info(STATUS_STREAM);
    await jsm.streams.update(STATUS_STREAM, { ...current.config, ...config });
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add(config);
  }
  return { assignments };
}
