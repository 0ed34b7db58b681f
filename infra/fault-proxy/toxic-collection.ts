/**
 * A proxy's toxics (Toxiproxy's ToxicCollection): one chain per direction, in the order added,
 * applied to every open link of that direction as well as to new ones.
 */
import { errors } from './api-error.ts';
import { decodeStruct, type GoType, rawField } from './json-body.ts';
import type { ToxicLink } from './link.ts';
import { API_TOXICS, type ToxicKind } from './toxics/index.ts';
import type { RunnableToxic } from './toxics/toxic.ts';

export const STREAMS = ['upstream', 'downstream'] as const;
export type Stream = (typeof STREAMS)[number];

export class Toxic implements RunnableToxic {
  readonly name: string;
  readonly kind: ToxicKind;
  readonly stream: Stream;
  readonly attributes: Record<string, number>;
  toxicity: number;

  constructor(options: {
    name: string;
    kind: ToxicKind;
    stream: Stream;
    attributes: Record<string, number>;
    toxicity: number;
  }) {
    this.name = options.name;
    this.kind = options.kind;
    this.stream = options.stream;
    this.attributes = options.attributes;
    this.toxicity = options.toxicity;
  }

  /** Toxiproxy's field order: attributes, name, type, stream, toxicity. */
  toJSON(): object {
    return {
      attributes: this.attributes,
      name: this.name,
      type: this.kind.type,
      stream: this.stream,
      toxicity: this.toxicity,
    };
  }
}

const TOXIC_FIELDS: Record<string, GoType> = {
  name: 'string',
  type: 'string',
  stream: 'string',
  toxicity: 'float32',
};

function attributeTypes(kind: ToxicKind): Record<string, GoType> {
  return Object.fromEntries(Object.entries(kind.attributes).map(([name, spec]) => [name, spec.goType]));
}

/** Decodes `attributes` onto `into` (absent keys keep their value), as Go decodes into a struct. */
function decodeAttributes(body: unknown, kind: ToxicKind, into: Record<string, number>): void {
  const raw = rawField(body, 'attributes');
  const decoded = decodeStruct(raw ?? null, `${kind.goStruct}.attributes`, attributeTypes(kind));
  Object.assign(into, decoded);
}

export class ToxicCollection {
  readonly #chains: Record<Stream, Toxic[]> = { upstream: [], downstream: [] };
  readonly #links: Record<Stream, Set<ToxicLink>> = { upstream: new Set(), downstream: new Set() };

  /** The chain a new link of this direction starts with. */
  chain(stream: Stream): readonly Toxic[] {
    return [...this.#chains[stream]];
  }

  register(link: ToxicLink, stream: Stream): void {
    this.#links[stream].add(link);
  }

  unregister(link: ToxicLink, stream: Stream): void {
    this.#links[stream].delete(link);
  }

  /** Upstream toxics first, then downstream, each in the order added (as Toxiproxy lists them). */
  list(): Toxic[] {
    return [...this.#chains.upstream, ...this.#chains.downstream];
  }

  get(name: string): Toxic {
    const toxic = this.list().find((candidate) => candidate.name === name);
    if (toxic === undefined) throw errors.toxicNotFound;
    return toxic;
  }

  /** POST /proxies/{proxy}/toxics: defaults stream downstream, toxicity 1, name `<type>_<stream>`. */
  add(body: unknown): Toxic {
    const fields = decodeStruct(body, 'toxics.ToxicWrapper', TOXIC_FIELDS);
    const streamName = typeof fields.stream === 'string' ? fields.stream.toLowerCase() : 'downstream';
    if (!STREAMS.includes(streamName as Stream)) throw errors.invalidStream;
    const stream = streamName as Stream;
    const type = typeof fields.type === 'string' ? fields.type : '';
    const name =
      typeof fields.name === 'string' && fields.name !== ''
        ? fields.name
        : `${type}_${fields.stream ?? 'downstream'}`;
    const kind = API_TOXICS.get(type);
    if (kind === undefined) throw errors.invalidToxicType;
    if (this.list().some((toxic) => toxic.name === name)) throw errors.toxicAlreadyExists;
    const attributes = Object.fromEntries(Object.keys(kind.attributes).map((attribute) => [attribute, 0]));
    decodeAttributes(body, kind, attributes);
    const toxic = new Toxic({
      name,
      kind,
      stream,
      attributes,
      toxicity: typeof fields.toxicity === 'number' ? fields.toxicity : 1,
    });
    this.#chains[stream].push(toxic);
    for (const link of this.#links[stream]) link.addToxic(toxic);
    return toxic;
  }

  /** POST|PATCH /proxies/{proxy}/toxics/{toxic}: merges attributes and toxicity; the rest is ignored. */
  async update(name: string, body: unknown): Promise<Toxic> {
    const toxic = this.get(name);
    const fields = decodeStruct(body, 'toxics.ToxicWrapper', { toxicity: 'float32' });
    const attributes = { ...toxic.attributes };
    decodeAttributes(body, toxic.kind, attributes);
    Object.assign(toxic.attributes, attributes);
    if (typeof fields.toxicity === 'number') toxic.toxicity = fields.toxicity;
    await Promise.all([...this.#links[toxic.stream]].map((link) => link.updateToxic(toxic)));
    return toxic;
  }

  async remove(name: string): Promise<void> {
    const toxic = this.get(name);
    const chain = this.#chains[toxic.stream];
    chain.splice(chain.indexOf(toxic), 1);
    await Promise.all([...this.#links[toxic.stream]].map((link) => link.removeToxic(toxic)));
  }

  async reset(): Promise<void> {
    for (const toxic of this.list()) await this.remove(toxic.name);
  }
}
