/**
 * Small durable facts about the broker, in `<dataDir>/meta.json`: the cluster id (fixed for a
 * data dir, as Kafka's meta.properties) and the next producer id to hand out.
 * Written to a temp file and renamed, so a crash never leaves a half-written file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface MetaFile {
  clusterId: string;
  nextProducerId: number;
}

export class BrokerMeta {
  private readonly path: string;
  private data: MetaFile;

  constructor(dataDir: string, highestProducerIdInLogs: number) {
    this.path = join(dataDir, 'meta.json');
    const stored = existsSync(this.path)
      ? (JSON.parse(readFileSync(this.path, 'utf8')) as Partial<MetaFile>)
      : {};
    this.data = {
      clusterId: stored.clusterId ?? randomBytes(16).toString('base64url').slice(0, 22),
      nextProducerId: Math.max(stored.nextProducerId ?? 1000, highestProducerIdInLogs + 1),
    };
    this.save();
  }

  get clusterId(): string {
    return this.data.clusterId;
  }

  allocateProducerId(): number {
    const producerId = this.data.nextProducerId;
    this.data = { ...this.data, nextProducerId: producerId + 1 };
    this.save();
    return producerId;
  }

  private save(): void {
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, JSON.stringify(this.data));
    renameSync(temp, this.path);
  }
}
