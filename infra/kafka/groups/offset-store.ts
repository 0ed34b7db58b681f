/**
 * Durable committed offsets: an append-only file of JSON lines (one commit per line) under the
 * broker's data directory, replayed on start. A commit is acknowledged only after its write()
 * returned, so it survives a clean stop and a SIGKILL of the broker (the bytes are in the
 * kernel's page cache; surviving power loss is out of scope for a lab broker).
 *
 * A kill in the middle of a write can leave a torn last line: replay ignores lines that do not
 * parse. On open the file is rewritten with only the latest offset per partition when it has
 * grown well beyond that, so it stays proportional to the number of partitions, not commits.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export interface CommittedOffset {
  offset: number;
  metadata: string;
  commitTimestamp: number;
}

interface CommitLine {
  g: string;
  t: string;
  p: number;
  o: number;
  m: string;
  ts: number;
}

const FILE_NAME = 'consumer-offsets.jsonl';
/** Compact when the file holds this many times more lines than live entries. */
const COMPACTION_RATIO = 4;

export class OffsetStore {
  /** group → "topic\0partition" → offset */
  private readonly groups = new Map<string, Map<string, CommittedOffset>>();
  private readonly path: string | null;
  private fd: number | null = null;

  /** `directory` null keeps offsets in memory only (unit tests). */
  constructor(directory: string | null) {
    this.path = directory === null ? null : join(directory, FILE_NAME);
    if (directory === null || this.path === null) return;
    mkdirSync(directory, { recursive: true });
    const lines = this.replay(this.path);
    if (lines > COMPACTION_RATIO * Math.max(16, this.entryCount())) this.compact(this.path);
    this.fd = openSync(this.path, 'a');
    // a torn tail must not swallow the next commit appended after it
    if (existsSync(this.path) && !endsWithNewline(this.path)) writeSync(this.fd, '\n');
  }

  private replay(path: string): number {
    if (!existsSync(path)) return 0;
    let count = 0;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      count++;
      let parsed: CommitLine;
      try {
        parsed = JSON.parse(line) as CommitLine;
      } catch {
        continue; // torn tail of a write interrupted by a kill
      }
      if (typeof parsed.g !== 'string' || typeof parsed.t !== 'string') continue;
      this.remember(parsed.g, parsed.t, parsed.p, {
        offset: parsed.o,
        metadata: parsed.m ?? '',
        commitTimestamp: parsed.ts ?? 0,
      });
    }
    return count;
  }

  private entryCount(): number {
    let count = 0;
    for (const offsets of this.groups.values()) count += offsets.size;
    return count;
  }

  private compact(path: string): void {
    const temporary = `${path}.compacting`;
    const fd = openSync(temporary, 'w');
    try {
      const lines: string[] = [];
      for (const [group, offsets] of this.groups) {
        for (const [key, value] of offsets) {
          const [topic, partition] = splitKey(key);
          lines.push(serialize(group, topic, partition, value));
        }
      }
      if (lines.length > 0) writeSync(fd, lines.join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  }

  private remember(group: string, topic: string, partition: number, value: CommittedOffset): void {
    let offsets = this.groups.get(group);
    if (offsets === undefined) {
      offsets = new Map();
      this.groups.set(group, offsets);
    }
    offsets.set(key(topic, partition), value);
  }

  /** Persist a batch of commits for one group (one write) and make them visible. */
  commit(
    group: string,
    commits: { topic: string; partition: number; offset: number; metadata: string }[],
    now = Date.now(),
  ): void {
    if (commits.length === 0) return;
    if (this.fd !== null) {
      const text = commits
        .map((c) =>
          serialize(group, c.topic, c.partition, {
            offset: c.offset,
            metadata: c.metadata,
            commitTimestamp: now,
          }),
        )
        .join('');
      writeSync(this.fd, text);
    }
    for (const c of commits) {
      this.remember(group, c.topic, c.partition, {
        offset: c.offset,
        metadata: c.metadata,
        commitTimestamp: now,
      });
    }
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(key(topic, partition));
  }

  /** Every committed partition of a group, grouped by topic. */
  all(group: string): Map<string, Map<number, CommittedOffset>> {
    const byTopic = new Map<string, Map<number, CommittedOffset>>();
    for (const [k, value] of this.groups.get(group) ?? []) {
      const [topic, partition] = splitKey(k);
      let partitions = byTopic.get(topic);
      if (partitions === undefined) {
        partitions = new Map();
        byTopic.set(topic, partitions);
      }
      partitions.set(partition, value);
    }
    return byTopic;
  }

  /** Groups that have committed offsets (they are listed even without members, as in Kafka). */
  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function endsWithNewline(path: string): boolean {
  const content = readFileSync(path);
  return content.length === 0 || content[content.length - 1] === 0x0a;
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function splitKey(k: string): [string, number] {
  const at = k.lastIndexOf('\u0000');
  return [k.slice(0, at), Number(k.slice(at + 1))];
}

function serialize(group: string, topic: string, partition: number, value: CommittedOffset): string {
  const line: CommitLine = {
    g: group,
    t: topic,
    p: partition,
    o: value.offset,
    m: value.metadata,
    ts: value.commitTimestamp,
  };
  return `${JSON.stringify(line)}\n`;
}
