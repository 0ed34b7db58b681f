/**
 * Durable committed offsets: an append-only file of JSON lines (one commit per line, or a
 * group deletion) under the broker's data directory, replayed on start. A commit is acknowledged
 * only after its write() returned, so it survives a clean stop and a SIGKILL of the broker (the
 * bytes are in the kernel's page cache; surviving power loss is out of scope for a lab broker).
 *
 * A kill in the middle of a write can leave a torn last line: replay ignores lines that do not
 * parse. When the file has grown well beyond one line per live partition it is rewritten (temp
 * file, fsync, rename) with only the latest offsets, at start and while running, so it stays
 * proportional to the number of partitions, not of commits.
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

/** One line of the file: a commit, or (`deleted`) the removal of a whole group. */
interface StoredLine {
  g: string;
  t?: string;
  p?: number;
  o?: number;
  m?: string;
  ts?: number;
  deleted?: true;
}

const FILE_NAME = 'consumer-offsets.jsonl';
/** Compact when the file holds this many times more lines than live entries... */
const COMPACTION_RATIO = 4;
/** ...and at least this many lines (small files are not worth rewriting). */
const COMPACTION_MIN_LINES = 10_000;

export class OffsetStore {
  /** group → "topic\0partition" → offset */
  private readonly groups = new Map<string, Map<string, CommittedOffset>>();
  private readonly path: string | null;
  private fd: number | null = null;
  private linesInFile = 0;
  private readonly compactionMinLines: number;

  /** `directory` null keeps offsets in memory only (unit tests). */
  constructor(directory: string | null, options: { compactionMinLines?: number } = {}) {
    this.compactionMinLines = options.compactionMinLines ?? COMPACTION_MIN_LINES;
    this.path = directory === null ? null : join(directory, FILE_NAME);
    if (directory === null || this.path === null) return;
    mkdirSync(directory, { recursive: true });
    this.linesInFile = this.replay(this.path);
    if (this.shouldCompact()) {
      this.compact(this.path);
    } else if (existsSync(this.path) && !endsWithNewline(this.path)) {
      // a torn tail must not swallow the next commit appended after it
      this.fd = openSync(this.path, 'a');
      writeSync(this.fd, '\n');
    }
    this.fd ??= openSync(this.path, 'a');
  }

  private replay(path: string): number {
    if (!existsSync(path)) return 0;
    let count = 0;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      count++;
      let parsed: StoredLine;
      try {
        parsed = JSON.parse(line) as StoredLine;
      } catch {
        continue; // torn tail of a write interrupted by a kill
      }
      if (typeof parsed.g !== 'string') continue;
      if (parsed.deleted) {
        this.groups.delete(parsed.g);
        continue;
      }
      if (typeof parsed.t !== 'string' || typeof parsed.p !== 'number' || typeof parsed.o !== 'number')
        continue;
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

  private shouldCompact(): boolean {
    return (
      this.linesInFile >= this.compactionMinLines && this.linesInFile > COMPACTION_RATIO * this.entryCount()
    );
  }

  /** Rewrite the file with the live offsets only; the append descriptor then points at it. */
  private compact(path: string): void {
    const temporary = `${path}.compacting`;
    const fd = openSync(temporary, 'w');
    const lines: string[] = [];
    try {
      for (const [group, offsets] of this.groups) {
        for (const [k, value] of offsets) {
          const [topic, partition] = splitKey(k);
          lines.push(commitLine(group, topic, partition, value));
        }
      }
      if (lines.length > 0) writeSync(fd, lines.join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(path, 'a');
    this.linesInFile = lines.length;
  }

  private append(text: string, lines: number): void {
    if (this.fd === null || this.path === null) return;
    writeSync(this.fd, text);
    this.linesInFile += lines;
    if (this.shouldCompact()) this.compact(this.path);
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
    for (const c of commits) {
      this.remember(group, c.topic, c.partition, {
        offset: c.offset,
        metadata: c.metadata,
        commitTimestamp: now,
      });
    }
    const text = commits
      .map((c) =>
        commitLine(group, c.topic, c.partition, {
          offset: c.offset,
          metadata: c.metadata,
          commitTimestamp: now,
        }),
      )
      .join('');
    this.append(text, commits.length);
  }

  /** Forget every committed offset of a group (DeleteGroups). */
  deleteGroup(group: string): void {
    if (!this.groups.delete(group)) return;
    const line: StoredLine = { g: group, deleted: true };
    this.append(`${JSON.stringify(line)}\n`, 1);
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

  has(group: string): boolean {
    return this.groups.has(group);
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

function commitLine(group: string, topic: string, partition: number, value: CommittedOffset): string {
  const line: StoredLine = {
    g: group,
    t: topic,
    p: partition,
    o: value.offset,
    m: value.metadata,
    ts: value.commitTimestamp,
  };
  return `${JSON.stringify(line)}\n`;
}
